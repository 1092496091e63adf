/// One machine-readable benchmark figure, printed as `key=value`.
struct BenchmarkResult {
    let key: String
    let value: Double
}

/// Wall-clock time of `body` in nanoseconds (monotonic clock).
func measureNanoseconds(_ body: () -> Void) -> Double {
    let d = ContinuousClock().measure(body)
    return Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9
}
