// earshot-bench: speed figures for `make bench`, printed as key=value lines.
// Usage: earshot-bench [audio-seconds]   (default 600 s of 16 kHz audio)
import EarshotDSP

let audioSeconds = CommandLine.arguments.count > 1 ? Double(CommandLine.arguments[1]) ?? 600 : 600
var results: [BenchmarkResult] = []
results += FilterbankBenchmark.run(audioSeconds: audioSeconds)
results += GoertzelBenchmark.run(audioSeconds: audioSeconds)
results += ChainBenchmark.run(audioSeconds: audioSeconds)
for r in results { print("\(r.key)=\(r.value)") }
