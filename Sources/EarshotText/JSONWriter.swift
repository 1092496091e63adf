// A fixed-capacity JSON writer into a preallocated byte buffer: the telemetry and
// status paths encode without Foundation and without heap allocation.

/// Writes compact JSON into a buffer allocated once at init. `reset()` starts a
/// new document; `bytes` views what was written. When the capacity is exceeded
/// the writer stops writing and sets `overflowed` (the document is then invalid
/// and must not be published).
///
/// Not thread-safe: one writer per thread (the publisher keeps one per payload kind
/// under its lock).
public final class JSONWriter {
    private let storage: UnsafeMutablePointer<UInt8>
    /// Capacity in bytes.
    public let capacity: Int
    /// Bytes written since the last `reset()`.
    public private(set) var count = 0
    /// True when a write did not fit; the document is truncated.
    public private(set) var overflowed = false
    // One bit per nesting level: whether the next member/element needs a comma.
    private var needsComma: UInt64 = 0
    private var depth = 0

    /// Creates a writer with `capacity` bytes of storage (allocated here, once).
    public init(capacity: Int) {
        precondition(capacity > 0, "JSONWriter capacity must be positive")
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    /// Starts a new document (keeps the storage).
    public func reset() {
        count = 0; overflowed = false; needsComma = 0; depth = 0
    }

    /// The document written so far (valid until the next write or reset).
    public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: storage, count: count) }

    /// Calls `body` with the written bytes.
    public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(bytes)
    }

    /// The document as a String (allocates; for tests and logs).
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    // MARK: structure

    /// Opens an object (`{`), as a value or array element.
    public func beginObject() { separator(); byte(0x7B); push() }
    /// Closes the current object.
    public func endObject() { pop(); byte(0x7D) }
    /// Opens an array (`[`).
    public func beginArray() { separator(); byte(0x5B); push() }
    /// Closes the current array.
    public func endArray() { pop(); byte(0x5D) }

    /// Writes `"name":` inside an object; the next value call writes the value.
    public func key(_ name: StaticString) {
        separator()
        byte(0x22)
        name.withUTF8Buffer { for b in $0 { byte(b) } }
        byte(0x22); byte(0x3A)
        suppressNextComma = true
    }

    /// Writes `"name":` for a runtime key (escaped).
    public func key(_ name: String) {
        separator()
        escaped(name)
        byte(0x3A)
        suppressNextComma = true
    }

    private var suppressNextComma = false

    // MARK: values

    /// Writes a JSON string, escaping quotes, backslashes and control characters.
    public func string(_ value: String) { separator(); escaped(value) }

    /// Writes a JSON string from a static string (no escaping needed for literals we control).
    public func string(_ value: StaticString) {
        separator(); byte(0x22)
        value.withUTF8Buffer { for b in $0 { escapeByte(b) } }
        byte(0x22)
    }

    /// Writes a signed integer.
    public func int(_ value: Int64) {
        separator()
        if value < 0 {
            byte(0x2D)
            // Magnitude as UInt64 handles Int64.min.
            unsigned(UInt64(bitPattern: 0 &- value))
        } else {
            unsigned(UInt64(value))
        }
    }

    /// Writes a signed integer.
    public func int(_ value: Int) { int(Int64(value)) }

    /// Writes an unsigned integer.
    public func uint(_ value: UInt64) { separator(); unsigned(value) }

    /// Writes `true`/`false`.
    public func bool(_ value: Bool) {
        separator()
        if value { raw("true") } else { raw("false") }
    }

    /// Writes `null`.
    public func null() { separator(); raw("null") }

    /// Writes a decimal number rounded to `decimals` places (0…6); NaN and
    /// infinities are written as `null` (JSON has no representation for them).
    public func number(_ value: Double, decimals: Int = 2) {
        separator()
        if !FixedDecimal.write(value, places: decimals, { byte($0) }) { raw("null") }
    }

    /// Writes raw bytes as a string value (already-known safe ASCII, e.g. a timestamp).
    public func string(ascii buffer: UnsafeBufferPointer<UInt8>) {
        separator(); byte(0x22)
        for b in buffer { escapeByte(b) }
        byte(0x22)
    }

    /// Writes UTF-8 bytes as a string value, escaping quotes, backslashes and control
    /// characters (the bytes must be valid UTF-8, e.g. a `StatusText`).
    public func string(utf8 buffer: UnsafeBufferPointer<UInt8>) { string(ascii: buffer) }

    /// Writes one JSON string value assembled by `body` from pieces (`appendEscaped`,
    /// `appendRaw`, `appendDecimal`), e.g. an id `{sensor}-{boot}-{seq}` without building a String.
    public func stringPieces(_ body: (JSONWriter) -> Void) {
        separator(); byte(0x22)
        body(self)
        byte(0x22)
    }

    /// Inside `stringPieces`: appends `text` escaped (no quotes).
    public func appendEscaped(_ text: String) {
        var t = text
        t.withUTF8 { for b in $0 { escapeByte(b) } }
    }

    /// Inside `stringPieces`: appends one byte as is (ASCII that needs no escaping).
    public func appendRaw(_ b: UInt8) { byte(b) }

    /// Inside `stringPieces`: appends a decimal number.
    public func appendDecimal(_ value: UInt64) { unsigned(value) }

    // MARK: internals

    private func push() {
        depth += 1
        if depth < 64 { needsComma &= ~(1 << UInt64(depth)) }
    }

    private func pop() { depth = max(depth - 1, 0) }

    private func separator() {
        if suppressNextComma { suppressNextComma = false; return }
        guard depth > 0, depth < 64 else { return }
        let bit: UInt64 = 1 << UInt64(depth)
        if needsComma & bit != 0 { byte(0x2C) } else { needsComma |= bit }
    }

    private func raw(_ text: StaticString) { text.withUTF8Buffer { for b in $0 { byte(b) } } }

    private func unsigned(_ value: UInt64) {
        DecimalDigits.write(value) { byte($0) }
    }

    private func escaped(_ value: String) {
        byte(0x22)
        var v = value
        v.withUTF8 { for b in $0 { escapeByte(b) } }
        byte(0x22)
    }

    private func escapeByte(_ b: UInt8) { JSONEscaping.write(b) { byte($0) } }

    @inline(__always)
    private func byte(_ b: UInt8) {
        guard count < capacity else { overflowed = true; return }
        storage[count] = b
        count += 1
    }
}
