// RFC 3339 UTC timestamps with nanosecond precision, formatted without Foundation
// or heap allocation.
import EarshotText
import EarshotPlatform
import Glibc

/// A point in UTC time as integer nanoseconds since 1970-01-01T00:00:00Z
/// (leap seconds ignored, as in POSIX time).
public struct UTCTimestamp: Sendable, Hashable, Comparable {
    /// Nanoseconds since the Unix epoch (UTC).
    public var nanosecondsSinceEpoch: Int64

    /// Wraps a count of nanoseconds since the Unix epoch.
    public init(nanosecondsSinceEpoch: Int64) { self.nanosecondsSinceEpoch = nanosecondsSinceEpoch }

    /// The system's real-time clock (`CLOCK_REALTIME`), ns resolution.
    public static func now() -> UTCTimestamp {
        UTCTimestamp(nanosecondsSinceEpoch: UTCClock.nanoseconds())
    }

    public static func < (a: UTCTimestamp, b: UTCTimestamp) -> Bool {
        a.nanosecondsSinceEpoch < b.nanosecondsSinceEpoch
    }

    /// Length of the RFC 3339 form `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` in bytes.
    public static let rfc3339Length = 30

    /// Writes `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` (30 ASCII bytes) into `out`
    /// (years 0000…9999). Returns the number of bytes written.
    @discardableResult
    public func writeRFC3339(into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        precondition(out.count >= Self.rfc3339Length, "RFC 3339 buffer needs 30 bytes")
        let ns = nanosecondsSinceEpoch
        var seconds = ns / 1_000_000_000
        var fraction = ns % 1_000_000_000
        if fraction < 0 { fraction += 1_000_000_000; seconds -= 1 }
        var days = seconds / 86_400
        var secOfDay = seconds % 86_400
        if secOfDay < 0 { secOfDay += 86_400; days -= 1 }
        let (year, month, day) = Self.civil(fromDays: days)
        // The index is passed inout, not captured: a captured `var` is a heap box in debug builds.
        var i = 0
        func put(_ value: Int64, digits: Int, _ i: inout Int) {
            var v = value
            var k = digits - 1
            while k >= 0 { out[i + k] = 0x30 + UInt8(truncatingIfNeeded: v % 10); v /= 10; k -= 1 }
            i += digits
        }
        func char(_ c: UInt8, _ i: inout Int) { out[i] = c; i += 1 }
        put(year, digits: 4, &i); char(0x2D, &i); put(month, digits: 2, &i); char(0x2D, &i); put(day, digits: 2, &i)
        char(0x54, &i)
        put(secOfDay / 3600, digits: 2, &i); char(0x3A, &i); put((secOfDay / 60) % 60, digits: 2, &i); char(0x3A, &i)
        put(secOfDay % 60, digits: 2, &i); char(0x2E, &i); put(fraction, digits: 9, &i); char(0x5A, &i)
        return i
    }

    /// The RFC 3339 form as a String (allocates; for logs and tests).
    public var rfc3339: String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.rfc3339Length) { buf in
            let n = writeRFC3339(into: buf)
            return String(decoding: UnsafeBufferPointer(rebasing: buf[0..<n]), as: UTF8.self)
        }
    }

    /// Days since 1970-01-01 → (year, month 1…12, day 1…31), proleptic Gregorian
    /// (H. Hinnant's `civil_from_days`).
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}

extension JSONWriter {
    /// Writes a timestamp as an RFC 3339 UTC string with 9 fractional digits.
    public func timestamp(_ t: UTCTimestamp) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: UTCTimestamp.rfc3339Length) { buf in
            let n = t.writeRFC3339(into: buf)
            string(ascii: UnsafeBufferPointer(rebasing: buf[0..<n]))
        }
    }
}
