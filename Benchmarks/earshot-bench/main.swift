// earshot-bench: speed figures for `make bench`, printed as key=value lines.
// Usage: earshot-bench [audio-seconds]   (default 600 s of 16 kHz audio)
//        earshot-bench frames            (hashes of the chain's frames, see FrameDump)
//        earshot-bench classifier [SECONDS] (only the learned stage's figures)
import EarshotDSP

if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "frames" {
    FrameDump.run()
} else if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "classifier" {
    let seconds = CommandLine.arguments.count > 2 ? Double(CommandLine.arguments[2]) ?? 200 : 200
    for r in ClassifierBenchmark.run(audioSeconds: seconds) { print("\(r.key)=\(r.value)") }
} else if CommandLine.arguments.count > 2 && CommandLine.arguments[1] == "chain" {
    // Profiling aid: only the 16 kHz chain, `earshot-bench chain SECONDS`.
    let seconds = Double(CommandLine.arguments[2]) ?? 60
    let rate: Int32 = CommandLine.arguments.count > 3 ? Int32(CommandLine.arguments[3]) ?? 16_000 : 16_000
    var best = Double.infinity
    for _ in 0..<5 {
        best = min(best, ChainBenchmark.timed(rate: rate, audioSeconds: seconds).cpuNsPerSample)
    }
    print("chain_cpu_ns_per_sample_best5=\(best)")
} else {
    let audioSeconds = CommandLine.arguments.count > 1 ? Double(CommandLine.arguments[1]) ?? 600 : 600
    var results: [BenchmarkResult] = []
    results += FilterbankBenchmark.run(audioSeconds: audioSeconds)
    results += GoertzelBenchmark.run(audioSeconds: audioSeconds)
    results += ChainBenchmark.run(audioSeconds: audioSeconds)
    results += StageBenchmark.run(audioSeconds: audioSeconds / 3)
    results += ClassifierBenchmark.run(audioSeconds: audioSeconds / 3)
    results += LocalisationBenchmark.run()
    for r in results { print("\(r.key)=\(r.value)") }
}
