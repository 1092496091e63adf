// The document model of Earshot's TOML subset: values, tables and the source
// positions that error messages and the in-place writer need.

/// A position in a source file: 1-based line and column (column counted in
/// UTF-8 bytes, which equals characters for the ASCII that config files use).
public struct TOMLPosition: Equatable, Sendable, CustomStringConvertible {
    /// 1-based line number.
    public var line: Int
    /// 1-based column number (UTF-8 bytes).
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// A TOML value. Integers are 64-bit; floats are finite doubles (the parser
/// rejects `inf` and `nan`).
public indirect enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    case array([TOMLValue])
    case table(TOMLTable)

    /// The value spelled as TOML (strings quoted and escaped), for messages
    /// and for the writer. Tables render inline as `{…}` (messages only).
    public var tomlText: String {
        switch self {
        case .string(let s): return TOMLValue.quoted(s)
        case .integer(let i): return String(i)
        case .float(let d): return TOMLValue.floatText(d)
        case .boolean(let b): return b ? "true" : "false"
        case .array(let a): return "[" + a.map(\.tomlText).joined(separator: ", ") + "]"
        case .table(let t):
            return "{" + t.keys.map { "\(TOMLValue.keyText($0)) = \(t[$0]!.tomlText)" }.joined(separator: ", ") + "}"
        }
    }

    /// A name for the value's type, as used in error messages.
    public var typeName: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a float"
        case .boolean: return "a boolean"
        case .array: return "an array"
        case .table: return "a table"
        }
    }

    /// `s` as a TOML basic string with the escapes TOML requires.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let hex = String(u.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// A key as TOML: bare when it only has `A-Za-z0-9_-`, quoted otherwise.
    public static func keyText(_ key: String) -> String {
        let bare = !key.isEmpty && key.utf8.allSatisfy(TOMLValue.isBareKeyByte)
        return bare ? key : quoted(key)
    }

    /// A float that reads back as a float (always has `.` or `e`), shortest
    /// round-tripping digits.
    public static func floatText(_ d: Double) -> String {
        var s = "\(d)"
        if !s.contains(".") && !s.contains("e") && !s.contains("n") && !s.contains("i") { s += ".0" }
        return s
    }

    static func isBareKeyByte(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D
    }
}

/// An ordered TOML table: keys in document order, each with the position of
/// its key (for messages naming a line).
public struct TOMLTable: Equatable, Sendable {
    /// One key's value and where the key was written.
    public struct Entry: Equatable, Sendable {
        public var value: TOMLValue
        public var position: TOMLPosition
        /// True for `[[name]]` arrays (they may grow), false for literal arrays.
        var isArrayOfTables: Bool = false
        /// True for tables created implicitly by a dotted header or key (they
        /// may still be defined once by their own `[header]`).
        var isImplicit: Bool = false
        /// True for tables defined by `[header]` or created by dotted keys in
        /// a key/value line (those are closed to a later `[header]`).
        var isDefinedByHeader: Bool = false
        var isFromDottedKey: Bool = false
    }

    /// Keys in the order they first appeared.
    public private(set) var keys: [String] = []
    private var entries: [String: Entry] = [:]

    public init() {}

    /// The value of `key`, or nil.
    public subscript(key: String) -> TOMLValue? { entries[key]?.value }

    /// The entry (value and position) of `key`, or nil.
    public func entry(_ key: String) -> Entry? { entries[key] }

    /// True when the table has no keys.
    public var isEmpty: Bool { keys.isEmpty }

    mutating func insert(_ key: String, _ entry: Entry) {
        if entries[key] == nil { keys.append(key) }
        entries[key] = entry
    }

    mutating func modify<R>(_ key: String, _ body: (inout Entry) throws -> R) rethrows -> R {
        try body(&entries[key]!)
    }

    /// The value at a dotted path of table keys (`["microphone", "positions_m"]`).
    public func value(at path: [String]) -> TOMLValue? {
        guard let first = path.first, let v = self[first] else { return nil }
        if path.count == 1 { return v }
        guard case .table(let t) = v else { return nil }
        return t.value(at: Array(path.dropFirst()))
    }
}
