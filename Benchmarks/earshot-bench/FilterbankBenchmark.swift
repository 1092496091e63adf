import EarshotDSP

/// Filterbank and A-weighting speed. Owned by the filter work; filled in there.
enum FilterbankBenchmark {
    /// Returns `filterbank_ns_per_sample_biquad` and any extra figures.
    static func run(audioSeconds: Double) -> [BenchmarkResult] { [] }
}
