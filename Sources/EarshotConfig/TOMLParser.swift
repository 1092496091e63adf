// A strict parser for the TOML subset Earshot's board and site files use.
//
// Supported: comments, `[table]` and `[table.sub]` headers, `[[array.of.tables]]`,
// bare / "basic" / 'literal' keys and dotted keys, basic strings with escapes,
// literal strings, decimal integers (with `_` separators), floats, booleans,
// arrays (nested, multi-line, trailing comma, comments inside).
// Rejected with `file:line:column: message`: everything else — multi-line
// strings, inline tables, dates and times, hex/octal/binary integers, inf/nan,
// duplicate keys, tables defined twice.

struct TOMLParser {
    let b: [UInt8]
    let file: String
    private var i = 0
    private var line = 1
    private var lineStart = 0

    var root = TOMLTable()
    var valueSpans: [[String]: Range<Int>] = [:]
    var tableEnds: [[String]: Int] = [:]
    /// Path of the table that key/value lines currently go to.
    private var current: [String] = []
    /// True when `current` passes through an array of tables (no spans kept).
    private var currentIsDynamic = false
    /// Arrays open around the value being parsed.
    private var arrayDepth = 0
    /// Deepest array nesting accepted (a board's positions need 2): deeper input,
    /// e.g. a corrupt or hostile file of '[' bytes, is refused instead of
    /// exhausting the stack (found by `make fuzz`, target config).
    static let maxArrayDepth = 32

    init(bytes: [UInt8], file: String) {
        self.b = bytes
        self.file = file
    }

    // MARK: - Positions and errors

    private var position: TOMLPosition { TOMLPosition(line: line, column: i - lineStart + 1) }

    private func error(_ message: String, at pos: TOMLPosition? = nil) -> TOMLError {
        TOMLError(file: file, position: pos ?? position, message: message)
    }

    private var eof: Bool { i >= b.count }
    private func peek(_ k: Int = 0) -> UInt8? { i + k < b.count ? b[i + k] : nil }

    private func describe(_ c: UInt8?) -> String {
        guard let c else { return "end of file" }
        switch c {
        case 0x0A, 0x0D: return "end of line"
        case 0x20...0x7E: return "'\(Character(UnicodeScalar(c)))'"
        default: return "byte 0x" + String(c, radix: 16)
        }
    }

    // MARK: - Lines

