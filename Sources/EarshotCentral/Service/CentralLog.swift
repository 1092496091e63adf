// The centre's log: one line per write(2) on stderr, so lines of threads never interleave.
import EarshotPlatform

/// Where the centre's messages go. `warning` and `info` prefix `earshot-central:`.
public struct CentralLog: Sendable {
    /// Receives each finished line (without the newline); default: stderr.
    public var sink: @Sendable (String) -> Void

    /// A log writing to stderr.
    public init(sink: @escaping @Sendable (String) -> Void = CentralLog.standardError) { self.sink = sink }

    /// Writes `line` + newline to fd 2 in one write(2).
    @Sendable public static func standardError(_ line: String) {
        StandardError.writeLine(line)
    }

    /// `earshot-central: warning: …`.
    public func warning(_ text: String) { sink("earshot-central: warning: \(text)") }
    /// `earshot-central: …`.
    public func info(_ text: String) { sink("earshot-central: \(text)") }
}
