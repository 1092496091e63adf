// A strict JSON reader (RFC 8259) over UTF-8 bytes, without Foundation.
//
// Accepts exactly the RFC grammar: one value (any kind) with optional whitespace around it.
// Refuses what lenient parsers let through, each with line:column and what was expected:
// trailing commas, comments, single quotes, NaN/Infinity, leading zeros, "+1", ".5", "1.",
// unescaped control characters, bad escapes, unpaired UTF-16 surrogates, invalid UTF-8,
// duplicate member names, numbers beyond the Double range, nesting deeper than `maxDepth`.
// A leading UTF-8 byte-order mark is skipped (RFC 8259 §8.1 allows ignoring it).

/// Parses JSON text into a `JSONValue`.
public struct JSONReader {
    /// Default nesting limit (objects and arrays); deeper documents are refused, so a hostile
    /// input cannot exhaust the stack.
    public static let defaultMaxDepth = 64

    /// Parses `text` (one JSON value). - Throws: `JSONError` with line, column and what was expected.
    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    /// Parses UTF-8 `bytes` (one JSON value). - Throws: `JSONError` with line, column and what was expected.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONError) -> JSONValue {
        var reader = JSONReader(bytes: bytes, maxDepth: maxDepth)
        return try reader.document()
    }

    let bytes: [UInt8]
    let maxDepth: Int
    var pos = 0
    var depth = 0

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    static let valueKinds = "a value (object, array, string, number, true, false or null)"

    mutating func document() throws(JSONError) -> JSONValue {
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { pos = 3 }
        skipWhitespace()
        let v = try value()
        skipWhitespace()
        if pos < bytes.count { throw fail("expected end of input after the JSON value") }
        return v
    }

    // MARK: Values

    mutating func value() throws(JSONError) -> JSONValue {
        guard pos < bytes.count else { throw fail("expected " + Self.valueKinds) }
        switch bytes[pos] {
        case UInt8(ascii: "{"): return .object(try object())
        case UInt8(ascii: "["): return .array(try array())
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: throw fail("expected " + Self.valueKinds)
        }
    }

    /// `true`, `false` or `null`; the first letter has matched. Errors point at the first wrong letter.
    mutating func literal(_ word: StaticString) throws(JSONError) {
        for i in 0..<word.utf8CodeUnitCount {
            guard pos < bytes.count, bytes[pos] == word.utf8Start[i] else { throw fail("expected \(word)") }
            pos += 1
        }
    }

    mutating func enter() throws(JSONError) {
        depth += 1
        if depth > maxDepth { throw fail("nesting deeper than \(maxDepth) levels of objects and arrays") }
    }

    mutating func object() throws(JSONError) -> JSONObject {
        try enter()
        pos += 1  // {
        var out = JSONObject()
        var seen = Set<String>()
        skipWhitespace()
        if peek(UInt8(ascii: "}")) { pos += 1; depth -= 1; return out }
        while true {
            guard peek(UInt8(ascii: "\"")) else {
                throw fail(out.count == 0 ? "expected a member name in double quotes or '}'"
                    : peek(UInt8(ascii: "}")) ? "expected a member name after ',' (trailing commas are not allowed)"
                    : "expected a member name in double quotes")
            }
            let keyStart = pos
            let key = try string()
            if seen.contains(key) {
                pos = keyStart
                throw fail("duplicate member name \"\(key)\"; each name may appear once in an object", showFound: false)
            }
            seen.insert(key)
            skipWhitespace()
            guard peek(UInt8(ascii: ":")) else { throw fail("expected ':' after member name \"\(key)\"") }
            pos += 1
            skipWhitespace()
            out.append(key: key, value: try value())
            skipWhitespace()
            if peek(UInt8(ascii: ",")) { pos += 1; skipWhitespace(); continue }
            if peek(UInt8(ascii: "}")) { pos += 1; depth -= 1; return out }
            throw fail("expected ',' or '}' after the value of \"\(key)\"")
        }
    }

    mutating func array() throws(JSONError) -> [JSONValue] {
        try enter()
        pos += 1  // [
        var out: [JSONValue] = []
        skipWhitespace()
        if peek(UInt8(ascii: "]")) { pos += 1; depth -= 1; return out }
        while true {
            if !out.isEmpty && peek(UInt8(ascii: "]")) {
                throw fail("expected a value after ',' (trailing commas are not allowed)")
            }
            out.append(try value())
            skipWhitespace()
            if peek(UInt8(ascii: ",")) { pos += 1; skipWhitespace(); continue }
            if peek(UInt8(ascii: "]")) { pos += 1; depth -= 1; return out }
            throw fail("expected ',' or ']' after array element \(out.count)")
        }
    }

    // MARK: Strings

    mutating func string() throws(JSONError) -> String {
        pos += 1  // opening quote
        var out: [UInt8] = []
        while true {
            guard pos < bytes.count else { throw fail("expected '\"' to end the string") }
            let b = bytes[pos]
            switch b {
            case UInt8(ascii: "\""):
                pos += 1
                return String(decoding: out, as: UTF8.self)  // validated byte by byte below
            case UInt8(ascii: "\\"):
                try escape(into: &out)
            case 0..<0x20:
                throw fail("expected '\"' or a character; control characters must be escaped in strings (\\n, \\t, \\u00XX)")
            case 0x80...:
                let n = utf8Length(at: pos)
                guard n > 0 else { throw fail("invalid UTF-8 in a string; JSON text must be UTF-8") }
                out.append(contentsOf: bytes[pos..<pos + n])
                pos += n
            default:
                out.append(b)
                pos += 1
            }
        }
    }

    mutating func escape(into out: inout [UInt8]) throws(JSONError) {
        pos += 1  // backslash
        guard pos < bytes.count else { throw fail("expected an escape character after '\\'") }
        let c = bytes[pos]
        let simple: UInt8?
        switch c {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"): simple = nil
        default: throw fail("expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX after '\\'")
        }
        if let simple { out.append(simple); pos += 1; return }
        let escapeStart = pos - 1
        pos += 1
        var scalar = try hex4()
        if (0xDC00...0xDFFF).contains(scalar) {
            pos = escapeStart
            throw fail("unpaired low surrogate in \\u escape; a \\uDC00–\\uDFFF must follow a \\uD800–\\uDBFF",
                       showFound: false)
        }
        if (0xD800...0xDBFF).contains(scalar) {
            guard pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") else {
                pos = escapeStart
                throw fail("unpaired high surrogate in \\u escape; a \\uD800–\\uDBFF must be followed by \\uDC00–\\uDFFF",
                           showFound: false)
            }
            let lowStart = pos
            pos += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else {
                pos = lowStart
                throw fail("expected a low surrogate \\uDC00–\\uDFFF after the high surrogate", showFound: false)
            }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        // Every value here is a valid scalar (surrogates were combined or refused).
        out.append(contentsOf: Unicode.UTF8.encode(Unicode.Scalar(scalar)!)!)
    }

    mutating func hex4() throws(JSONError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard pos < bytes.count else { throw fail("expected 4 hexadecimal digits after \\u") }
            let b = bytes[pos]
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
            default: throw fail("expected 4 hexadecimal digits after \\u")
            }
            v = v << 4 | UInt32(d)
            pos += 1
        }
        return v
    }

    /// Length of the well-formed UTF-8 sequence starting at `i` (1…4), or 0 when it is not
    /// well-formed (stray continuation, overlong form, surrogate, beyond U+10FFFF, truncated).
    func utf8Length(at i: Int) -> Int {
        let b0 = bytes[i]
        let n: Int
        var lo: UInt8 = 0x80, hi: UInt8 = 0xBF  // allowed range of the second byte
        switch b0 {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: n = 2
        case 0xE0: n = 3; lo = 0xA0
        case 0xED: n = 3; hi = 0x9F
        case 0xE1...0xEC, 0xEE...0xEF: n = 3
        case 0xF0: n = 4; lo = 0x90
        case 0xF1...0xF3: n = 4
        case 0xF4: n = 4; hi = 0x8F
        default: return 0
        }
        guard i + n <= bytes.count, bytes[i + 1] >= lo, bytes[i + 1] <= hi else { return 0 }
        for k in 2..<n where bytes[i + k] & 0xC0 != 0x80 { return 0 }
        return n
    }

    // MARK: Numbers

    mutating func number() throws(JSONError) -> JSONNumber {
        let start = pos
        if peek(UInt8(ascii: "-")) { pos += 1 }
        guard pos < bytes.count, isDigit(bytes[pos]) else { throw fail("expected a digit after '-'") }
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
            if pos < bytes.count && isDigit(bytes[pos]) { throw fail("expected '.', 'e' or the end of the number; leading zeros are not allowed") }
        } else {
            while pos < bytes.count && isDigit(bytes[pos]) { pos += 1 }
        }
        if peek(UInt8(ascii: ".")) {
            pos += 1
            guard pos < bytes.count, isDigit(bytes[pos]) else { throw fail("expected a digit after '.'") }
            while pos < bytes.count && isDigit(bytes[pos]) { pos += 1 }
        }
        if peek(UInt8(ascii: "e")) || peek(UInt8(ascii: "E")) {
            pos += 1
            if peek(UInt8(ascii: "+")) || peek(UInt8(ascii: "-")) { pos += 1 }
            guard pos < bytes.count, isDigit(bytes[pos]) else { throw fail("expected a digit in the exponent") }
            while pos < bytes.count && isDigit(bytes[pos]) { pos += 1 }
        }
        let literal = String(decoding: bytes[start..<pos], as: UTF8.self)
        guard let value = Double(literal), value.isFinite else {
            pos = start
            throw fail("number \(literal.count > 40 ? String(literal.prefix(40)) + "…" : literal) is beyond the range of a 64-bit float (±1.797e308)",
                       showFound: false)
        }
        return JSONNumber(value: value, literal: literal)
    }

    // MARK: Helpers

    func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    func peek(_ b: UInt8) -> Bool { pos < bytes.count && bytes[pos] == b }

    mutating func skipWhitespace() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x09, 0x0A, 0x0D: pos += 1
            default: return
            }
        }
    }

    /// An error at `pos`: "MESSAGE, found X" with line and column.
    func fail(_ message: String, showFound: Bool = true) -> JSONError {
        var line = 1, column = 1
        for i in 0..<min(pos, bytes.count) {
            if bytes[i] == 0x0A { line += 1; column = 1 } else if bytes[i] & 0xC0 != 0x80 { column += 1 }
        }
        return JSONError(line: line, column: column, offset: pos,
                         message: showFound ? message + ", found " + found() : message)
    }

    /// The character at `pos` as a user would name it.
    func found() -> String {
        guard pos < bytes.count else { return "end of input" }
        let b = bytes[pos]
        switch b {
        case 0x0A: return "a line break"
        case 0x0D: return "a carriage return"
        case 0x09: return "a tab"
        case 0x00..<0x20, 0x7F: return "control character U+00" + hex2(b)
        case 0x20..<0x7F: return "'" + String(UnicodeScalar(b)) + "'"
        default:
            let n = utf8Length(at: pos)
            guard n > 0 else { return "byte 0x" + hex2(b) + " (not UTF-8)" }
            return "'" + String(decoding: bytes[pos..<pos + n], as: UTF8.self) + "'"
        }
    }

    func hex2(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        return String(decoding: [digits[Int(b >> 4)], digits[Int(b & 15)]], as: UTF8.self)
    }
}
