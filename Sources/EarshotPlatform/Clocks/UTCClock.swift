// CLOCK_REALTIME: the UTC stamps of events, status and telemetry.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// UTC time in nanoseconds since 1970-01-01T00:00:00Z (`CLOCK_REALTIME`; NTP may step it).
public enum UTCClock {
    /// Now, ns since the epoch.
    @inline(__always)
    public static func nanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }

    /// Now, whole seconds since the epoch.
    @inline(__always)
    public static func seconds() -> Int64 { nanoseconds() / 1_000_000_000 }
}
