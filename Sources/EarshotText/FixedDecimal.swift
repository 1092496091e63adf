// The one fixed-point decimal formatter: JSONWriter.number (MQTT payloads, the centre's
// incidents and page) and the agent's text outputs (analyze, locate, listen, meter,
// selftest, logs) print numbers through it, so "1.005 with 2 decimals" reads the same
// everywhere. No Foundation, no exponent notation.

/// Decimal text of a `Double` with a fixed number of decimals, rounded half away from zero.
public enum FixedDecimal {
    /// Largest magnitude × 10^places written (beyond it `write` refuses: UInt64 range).
    public static let limit = 9.0e18

    /// Calls `emit` with the ASCII bytes of `value` rounded to `places` decimals (0…6; more
    /// are cut to 6): "-" only when the rounded value is not zero. Returns false, writing
    /// nothing, for NaN, infinities and magnitudes ≥ `limit` / 10^places.
    @inlinable
    public static func write(_ value: Double, places: Int, _ emit: (UInt8) -> Void) -> Bool {
        guard value.isFinite else { return false }
        let p = min(max(places, 0), 6)
        var scale: UInt64 = 1
        for _ in 0..<p { scale &*= 10 }
        let magnitude = abs(value) * Double(scale)
        guard magnitude < limit else { return false }
        let scaled = UInt64(magnitude.rounded())
        if value < 0 && scaled != 0 { emit(0x2D) }
        DecimalDigits.write(scaled / scale, emit)
        if p > 0 {
            emit(0x2E)
            var fraction = scaled % scale
            var divisor = scale / 10
            while divisor > 0 {
                let digit = fraction / divisor
                emit(0x30 &+ UInt8(truncatingIfNeeded: digit))
                fraction -= digit * divisor
                divisor /= 10
            }
        }
        return true
    }

    /// `value` with `places` decimals as a String, e.g. `string(-0.125, 2)` = "-0.13".
    /// Not finite: "0" for NaN, "1e308" / "-1e308" for ±infinity (the agent's text
    /// outputs never print "nan"); beyond `limit` the same "±1e308".
    public static func string(_ value: Double, _ places: Int) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        if write(value, places: places, { bytes.append($0) }) { return String(decoding: bytes, as: UTF8.self) }
        if value.isNaN { return "0" }
        return value > 0 ? "1e308" : "-1e308"
    }
}

/// JSON string escaping (RFC 8259 §7), one byte of UTF-8 at a time: `"` `\` and control
/// characters escaped (\n \r \t by name, the rest as \u00XX), every other byte as is.
public enum JSONEscaping {
    /// Calls `emit` with the escaped form of byte `b`.
    @inlinable @inline(__always)
    public static func write(_ b: UInt8, _ emit: (UInt8) -> Void) {
        switch b {
        case 0x22: emit(0x5C); emit(0x22)
        case 0x5C: emit(0x5C); emit(0x5C)
        case 0x0A: emit(0x5C); emit(0x6E)
        case 0x0D: emit(0x5C); emit(0x72)
        case 0x09: emit(0x5C); emit(0x74)
        case 0..<0x20:
            emit(0x5C); emit(0x75); emit(0x30); emit(0x30)
            emit(hexDigit(b >> 4)); emit(hexDigit(b & 0xF))
        default: emit(b)
        }
    }

    @inlinable @inline(__always)
    static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 &+ v : 0x57 &+ v }   // 0-9, a-f

    /// `text` as a JSON string literal, quotes included (allocates: for text outputs).
    public static func quoted(_ text: String) -> String {
        var bytes: [UInt8] = [0x22]
        bytes.reserveCapacity(text.utf8.count + 8)
        for b in text.utf8 { write(b) { bytes.append($0) } }
        bytes.append(0x22)
        return String(decoding: bytes, as: UTF8.self)
    }
}
