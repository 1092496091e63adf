// Clocks of the agent: CLOCK_MONOTONIC for intervals and capture times,
// CLOCK_REALTIME for UTC stamps, and the clock-sync state (ClockSyncReader).
#if canImport(Glibc)
import EarshotPlatform
import Glibc
#endif

/// Clock readings in nanoseconds; no allocation, safe on the analysis thread.
public enum AgentClock {
    /// `CLOCK_MONOTONIC`, ns.
    @inline(__always)
    public static func monotonicNanoseconds() -> Int64 { MonotonicClock.signedNanoseconds() }

    /// `CLOCK_REALTIME` (UTC, ns since 1970).
    @inline(__always)
    public static func realtimeNanoseconds() -> Int64 { UTCClock.nanoseconds() }

    /// realtime − monotonic now, ns: adds to a monotonic instant to give UTC ns.
    @inline(__always)
    public static func realtimeOffsetNanoseconds() -> Int64 {
        let m1 = monotonicNanoseconds()
        let r = realtimeNanoseconds()
        let m2 = monotonicNanoseconds()
        return r &- (m1 &+ (m2 &- m1) / 2)
    }

    /// The clock's synchronisation state now (`ClockSyncReader.system`: adjtimex, or
    /// systemd-timesyncd's flag when the unit refuses adjtimex); no allocation.
    public static func syncState() -> ClockSyncState { ClockSyncReader.system.read() }
}
