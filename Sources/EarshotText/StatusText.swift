// Inline, fixed-capacity text: the status detail and the sd_notify STATUS= line.

/// Fixed-capacity UTF-8 text for the status `detail` and the sd_notify `STATUS=` line:
/// at most `StatusText.capacity` (512) bytes stored inline (no heap), composed piecewise
/// with `append` instead of String interpolation, so a status message allocates nothing.
/// An append past the capacity is cut at a UTF-8 character boundary and the text then
/// ends with "…" (later appends are ignored).
public struct StatusText: Sendable, Equatable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// Capacity in bytes, "…" included.
    public static let capacity = 512
    private static let ellipsis: (UInt8, UInt8, UInt8) = (0xE2, 0x80, 0xA6)
    private var storage: InlineArray<512, UInt8>
    /// Bytes used.
    public private(set) var count = 0
    /// True when an append did not fit (the text ends with "…").
    public private(set) var truncated = false

    /// Empty text.
    public init() { storage = InlineArray(repeating: 0) }

    /// The UTF-8 bytes of `text` (cut to the capacity).
    public init(_ text: String) {
        self.init()
        append(text)
    }

    /// A literal, e.g. `detail: "starting"`.
    public init(stringLiteral value: String) { self.init(value) }

    /// True when no byte was appended.
    public var isEmpty: Bool { count == 0 }

    /// Appends a literal.
    public mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { for b in $0 { append(byte: b) } }
    }

    /// Appends the UTF-8 bytes of `text` (native Strings are read in place: no copy).
    public mutating func append(_ text: String) {
        var t = text
        t.withUTF8 { for b in $0 { append(byte: b) } }
    }

    /// Appends the bytes of another text.
    public mutating func append(_ text: StatusText) {
        for i in 0..<text.count { append(byte: text.storage[i]) }
    }

    /// Appends a decimal unsigned integer.
    public mutating func append(_ value: UInt64) {
        DecimalDigits.write(value) { append(byte: $0) }
    }

    /// Appends a decimal signed integer.
    public mutating func append(_ value: Int64) {
        if value < 0 { append(byte: 0x2D); append(UInt64(bitPattern: 0 &- value)) } else { append(UInt64(value)) }
    }

    /// Appends a decimal signed integer.
    public mutating func append(_ value: Int) { append(Int64(value)) }

    /// Appends one byte of UTF-8 (the caller keeps multi-byte characters whole).
    public mutating func append(byte b: UInt8) {
        guard !truncated else { return }
        if count < Self.capacity - 3 {
            storage[count] = b
            count += 1
            return
        }
        // Full: drop a character whose bytes did not all fit, then end with "…".
        if b & 0xC0 == 0x80 {
            while count > 0 && storage[count - 1] & 0xC0 == 0x80 { count -= 1 }
            if count > 0 && storage[count - 1] >= 0xC0 { count -= 1 }
        }
        storage[count] = Self.ellipsis.0
        storage[count + 1] = Self.ellipsis.1
        storage[count + 2] = Self.ellipsis.2
        count += 3
        truncated = true
    }

    /// Calls `body` with the bytes (valid only inside `body`).
    public func withUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try storage.span.withUnsafeBufferPointer { all in try body(UnsafeBufferPointer(rebasing: all[0..<count])) }
    }

    /// The text as a String (allocates; for tests and logs).
    public var description: String { withUTF8 { String(decoding: $0, as: UTF8.self) } }

    public static func == (a: StatusText, b: StatusText) -> Bool {
        guard a.count == b.count, a.truncated == b.truncated else { return false }
        for i in 0..<a.count where a.storage[i] != b.storage[i] { return false }
        return true
    }
}
