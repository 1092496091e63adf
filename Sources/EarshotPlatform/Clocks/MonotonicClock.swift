// CLOCK_MONOTONIC: intervals, deadlines, capture and pulse times.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Monotonic time in nanoseconds since an arbitrary boot-time origin (`CLOCK_MONOTONIC`,
/// unaffected by NTP steps). Reads and sleeps allocate nothing.
public enum MonotonicClock {
    /// Now, ns.
    @inline(__always)
    public static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Now, ns, as a signed count (the agent's timestamps are `Int64`).
    @inline(__always)
    public static func signedNanoseconds() -> Int64 { Int64(bitPattern: nanoseconds()) }

    /// Sleeps until the clock reaches `deadline` (ns); returns at once if it is past.
    public static func sleep(until deadline: UInt64) {
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }

    /// Sleeps for `nanoseconds` ns.
    public static func sleep(nanoseconds: UInt64) { sleep(until: MonotonicClock.nanoseconds() &+ nanoseconds) }

    /// Sleeps until `margin` (ns) before `deadline`, then spins until `deadline`, so the
    /// return is late only by the spin's own resolution, not by the scheduler's wake-up latency.
    /// Returns how late (ns) the coarse wake-up came after `deadline - margin` (0 if on time
    /// or if no sleep was needed).
    public static func sleep(until deadline: UInt64, spinningLast margin: UInt64) -> UInt64 {
        let now = nanoseconds()
        guard deadline > now else { return 0 }
        var lateness: UInt64 = 0
        if deadline - now > margin {
            let coarse = deadline - margin
            sleep(until: coarse)
            let woke = nanoseconds()
            lateness = woke > coarse ? woke - coarse : 0
        }
        while nanoseconds() < deadline {}
        return lateness
    }
}
