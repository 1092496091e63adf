// Event onsets as UTC with sub-millisecond resolution and the kernel's clock
// synchronisation state (adjtimex), so a central service can combine the
// onsets of several boxes by TDOA.
#if canImport(Glibc)
import Glibc
#endif

/// The kernel clock discipline as `adjtimex(2)` reports it (read-only query).
public struct ClockSyncState: Equatable, Sendable {
    /// True when the kernel says the clock is synchronised (NTP/chrony/PTP
    /// disciplining it: `adjtimex` returned TIME_OK..TIME_WAIT, not TIME_ERROR,
    /// and STA_UNSYNC is clear).
    public var synchronised: Bool
    /// Estimated error of the system clock, µs (`timex.esterror`); the
    /// maximum error bound is in `maxErrorMicroseconds`.
    public var estimatedErrorMicroseconds: Int
    /// Maximum error bound, µs (`timex.maxerror`).
    public var maxErrorMicroseconds: Int

    public init(synchronised: Bool, estimatedErrorMicroseconds: Int, maxErrorMicroseconds: Int) {
        self.synchronised = synchronised
        self.estimatedErrorMicroseconds = estimatedErrorMicroseconds
        self.maxErrorMicroseconds = maxErrorMicroseconds
    }

    /// Reads the state now (modes = 0: nothing is changed; no privilege needed).
    /// Glibc's Swift module does not export <sys/timex.h>, so the call goes
    /// through the C symbol with the 64-bit Linux layout of `struct timex`
    /// (maxerror at byte 24, esterror at 32, status at 40; 208 bytes).
    public static func current() -> ClockSyncState {
        #if os(Linux) && _pointerBitWidth(_64)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 8)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: 256)
        let state = earshot_adjtimex(buffer)
        let maxError = buffer.load(fromByteOffset: 24, as: Int.self)
        let estError = buffer.load(fromByteOffset: 32, as: Int.self)
        let status = buffer.load(fromByteOffset: 40, as: Int32.self)
        let unsync = status & 0x0040 != 0          // STA_UNSYNC
        return ClockSyncState(synchronised: state >= 0 && state != 5 && !unsync,   // 5 = TIME_ERROR
                              estimatedErrorMicroseconds: estError, maxErrorMicroseconds: maxError)
        #else
        return ClockSyncState(synchronised: false, estimatedErrorMicroseconds: -1, maxErrorMicroseconds: -1)
        #endif
    }
}

#if os(Linux) && _pointerBitWidth(_64)
/// glibc `int adjtimex(struct timex *)`.
@_silgen_name("adjtimex")
private func earshot_adjtimex(_ buffer: UnsafeMutableRawPointer) -> Int32
#endif

/// UTC timestamps with microsecond resolution.
public enum OnsetTimestamp {
    /// `CLOCK_REALTIME` now, ns since the Unix epoch.
    public static func nowNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// RFC 3339 UTC with 6 decimals, e.g. `2026-11-23T15:04:05.123456Z`.
    public static func rfc3339(nanoseconds ns: Int64) -> String {
        let micros = (ns + 500) / 1000
        var secs = micros / 1_000_000
        var frac = micros % 1_000_000
        if frac < 0 { frac += 1_000_000; secs -= 1 }
        var t = time_t(secs)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        func pad(_ v: Int32, _ w: Int) -> String {
            var s = String(v)
            while s.count < w { s = "0" + s }
            return s
        }
        var f = String(frac)
        while f.count < 6 { f = "0" + f }
        return "\(pad(tmv.tm_year + 1900, 4))-\(pad(tmv.tm_mon + 1, 2))-\(pad(tmv.tm_mday, 2))T"
            + "\(pad(tmv.tm_hour, 2)):\(pad(tmv.tm_min, 2)):\(pad(tmv.tm_sec, 2)).\(f)Z"
    }
}
