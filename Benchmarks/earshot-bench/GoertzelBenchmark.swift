#if canImport(Glibc)
import Glibc
#endif
import EarshotDSP

/// Goertzel speed: 16 bins at 16 kHz, block mode (N = hop = 160) and the
/// sliding mode (N = 2 hops), over `audioSeconds` of synthetic street audio.
enum GoertzelBenchmark {
    /// Returns `goertzel_ns_per_sample_bin` (block mode, wall clock, like the
    /// other figures), `goertzel_cpu_ns_per_sample_bin` (same run, thread CPU
    /// time: robust when other jobs share the cores) and
    /// `goertzel_sliding2_ns_per_sample_bin` (2 overlapping resonator sets,
    /// wall clock per sample per output bin, so about twice the block cost).
    static func run(audioSeconds: Double) -> [BenchmarkResult] {
        let block = measure(overlap: 1, audioSeconds: audioSeconds)
        let sliding = measure(overlap: 2, audioSeconds: audioSeconds / 2)
        return [
            BenchmarkResult(key: "goertzel_ns_per_sample_bin", value: block.wall),
            BenchmarkResult(key: "goertzel_cpu_ns_per_sample_bin", value: block.cpu),
            BenchmarkResult(key: "goertzel_sliding2_ns_per_sample_bin", value: sliding.wall),
        ]
    }

    static func measure(overlap: Int32, audioSeconds: Double) -> (wall: Double, cpu: Double) {
        let rate: Int32 = 16_000
        let hop: Int32 = 160
        var bank = GoertzelBank(sampleRate: rate, frequencies: AnalysisConfig().binFrequencies, binCount: 16,
                                blockSamples: hop * overlap, hopSamples: hop)
        let signal = SyntheticStreet.samples(count: Int(hop) * 1_000, rate: Int(rate))
        let hops = max(1, Int(audioSeconds * Double(Int(rate))) / Int(hop))
        var sink: Int64 = 0
        var cpuStart = 0.0
        var cpuEnd = 0.0
        let ns = signal.withUnsafeBufferPointer { all in
            measureNanoseconds {
                cpuStart = threadCPUNanoseconds()
                for h in 0..<hops {
                    let start = (h % 1_000) * Int(hop)
                    sink &+= Int64(bank.process(UnsafeBufferPointer(rebasing: all[start..<start + Int(hop)])))
                    sink &+= Int64(bank.power[3])
                }
                cpuEnd = threadCPUNanoseconds()
            }
        }
        blackHole(sink)
        let perSampleBin = Double(hops * Int(hop)) * 16
        return (ns / perSampleBin, (cpuEnd - cpuStart) / perSampleBin)
    }

    /// CPU time of the calling thread in ns (0 where unavailable).
    static func threadCPUNanoseconds() -> Double {
        #if canImport(Glibc)
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) * 1e9 + Double(t.tv_nsec)
        #else
        return 0
        #endif
    }
}
