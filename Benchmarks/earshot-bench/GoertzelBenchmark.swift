import EarshotDSP

/// Goertzel speed. Owned by the tonal work; filled in there.
enum GoertzelBenchmark {
    /// Returns `goertzel_ns_per_sample_bin` and any extra figures.
    static func run(audioSeconds: Double) -> [BenchmarkResult] { [] }
}
