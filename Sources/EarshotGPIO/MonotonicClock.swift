// CLOCK_MONOTONIC reads and absolute sleeps for trigger timing.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Monotonic time in nanoseconds (`CLOCK_MONOTONIC`, unaffected by NTP steps).
public enum MonotonicClock {
    /// Now, in ns since an arbitrary boot-time origin.
    public static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Sleeps until the monotonic clock reaches `deadline` (ns); returns at once if past.
    static func sleep(until deadline: UInt64) {
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }

    /// Sleeps until `margin` (ns) before `deadline`, then spins until `deadline`, so the
    /// return is late only by the spin's own resolution, not by the scheduler's wake-up latency.
    /// Returns how late (ns) the coarse wake-up came after `deadline - margin` (0 if on time
    /// or if no sleep was needed), for `WakeMargin.observe`.
    static func sleep(until deadline: UInt64, spinningLast margin: UInt64) -> UInt64 {
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
