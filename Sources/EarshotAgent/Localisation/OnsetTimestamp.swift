// Event onsets as UTC with sub-millisecond resolution (the clock's synchronisation
// state beside them: ClockSyncReader.swift), so a central service can combine the
// onsets of several boxes by TDOA.
#if canImport(Glibc)
import EarshotPlatform
import Glibc
#endif

/// UTC timestamps with microsecond resolution.
public enum OnsetTimestamp {
    /// `CLOCK_REALTIME` now, ns since the Unix epoch.
    public static func nowNanoseconds() -> Int64 {
        UTCClock.nanoseconds()
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
