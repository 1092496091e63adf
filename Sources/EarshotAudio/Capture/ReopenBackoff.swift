// Exponential backoff between attempts to reopen a lost capture device.

/// Delay sequence for reopening a lost device: `initial`, ×`factor` each failure,
/// capped at `maximum`; `reset()` after a successful open. Nanoseconds.
public struct ReopenBackoff: Sendable, Equatable {
    /// First delay (ns); default 100 ms.
    public var initialNanoseconds: UInt64
    /// Cap (ns); default 5 s.
    public var maximumNanoseconds: UInt64
    /// Growth factor per failure; default 2.
    public var factor: UInt64
    private var current: UInt64

    /// Creates a backoff starting at `initialNanoseconds`.
    public init(initialNanoseconds: UInt64 = 100_000_000, maximumNanoseconds: UInt64 = 5_000_000_000, factor: UInt64 = 2) {
        precondition(initialNanoseconds > 0 && maximumNanoseconds >= initialNanoseconds && factor >= 1)
        self.initialNanoseconds = initialNanoseconds
        self.maximumNanoseconds = maximumNanoseconds
        self.factor = factor
        self.current = initialNanoseconds
    }

    /// The delay to wait before the next attempt (ns); advances the sequence.
    public mutating func next() -> UInt64 {
        let delay = current
        let (grown, overflow) = current.multipliedReportingOverflow(by: factor)
        current = overflow ? maximumNanoseconds : min(grown, maximumNanoseconds)
        return delay
    }

    /// Starts again from `initialNanoseconds` (after a successful open).
    public mutating func reset() { current = initialNanoseconds }
}
