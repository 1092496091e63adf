// Syntax errors of the TOML subset, in the `file:line:column: message` form
// that editors and CI logs link to.

/// A TOML syntax or structure error at a position in a file.
public struct TOMLError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file name as given to the parser (used verbatim in the message).
    public var file: String
    /// Where the problem is.
    public var position: TOMLPosition
    /// What is wrong and, where possible, what to write instead.
    public var message: String

    public init(file: String, position: TOMLPosition, message: String) {
        self.file = file
        self.position = position
        self.message = message
    }

    /// `file:line:column: message`.
    public var description: String { "\(file):\(position.line):\(position.column): \(message)" }
}
