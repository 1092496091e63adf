// earshot-bench: speed figures for `make bench`, printed as key=value lines.
// Usage: earshot-bench [audio-seconds]   (default 600 s of 16 kHz audio)
//        earshot-bench frames            (hashes of the chain's frames, see FrameDump)
import EarshotDSP

if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "frames" {
    FrameDump.run()
} else {
    let audioSeconds = CommandLine.arguments.count > 1 ? Double(CommandLine.arguments[1]) ?? 600 : 600
    var results: [BenchmarkResult] = []
    results += FilterbankBenchmark.run(audioSeconds: audioSeconds)
    results += GoertzelBenchmark.run(audioSeconds: audioSeconds)
    results += ChainBenchmark.run(audioSeconds: audioSeconds)
    results += StageBenchmark.run(audioSeconds: audioSeconds / 3)
    for r in results { print("\(r.key)=\(r.value)") }
}
