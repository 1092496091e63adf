// Errors of the JSON reader: where (line, column) and what was expected.

/// Malformed JSON. `description` is one line: `line L, column C: expected …, found …`.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line of the offending character.
    public var line: Int
    /// 1-based column of the offending character, in Unicode scalars from the line start.
    public var column: Int
    /// 0-based byte offset of the offending character in the UTF-8 input.
    public var offset: Int
    /// What is wrong, e.g. `expected ',' or '}' after the value of "kind", found ']'`.
    public var message: String

    /// An error at a known position (callers: the reader and tests).
    public init(line: Int, column: Int, offset: Int, message: String) {
        self.line = line
        self.column = column
        self.offset = offset
        self.message = message
    }

    public var description: String { "line \(line), column \(column): \(message)" }
}
