// A parsed JSON document: values, numbers with their literal, objects in file order.

/// One JSON value (RFC 8259). Objects keep their members in document order.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The object, or nil for any other kind.
    public var object: JSONObject? { if case .object(let o) = self { o } else { nil } }
    /// The array, or nil for any other kind.
    public var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    /// The string, or nil for any other kind.
    public var string: String? { if case .string(let s) = self { s } else { nil } }
    /// The number, or nil for any other kind (`true`/`false` are not numbers).
    public var number: JSONNumber? { if case .number(let n) = self { n } else { nil } }
    /// The boolean, or nil for any other kind.
    public var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    /// True for `null`.
    public var isNull: Bool { if case .null = self { true } else { false } }
}

/// A JSON number: its value as the nearest `Double` and the literal exactly as written
/// (so integers beyond 2^53 and the user's spelling, e.g. "1.50", survive).
public struct JSONNumber: Sendable, Equatable {
    /// The value, correctly rounded to the nearest Double; always finite (the reader refuses
    /// literals beyond ±1.797e308).
    public var value: Double
    /// The literal as written in the document, e.g. "-12", "1.50", "2e3".
    public var literal: String

    /// A number from its literal (callers: the reader and tests).
    public init(value: Double, literal: String) {
        self.value = value
        self.literal = literal
    }

    /// True when the literal has neither fraction nor exponent ("12", "-0").
    public var isIntegerLiteral: Bool { !literal.utf8.contains { $0 == 0x2E || $0 == 0x65 || $0 == 0x45 } }

    /// The exact integer of an integer literal that fits in Int64; nil otherwise.
    public var int64: Int64? { isIntegerLiteral ? Int64(literal) : nil }
}

/// A JSON object: member names (unique; the reader refuses duplicates) and values in document order.
public struct JSONObject: Sendable, Equatable {
    /// Member names in document order.
    public private(set) var keys: [String] = []
    /// Member values, parallel to `keys`.
    public private(set) var values: [JSONValue] = []

    /// An empty object.
    public init() {}

    /// Number of members.
    public var count: Int { keys.count }

    /// The value of member `key`, or nil when there is no such member.
    public subscript(key: String) -> JSONValue? {
        guard let i = keys.firstIndex(of: key) else { return nil }
        return values[i]
    }

    /// Appends a member (the reader checks uniqueness before calling this).
    public mutating func append(key: String, value: JSONValue) {
        keys.append(key)
        values.append(value)
    }
}
