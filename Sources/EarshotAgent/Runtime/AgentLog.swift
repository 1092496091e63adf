// One-line log messages on stderr, written with write(2) (unbuffered: a line
// is in the pipe before the next instruction, even if the process is then killed).
import EarshotConfig
import EarshotPlatform
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Leveled logger writing `earshot: <level>: <text>` lines to stderr.
public final class AgentLog: Sendable {
    private let threshold = Atomic<UInt8>(2)

    /// A logger printing `level` and more severe messages.
    public init(level: LoggingSettings.Level) { setLevel(level) }

    /// Changes the level (SIGHUP reload).
    public func setLevel(_ level: LoggingSettings.Level) { threshold.store(Self.rank(level), ordering: .relaxed) }

    static func rank(_ level: LoggingSettings.Level) -> UInt8 {
        switch level {
        case .error: 0
        case .warning: 1
        case .info: 2
        case .debug: 3
        }
    }

    /// True when messages of `level` are printed.
    public func enabled(_ level: LoggingSettings.Level) -> Bool { Self.rank(level) <= threshold.load(ordering: .relaxed) }

    public func error(_ text: @autoclosure () -> String) { log(.error, text()) }
    public func warning(_ text: @autoclosure () -> String) { log(.warning, text()) }
    public func info(_ text: @autoclosure () -> String) { log(.info, text()) }
    public func debug(_ text: @autoclosure () -> String) { log(.debug, text()) }

    /// Writes `earshot: <level>: text` if `level` is enabled.
    public func log(_ level: LoggingSettings.Level, _ text: @autoclosure () -> String) {
        guard enabled(level) else { return }
        Self.write("earshot: \(level.rawValue): \(text())\n")
    }

    /// Writes `line` to stderr as one write(2) call (lines up to PIPE_BUF stay whole).
    public static func write(_ line: String) {
        StandardError.write(line)
    }
}
