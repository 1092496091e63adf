// Bounds the log: a flood of bad payloads from one box costs one line per interval.

/// Lets through at most one line per key per `intervalNs`; counts what it held back.
struct LogLimiter {
    let intervalNs: Int64
    private var last: [String: (at: Int64, suppressed: Int)] = [:]

    init(intervalS: Double) { intervalNs = Int64(intervalS * 1e9) }

    /// Nil when the line must be dropped; else the number of lines dropped since the last one.
    mutating func admit(_ key: String, nowNs: Int64) -> Int? {
        if let l = last[key], nowNs &- l.at < intervalNs {
            last[key] = (l.at, l.suppressed + 1)
            return nil
        }
        let dropped = last[key]?.suppressed ?? 0
        if last.count > 50_000 { last.removeAll() }
        last[key] = (nowNs, 0)
        return dropped
    }
}
