import EarshotDSP

/// Goertzel speed: 16 bins, block mode (N = hop = 160 at 16 kHz) and the
/// sliding mode (N = 2 hops), over `audioSeconds` of synthetic street audio.
enum GoertzelBenchmark {
    /// Returns `goertzel_ns_per_sample_bin` (block mode, 16 kHz, 16 bins) and
    /// `goertzel_sliding2_ns_per_sample_bin` (2 overlapping sets; cost per
    /// sample per bin of output, i.e. both sets counted).
    static func run(audioSeconds: Double) -> [BenchmarkResult] {
        [
            BenchmarkResult(key: "goertzel_ns_per_sample_bin", value: nsPerSampleBin(overlap: 1, audioSeconds: audioSeconds)),
            BenchmarkResult(key: "goertzel_sliding2_ns_per_sample_bin", value: nsPerSampleBin(overlap: 2, audioSeconds: audioSeconds / 2)),
        ]
    }

    static func nsPerSampleBin(overlap: Int32, audioSeconds: Double) -> Double {
        let rate: Int32 = 16_000
        let hop: Int32 = 160
        var bank = GoertzelBank(sampleRate: rate, frequencies: AnalysisConfig().binFrequencies, binCount: 16,
                                blockSamples: hop * overlap, hopSamples: hop)
        let signal = SyntheticStreet.samples(count: Int(hop) * 1_000, rate: Int(rate))
        let hops = Int(audioSeconds * Double(Int(rate))) / Int(hop)
        var sink: Int64 = 0
        let ns = signal.withUnsafeBufferPointer { all in
            measureNanoseconds {
                for h in 0..<hops {
                    let start = (h % 1_000) * Int(hop)
                    _ = bank.process(UnsafeBufferPointer(rebasing: all[start..<start + Int(hop)]))
                    sink &+= Int64(bank.power[3])
                }
            }
        }
        blackHole(sink)
        return ns / Double(hops * Int(hop)) / 16
    }
}
