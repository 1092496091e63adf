// What a technician's command prints and how it exits, as a value a test can check.

/// Output lines (stdout) and the process exit status of a diagnostic command.
public struct DiagnosticOutput: Sendable, Equatable {
    /// Lines for stdout, without newlines.
    public var lines: [String]
    /// Process exit status (0 = success; see each command's `--help`).
    public var exitCode: Int32

    public init(lines: [String] = [], exitCode: Int32 = 0) {
        self.lines = lines
        self.exitCode = exitCode
    }

    /// All lines joined with newlines (trailing newline included when non-empty).
    public var text: String { lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n" }
}
