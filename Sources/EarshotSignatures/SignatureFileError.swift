// Errors of the signature-table file, one line each, naming file, entry and field.

/// A signature table could not be read or is invalid. `description` is one
/// line: `FILE: entry "NAME": field "FIELD" = VALUE: REASON`.
public struct SignatureFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (or "<default>" for the built-in table).
    public var file: String
    /// Entry name (or "#index" when the name itself is bad); nil for file-level errors.
    public var entry: String?
    /// JSON field name; nil for entry-level or file-level errors.
    public var field: String?
    /// The offending value as written, when there is one.
    public var value: String?
    /// What is wrong and what to do.
    public var reason: String

    public init(file: String, entry: String? = nil, field: String? = nil, value: String? = nil, reason: String) {
        self.file = file
        self.entry = entry
        self.field = field
        self.value = value
        self.reason = reason
    }

    public var description: String {
        var s = file + ": "
        if let entry { s += "entry \"\(entry)\": " }
        if let field {
            s += "field \"\(field)\""
            if let value { s += " = \(value)" }
            s += ": "
        }
        return s + reason
    }
}
