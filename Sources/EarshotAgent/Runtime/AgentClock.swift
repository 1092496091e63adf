// Clocks of the agent: CLOCK_MONOTONIC for intervals and capture times,
// CLOCK_REALTIME for UTC stamps, and the kernel's NTP state for clock sync.
#if canImport(Glibc)
import Glibc
#endif

/// Clock readings in nanoseconds; no allocation, safe on the analysis thread.
public enum AgentClock {
    /// `CLOCK_MONOTONIC`, ns.
    @inline(__always)
    public static func monotonicNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }

    /// `CLOCK_REALTIME` (UTC, ns since 1970).
    @inline(__always)
    public static func realtimeNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }

    /// realtime − monotonic now, ns: adds to a monotonic instant to give UTC ns.
    @inline(__always)
    public static func realtimeOffsetNanoseconds() -> Int64 {
        let m1 = monotonicNanoseconds()
        let r = realtimeNanoseconds()
        let m2 = monotonicNanoseconds()
        return r &- (m1 &+ (m2 &- m1) / 2)
    }

    /// The kernel's clock discipline state (`ntp_adjtime` with `modes = 0`, read
    /// only): synchronised when `STA_UNSYNC` (0x40) is clear and the call does not
    /// return `TIME_ERROR` (5); `estimatedErrorMicroseconds` is `timex.esterror` (µs).
    /// Glibc's Swift module does not export <sys/timex.h>, so the function is found
    /// with dlsym and `struct timex` is read by offset: `modes` (int, padded to a
    /// long), then longs `offset, freq, maxerror, esterror`, then int `status`.
    public static func syncState() -> (synchronised: Bool, estimatedErrorMicroseconds: Int64?) {
        guard let adjtime = ntpAdjtime else { return (false, nil) }
        return withUnsafeTemporaryAllocation(byteCount: 512, alignment: 16) { buf in
            buf.initializeMemory(as: UInt8.self, repeating: 0)
            let base = buf.baseAddress!
            let state = adjtime(base)
            if state < 0 { return (false, nil) }
            let long = MemoryLayout<Int>.size
            let esterror = base.load(fromByteOffset: 4 * long, as: Int.self)
            let status = base.load(fromByteOffset: 5 * long, as: Int32.self)
            let synced = (status & 0x40) == 0 && state != 5
            return (synced, synced ? Int64(esterror) : nil)
        }
    }

    private typealias AdjtimeFunction = @convention(c) (UnsafeMutableRawPointer) -> Int32
    private static let ntpAdjtime: AdjtimeFunction? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "ntp_adjtime") else { return nil }
        return unsafeBitCast(symbol, to: AdjtimeFunction.self)
    }()
}
