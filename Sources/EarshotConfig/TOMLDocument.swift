// A parsed TOML file: the value tree plus the source spans the in-place
// writer uses to change one value without touching comments or layout.

/// A parsed TOML document: its root table, and where each key/value line and
/// table header sits in the source bytes.
public struct TOMLDocument: Equatable, Sendable {
    /// The file name used in error messages.
    public var file: String
    /// The root table.
    public var root: TOMLTable
    /// For every key/value pair whose path is static (not under `[[…]]`):
    /// the full dotted path → byte range of the value text in the source.
    var valueSpans: [[String]: Range<Int>] = [:]
    /// For every `[header]` (not `[[…]]`): the table path → byte offset just
    /// past the end of the last line that belongs to it (header or key line).
    var tableEnds: [[String]: Int] = [:]

    /// Parses `text`; `file` is used in error messages.
    public init(parsing text: String, file: String) throws(TOMLError) {
        var parser = TOMLParser(bytes: Array(text.utf8), file: file)
        try parser.parseDocument()
        self.file = file
        self.root = parser.root
        self.valueSpans = parser.valueSpans
        self.tableEnds = parser.tableEnds
    }
}