    mutating func parseDocument() throws(TOMLError) {
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3; lineStart = 3 }
        tableEnds[[]] = i
        while true {
            skipSpaces()
            guard let c = peek() else { break }
            if c == 0x23 || c == 0x0A || c == 0x0D {  // '#', blank line
                try endOfLine()
                continue
            }
            if c == 0x5B {  // '['
                try parseHeader()
            } else {
                try parseKeyValue()
            }
            try endOfLine()
            if !currentIsDynamic { tableEnds[current] = i }
        }
    }

    private mutating func skipSpaces() {
        while let c = peek(), c == 0x20 || c == 0x09 { i += 1 }
    }

    /// Consumes optional spaces and comment, then a newline or end of file.
    private mutating func endOfLine() throws(TOMLError) {
        skipSpaces()
        if peek() == 0x23 { try skipComment() }
        guard let c = peek() else { return }
        if c == 0x0A {
            i += 1
        } else if c == 0x0D && peek(1) == 0x0A {
            i += 2
        } else {
            throw error("expected end of line, found \(describe(c))")
        }
        line += 1
        lineStart = i
    }

    private mutating func skipComment() throws(TOMLError) {
        while let c = peek(), c != 0x0A {
            if c == 0x0D && peek(1) == 0x0A { break }
            if (c < 0x20 && c != 0x09) || c == 0x7F {
                throw error("control character \(describe(c)) in comment")
            }
            i += 1
        }
    }

    /// Skips spaces, newlines and comments (inside arrays).
    private mutating func skipBlank() throws(TOMLError) {
        while true {
            skipSpaces()
            guard let c = peek() else { return }
            if c == 0x23 {
                try skipComment()
            } else if c == 0x0A || (c == 0x0D && peek(1) == 0x0A) {
                try endOfLine()
            } else {
                return
            }
        }
    }

    // MARK: - Headers

    private mutating func parseHeader() throws(TOMLError) {
        let start = position
        i += 1
        let isArray = peek() == 0x5B
        if isArray { i += 1 }
        skipSpaces()
        let path = try parseKeyPath()
        skipSpaces()
        guard peek() == 0x5D else { throw error("expected ']' to close the table header, found \(describe(peek()))") }
        i += 1
        if isArray {
            guard peek() == 0x5D else { throw error("expected ']]' to close the array-of-tables header") }
            i += 1
        }
        try Self.openTable(&root, path[...], isArray: isArray, at: start, parser: self)
        current = path
        currentIsDynamic = isArray || pathIsDynamic(path)
    }

    /// True when some prefix of `path` (excluding itself) is an array of tables.
    private func pathIsDynamic(_ path: [String]) -> Bool {
        var t = root
        for k in path.dropLast() {
            guard let e = t.entry(k) else { return false }
            if e.isArrayOfTables { return true }
            guard case .table(let sub) = e.value else { return false }
            t = sub
        }
        return false
    }

    private static func openTable(_ t: inout TOMLTable, _ path: ArraySlice<String>, isArray: Bool,
                                  at pos: TOMLPosition, parser: TOMLParser) throws(TOMLError) {
        let k = path.first!
        let shown = "[" + (isArray ? "[" : "") + path.map(TOMLValue.keyText).joined(separator: ".")
        if path.count == 1 {
            guard let e = t.entry(k) else {
                var entry = TOMLTable.Entry(value: isArray ? .array([.table(TOMLTable())]) : .table(TOMLTable()), position: pos)
                entry.isArrayOfTables = isArray
                entry.isDefinedByHeader = !isArray
                t.insert(k, entry)
                return
            }
            if isArray {
                guard e.isArrayOfTables, case .array(var arr) = e.value else {
                    throw parser.error("`\(k)` is already defined (line \(e.position.line)) as \(e.value.typeName); it cannot also be an array of tables", at: pos)
                }
                arr.append(.table(TOMLTable()))
                t.modify(k) { $0.value = .array(arr) }
                return
            }
            guard case .table = e.value, !e.isArrayOfTables else {
                throw parser.error("`\(k)` is already defined (line \(e.position.line)) as \(e.isArrayOfTables ? "an array of tables" : e.value.typeName); it cannot also be a table", at: pos)
            }
            if e.isDefinedByHeader {
                throw parser.error("table \(shown)] is defined twice (first at line \(e.position.line))", at: pos)
            }
            if e.isFromDottedKey {
                throw parser.error("table \(shown)] was already created by dotted keys (line \(e.position.line)); put those keys under this header instead", at: pos)
            }
            t.modify(k) { $0.isDefinedByHeader = true; $0.isImplicit = false }
            return
        }
        // Intermediate component: create implicitly, or descend.
        if t.entry(k) == nil {
            var entry = TOMLTable.Entry(value: .table(TOMLTable()), position: pos)
            entry.isImplicit = true
            t.insert(k, entry)
        }
        let e = t.entry(k)!
        switch e.value {
        case .table(var sub):
            try openTable(&sub, path.dropFirst(), isArray: isArray, at: pos, parser: parser)
            t.modify(k) { $0.value = .table(sub) }
        case .array(var arr) where e.isArrayOfTables:
            guard case .table(var sub) = arr[arr.count - 1] else { fatalError("array of tables holds a table") }
            try openTable(&sub, path.dropFirst(), isArray: isArray, at: pos, parser: parser)
            arr[arr.count - 1] = .table(sub)
            t.modify(k) { $0.value = .array(arr) }
        default:
            throw parser.error("`\(k)` is already defined (line \(e.position.line)) as \(e.value.typeName); it cannot also be a table", at: pos)
        }
    }

    // MARK: - Keys

    private mutating func parseKeyPath() throws(TOMLError) -> [String] {
        var path = [try parseKey()]
        while true {
            skipSpaces()
            guard peek() == 0x2E else { return path }  // '.'
            i += 1
            skipSpaces()
            path.append(try parseKey())
        }
    }

    private mutating func parseKey() throws(TOMLError) -> String {
        guard let c = peek() else { throw error("expected a key, found end of file") }
        if c == 0x22 {
            if peek(1) == 0x22 && peek(2) == 0x22 { throw error("multi-line strings cannot be keys") }
            return try parseBasicString()
        }
        if c == 0x27 {
            if peek(1) == 0x27 && peek(2) == 0x27 { throw error("multi-line strings cannot be keys") }
            return try parseLiteralString()
        }
        let start = i
        while let c = peek(), TOMLValue.isBareKeyByte(c) { i += 1 }
        if i == start {
            throw error("expected a key (letters, digits, '_' or '-', or a quoted key), found \(describe(c))")
        }
        return String(decoding: b[start..<i], as: UTF8.self)
    }

    // MARK: - Key/value lines

    private mutating func parseKeyValue() throws(TOMLError) {
        let keyPos = position
        let keys = try parseKeyPath()
        skipSpaces()
        guard peek() == 0x3D else {
            throw error("expected '=' after key `\(keys.joined(separator: "."))`, found \(describe(peek()))")
        }
        i += 1
        skipSpaces()
        if eof || peek() == 0x0A || peek() == 0x0D || peek() == 0x23 {
            throw error("expected a value after '='")
        }
        let valueStart = i
        let value = try parseValue()
        let span = valueStart..<i
        try Self.insertValue(&root, tablePath: current[...], keys: keys[...], value: value, at: keyPos, parser: self)
        if !currentIsDynamic { valueSpans[current + keys] = span }
    }

    private static func insertValue(_ t: inout TOMLTable, tablePath: ArraySlice<String>, keys: ArraySlice<String>,
                                    value: TOMLValue, at pos: TOMLPosition, parser: TOMLParser) throws(TOMLError) {
        if let k = tablePath.first {
            // Walk to the current table (exists: its header created it).
            let e = t.entry(k)!
            switch e.value {
            case .table(var sub):
                try insertValue(&sub, tablePath: tablePath.dropFirst(), keys: keys, value: value, at: pos, parser: parser)
                t.modify(k) { $0.value = .table(sub) }
            case .array(var arr):
                guard case .table(var sub) = arr[arr.count - 1] else { fatalError("array of tables holds a table") }
                try insertValue(&sub, tablePath: tablePath.dropFirst(), keys: keys, value: value, at: pos, parser: parser)
                arr[arr.count - 1] = .table(sub)
                t.modify(k) { $0.value = .array(arr) }
            default:
                fatalError("current table path names a table")
            }
            return
        }
        let k = keys.first!
        if keys.count == 1 {
            if let e = t.entry(k) {
                throw parser.error("duplicate key `\(k)` (first defined at line \(e.position.line))", at: pos)
            }
            t.insert(k, TOMLTable.Entry(value: value, position: pos))
            return
        }
        if t.entry(k) == nil {
            var entry = TOMLTable.Entry(value: .table(TOMLTable()), position: pos)
            entry.isFromDottedKey = true
            t.insert(k, entry)
        }
        let e = t.entry(k)!
        guard case .table(var sub) = e.value, e.isFromDottedKey else {
            throw parser.error("`\(k)` is already defined (line \(e.position.line)) as \(e.isArrayOfTables ? "an array of tables" : e.value.typeName); dotted keys cannot extend it", at: pos)
        }
        try insertValue(&sub, tablePath: [], keys: keys.dropFirst(), value: value, at: pos, parser: parser)
        t.modify(k) { $0.value = .table(sub) }
    }

    // MARK: - Values

    private mutating func parseValue() throws(TOMLError) -> TOMLValue {
        guard let c = peek() else { throw error("expected a value, found end of file") }
        switch c {
        case 0x22:  // "
            if peek(1) == 0x22 && peek(2) == 0x22 {
                throw error("multi-line strings (\"\"\") are not supported; use one line with \\n escapes")
            }
            return .string(try parseBasicString())
        case 0x27:  // '
            if peek(1) == 0x27 && peek(2) == 0x27 {
                throw error("multi-line literal strings (''') are not supported; use one line")
            }
            return .string(try parseLiteralString())
        case 0x5B:  // [
            return try parseArray()
        case 0x7B:  // {
            throw error("inline tables ({ … }) are not supported; use a [table] section")
        case 0x74, 0x66:  // t, f
            if matchWord("true") { return .boolean(true) }
            if matchWord("false") { return .boolean(false) }
            throw error("expected a value (string, number, boolean or array), found \(describe(c))")
        case 0x30...0x39, 0x2B, 0x2D, 0x69, 0x6E:  // digits, + - i n
            return try parseNumber()
        default:
            throw error("expected a value (string, number, boolean or array), found \(describe(c))")
        }
    }

    private mutating func matchWord(_ w: String) -> Bool {
        let u = Array(w.utf8)
        guard i + u.count <= b.count, Array(b[i..<(i + u.count)]) == u else { return false }
        if let n = peek(u.count), TOMLValue.isBareKeyByte(n) || n == 0x2E { return false }
        i += u.count
        return true
    }

    private mutating func parseArray() throws(TOMLError) -> TOMLValue {
        let open = position
        guard arrayDepth < Self.maxArrayDepth else {
            throw error("arrays nested deeper than \(Self.maxArrayDepth) levels; Earshot's files need at most 2")
        }
        arrayDepth += 1
        defer { arrayDepth -= 1 }
        i += 1
        var items: [TOMLValue] = []
        while true {
            try skipBlank()
            guard let c = peek() else { throw error("unterminated array (opened at line \(open.line), column \(open.column)): expected ']'") }
            if c == 0x5D { i += 1; return .array(items) }
            items.append(try parseValue())
            try skipBlank()
            guard let d = peek() else { throw error("unterminated array (opened at line \(open.line), column \(open.column)): expected ']'") }
            if d == 0x2C { i += 1; continue }
            if d == 0x5D { i += 1; return .array(items) }
            throw error("expected ',' or ']' in array, found \(describe(d))")
        }
    }

    private mutating func parseBasicString() throws(TOMLError) -> String {
        let open = position
        i += 1
        var out: [UInt8] = []
        while true {
            guard let c = peek() else { throw error("unterminated string: expected a closing '\"'", at: open) }
            if c == 0x22 { i += 1; break }
            if c == 0x0A || c == 0x0D { throw error("unterminated string: add the closing '\"' (strings end on the same line)", at: open) }
            if (c < 0x20 && c != 0x09) || c == 0x7F { throw error("control character \(describe(c)) in string; use an escape such as \\t or \\u0001") }
            if c != 0x5C { out.append(c); i += 1; continue }
            let escPos = position
            i += 1
            guard let e = peek() else { throw error("unterminated escape at end of file") }
            i += 1
            switch e {
            case 0x62: out.append(0x08)  // \b
            case 0x74: out.append(0x09)  // \t
            case 0x6E: out.append(0x0A)  // \n
            case 0x66: out.append(0x0C)  // \f
            case 0x72: out.append(0x0D)  // \r
            case 0x22: out.append(0x22)
            case 0x5C: out.append(0x5C)
            case 0x75, 0x55:  // \u XXXX, \U XXXXXXXX
                let n = e == 0x75 ? 4 : 8
                guard i + n <= b.count, let v = UInt32(String(decoding: b[i..<(i + n)], as: UTF8.self), radix: 16),
                      let scalar = Unicode.Scalar(v) else {
                    throw error("invalid \\\(e == 0x75 ? "u" : "U") escape: expected \(n) hex digits naming a Unicode scalar", at: escPos)
                }
                i += n
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw error("invalid escape \\\(Character(UnicodeScalar(e))); allowed: \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX", at: escPos)
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw error("string is not valid UTF-8", at: open) }
        return s
    }

    private mutating func parseLiteralString() throws(TOMLError) -> String {
        let open = position
        i += 1
        let start = i
        while true {
            guard let c = peek() else { throw error("unterminated literal string: expected a closing \"'\"", at: open) }
            if c == 0x27 { break }
            if c == 0x0A || c == 0x0D { throw error("unterminated literal string: add the closing \"'\" (strings end on the same line)", at: open) }
            if (c < 0x20 && c != 0x09) || c == 0x7F { throw error("control character \(describe(c)) in literal string") }
            i += 1
        }
        let bytes = b[start..<i]
        i += 1
        guard let s = String(validating: bytes, as: UTF8.self) else { throw error("string is not valid UTF-8", at: open) }
        return s
    }

    private mutating func parseNumber() throws(TOMLError) -> TOMLValue {
        let pos = position
        let start = i
        while let c = peek(), TOMLValue.isBareKeyByte(c) || c == 0x2B || c == 0x2E || c == 0x3A { i += 1 }
        let tok = String(decoding: b[start..<i], as: UTF8.self)
        let f = file
        let bad = { (why: String) -> TOMLError in TOMLError(file: f, position: pos, message: "invalid number `\(tok)`: \(why)") }
        let body = tok.hasPrefix("+") || tok.hasPrefix("-") ? String(tok.dropFirst()) : tok
        if body == "inf" || body == "nan" {
            throw bad("inf and nan are not accepted in Earshot configuration")
        }
        if tok.contains(":") || (tok.count >= 10 && tok.utf8.count(where: { $0 == 0x2D }) >= 2 && !tok.contains("e")) {
            throw error("dates and times are not supported; write durations as numbers with a unit in the key (e.g. `cooldown_ms = 5000`)", at: pos)
        }
        if body.hasPrefix("0x") || body.hasPrefix("0o") || body.hasPrefix("0b") {
            throw bad("hexadecimal, octal and binary integers are not supported; write the decimal value")
        }
        let u = Array(body.utf8)
        guard !u.isEmpty else { throw bad("expected digits") }
        // Underscores only between two digits.
        for (k, c) in u.enumerated() where c == 0x5F {
            let isDigit = { (x: UInt8) in x >= 0x30 && x <= 0x39 }
            if k == 0 || k == u.count - 1 || !isDigit(u[k - 1]) || !isDigit(u[k + 1]) {
                throw bad("'_' must sit between two digits")
            }
        }
        let digits = String(decoding: u.filter { $0 != 0x5F }, as: UTF8.self)
        // Grammar: int-part [ '.' digits ] [ (e|E) [+-] digits ]
        let d = Array(digits.utf8)
        var k = 0
        func isDigit(_ x: UInt8) -> Bool { x >= 0x30 && x <= 0x39 }
        let intStart = k
        while k < d.count, isDigit(d[k]) { k += 1 }
        if k == intStart { throw bad("expected a digit") }
        if k - intStart > 1 && d[intStart] == 0x30 { throw bad("leading zeros are not allowed") }
        var isFloat = false
        if k < d.count && d[k] == 0x2E {
            isFloat = true
            k += 1
            let f = k
            while k < d.count, isDigit(d[k]) { k += 1 }
            if k == f { throw bad("expected digits after '.'") }
        }
        if k < d.count && (d[k] == 0x65 || d[k] == 0x45) {
            isFloat = true
            k += 1
            if k < d.count && (d[k] == 0x2B || d[k] == 0x2D) { k += 1 }
            let f = k
            while k < d.count, isDigit(d[k]) { k += 1 }
            if k == f { throw bad("expected digits in the exponent") }
        }
        if k != d.count { throw bad("unexpected \(describe(d[k]))") }
        let signed = (tok.hasPrefix("-") ? "-" : "") + digits
        if isFloat {
            guard let v = Double(signed), v.isFinite else { throw bad("out of range for a 64-bit float") }
            return .float(v)
        }
        guard let v = Int64(signed) else { throw bad("out of range for a 64-bit integer") }
        return .integer(v)
    }
}
