// Errors of board and site files: every message names the file, the field and
// the value, and says what is allowed.

/// One problem in a configuration file.
public struct ConfigIssue: Equatable, Sendable, CustomStringConvertible {
    /// The file as named to the loader (`site.toml`, `Boards/generic.toml`).
    public var file: String
    /// The dotted field (`mqtt.port`), or nil for whole-file problems.
    public var field: String?
    /// The offending value as TOML text (`70000`, `"v4"`), or nil.
    public var value: String?
    /// Where in the file, when known (syntax errors, unknown keys).
    public var position: TOMLPosition?
    /// What is wrong and what is allowed.
    public var message: String

    public init(file: String, field: String? = nil, value: String? = nil, position: TOMLPosition? = nil, message: String) {
        self.file = file
        self.field = field
        self.value = value
        self.position = position
        self.message = message
    }

    /// `file: field = value: message`, or `file:line:column: message` for
    /// syntax errors (no field).
    public var description: String {
        var head = file
        if field == nil, let p = position { head += ":\(p.line):\(p.column)" }
        guard let field else { return "\(head): \(message)" }
        var s = "\(head): \(field)"
        if let value { s += " = \(value)" }
        if let p = position { s += " (line \(p.line))" }
        return s + ": " + message
    }
}

/// A configuration file that cannot be used: one or more issues.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Every problem found (the loader keeps going after the first).
    public var issues: [ConfigIssue]

    public init(_ issues: [ConfigIssue]) { self.issues = issues }

    /// One issue per line.
    public var description: String { issues.map(\.description).joined(separator: "\n") }

    /// A syntax error as a configuration error.
    init(_ e: TOMLError) {
        self.issues = [ConfigIssue(file: e.file, position: e.position, message: e.message)]
    }
}
