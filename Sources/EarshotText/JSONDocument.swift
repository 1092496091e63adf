// JSONWriter conveniences for the CLI's JSON lines and small HTTP replies (allocating:
// not for the telemetry hot path, which keeps one writer per payload kind).

extension JSONWriter {
    /// Most bytes `string(text)` or `key(text)` can write for `text`: 6 per UTF-8 byte (a
    /// control byte becomes `\u00XX`) plus the two quotes. Sizes a document from its inputs.
    public static func maxStringBytes(_ text: String) -> Int { 6 * text.utf8.count + 2 }

    /// Most bytes one `number(_:decimals:)` or `int(_:)` writes (sign, 19 digits, point,
    /// 6 decimals, rounded up), for sizing a document.
    public static let maxNumberBytes = 32

    /// One compact JSON document written by `body` into a fresh writer of `capacity` bytes,
    /// returned as a String (allocates). Size `capacity` from the input (`maxStringBytes`,
    /// `maxNumberBytes`): a document that does not fit traps — truncated JSON is never returned.
    public static func document(capacity: Int, _ body: (JSONWriter) -> Void) -> String {
        let w = JSONWriter(capacity: capacity)
        body(w)
        precondition(!w.overflowed, "JSON document larger than its buffer")
        return w.string
    }

    /// Writes `value` rounded to `decimals` places, or `null` when it is nil (and, as
    /// `number(_:decimals:)`, when it is NaN or infinite).
    public func number(_ value: Double?, decimals: Int) {
        if let value { number(value, decimals: decimals) } else { null() }
    }
}
