import EarshotDSP

/// Octave filterbank and A-weighting speed over synthetic street audio,
/// processed in 10 ms hops (as `AnalysisChain` does).
enum FilterbankBenchmark {
    /// Returns `filterbank_ns_per_sample_biquad` (16 kHz; ns per input sample
    /// ÷ biquad sections computed per sample), `filterbank_biquads_per_sample`,
    /// `filterbank_ns_per_sample_16k`, `filterbank_ns_per_sample_48k`,
    /// `aweighting_ns_per_sample` (16 kHz) and `aweighting_ns_per_sample_48k`.
    static func run(audioSeconds: Double) -> [BenchmarkResult] {
        let ns16 = filterbankNsPerSample(rate: 16_000, audioSeconds: audioSeconds)
        let ns48 = filterbankNsPerSample(rate: 48_000, audioSeconds: audioSeconds / 3)
        let biquads = Double(OctaveFilterbank.biquadsPerSample)
        return [
            BenchmarkResult(key: "filterbank_ns_per_sample_biquad", value: ns16 / biquads),
            BenchmarkResult(key: "filterbank_biquads_per_sample", value: biquads),
            BenchmarkResult(key: "filterbank_ns_per_sample_16k", value: ns16),
            BenchmarkResult(key: "filterbank_ns_per_sample_48k", value: ns48),
            BenchmarkResult(key: "aweighting_ns_per_sample", value: aWeightingNsPerSample(rate: 16_000, audioSeconds: audioSeconds)),
            BenchmarkResult(key: "aweighting_ns_per_sample_48k", value: aWeightingNsPerSample(rate: 48_000, audioSeconds: audioSeconds / 3)),
        ]
    }

    /// Wall-clock ns per input sample of `OctaveFilterbank.process` at `rate` Hz.
    static func filterbankNsPerSample(rate: Int32, audioSeconds: Double) -> Double {
        var bank = OctaveFilterbank(sampleRate: rate)
        let hop = Int(rate) / 100
        let signal = SyntheticStreet.samples(count: hop * 1_000, rate: Int(rate))
        let hops = max(1, Int(audioSeconds * Double(Int(rate))) / hop)
        var sink: Int64 = 0
        let ns = signal.withUnsafeBufferPointer { all in
            measureNanoseconds {
                for h in 0..<hops {
                    let start = (h % 1_000) * hop
                    var e = SIMD8<UInt64>()
                    bank.process(UnsafeBufferPointer(rebasing: all[start..<start + hop]), energy: &e)
                    sink &+= Int64(bitPattern: e[h & 7])
                }
            }
        }
        blackHole(sink)
        return ns / Double(hops * hop)
    }

    /// Wall-clock ns per input sample of `AWeightingFilter.process` at `rate` Hz.
    static func aWeightingNsPerSample(rate: Int32, audioSeconds: Double) -> Double {
        var filter = AWeightingFilter(sampleRate: rate)
        let hop = Int(rate) / 100
        let signal = SyntheticStreet.samples(count: hop * 1_000, rate: Int(rate))
        let hops = max(1, Int(audioSeconds * Double(Int(rate))) / hop)
        var sink: Int64 = 0
        let ns = signal.withUnsafeBufferPointer { all in
            measureNanoseconds {
                for h in 0..<hops {
                    let start = (h % 1_000) * hop
                    var e: UInt64 = 0
                    filter.process(UnsafeBufferPointer(rebasing: all[start..<start + hop]), energy: &e)
                    sink &+= Int64(bitPattern: e)
                }
            }
        }
        blackHole(sink)
        return ns / Double(hops * hop)
    }
}
