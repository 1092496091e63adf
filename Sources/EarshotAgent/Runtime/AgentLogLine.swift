// A log line built in a fixed byte buffer and written with one write(2): the
// dispatcher's per-event and per-telemetry lines allocate nothing.
import EarshotText
import EarshotPlatform
#if canImport(Glibc)
import Glibc
#endif
import EarshotMQTT

/// A reusable, fixed-capacity line buffer (`capacity` bytes, allocated once at init).
/// Appends past the capacity are cut and the line ends with `…` + newline; the line
/// is still written. One instance per thread (not thread-safe).
public final class AgentLogLine {
    private let storage: FixedBuffer<UInt8>
    /// An RFC 3339 timestamp being formatted (`append(_: UTCTimestamp)`).
    private let stamp = FixedBuffer<UInt8>(count: UTCTimestamp.rfc3339Length, repeating: 0)
    /// Capacity in bytes, including the final newline.
    public let capacity: Int
    /// Bytes in the line so far.
    public private(set) var count = 0
    private var truncated = false

    /// A line buffer of `capacity` bytes (at least 16; PIPE_BUF = 4096 keeps a line whole in a pipe).
    public init(capacity: Int = 1024) {
        self.capacity = max(capacity, 16)
        storage = FixedBuffer(count: self.capacity, repeating: 0)
    }

    /// Empties the line.
    public func reset() { count = 0; truncated = false }

    /// Appends a literal.
    public func append(_ text: StaticString) { text.withUTF8Buffer { for b in $0 { byte(b) } } }

    /// Appends the UTF-8 bytes of `text` (no copy of the String's storage for native strings).
    public func append(_ text: String) {
        var t = text
        t.withUTF8 { for b in $0 { byte(b) } }
    }

    /// Appends a decimal integer.
    public func append(_ value: Int64) {
        if value < 0 { byte(0x2D); unsigned(UInt64(bitPattern: 0 &- value)) } else { unsigned(UInt64(value)) }
    }

    /// Appends a decimal integer.
    public func append(_ value: Int) { append(Int64(value)) }

    /// Appends a decimal unsigned integer.
    public func append(_ value: UInt64) { unsigned(value) }

    /// Appends `x` rounded to 2 decimals as Swift's `String(Double)` prints it for
    /// such values: at least one fractional digit, trailing zeros dropped ("12.0",
    /// "-3.5", "0.25"); "nan" when not finite; magnitudes ≥ 1e15 as an integer-valued
    /// ".0" number (never met: dB, ms and 0…1 confidences).
    public func appendFixed2(_ x: Double) {
        guard x.isFinite else { append("nan"); return }
        let v = (x * 100).rounded() / 100
        if v.sign == .minus { byte(0x2D) }
        let hundredths = (abs(v) * 100).rounded()
        guard hundredths < 9.0e17 else { append("inf"); return }
        let h = UInt64(hundredths)
        unsigned(h / 100)
        byte(0x2E)
        let f = h % 100
        byte(0x30 &+ UInt8(truncatingIfNeeded: f / 10))
        if f % 10 != 0 { byte(0x30 &+ UInt8(truncatingIfNeeded: f % 10)) }
    }

    /// Appends `t` as RFC 3339 UTC with 9 fractional digits.
    public func append(_ t: UTCTimestamp) {
        let n = stamp.withMutableElements { t.writeRFC3339(into: $0) }
        for i in 0..<n { byte(stamp[i]) }
    }

    /// Ends the line with a newline and writes it to stderr in one write(2) call
    /// (unbuffered, like `AgentLog.write`); then empties the buffer.
    public func writeToStandardError() {
        if truncated {
            count = min(count, capacity - 4)
            storage[count] = 0xE2; storage[count + 1] = 0x80; storage[count + 2] = 0xA6  // …
            count += 3
        }
        storage[min(count, capacity - 1)] = 0x0A
        let total = min(count, capacity - 1) + 1
        StandardError.write(storage, count: total)
        reset()
    }

    /// The line as a String (allocates; tests only).
    public var string: String { String(decoding: storage.prefix(count), as: UTF8.self) }

    private func unsigned(_ value: UInt64) {
        DecimalDigits.write(value) { byte($0) }
    }

    @inline(__always)
    private func byte(_ b: UInt8) {
        // One byte is kept for the newline.
        guard count < capacity - 1 else { truncated = true; return }
        storage[count] = b
        count += 1
    }
}
