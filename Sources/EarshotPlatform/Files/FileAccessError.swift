// The one file error type of EarshotPlatform: which step failed on which path, and the
// system's reason. Callers phrase it for their users (a configuration file, a
// signature table), so every module keeps its own wording over one implementation.

/// A file-system step that failed. `path` is the file the step acted on (the
/// temporary `*.tmp` file for `create`, `write` and `flush`); `systemMessage` is
/// `strerror(errno)` ("" for `isDirectory` and `tooLarge`).
public struct FileAccessError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The step that failed.
    public enum Step: Equatable, Sendable {
        /// `open(2)` for reading failed.
        case open
        /// The path names a directory.
        case isDirectory
        /// `read(2)` failed.
        case read
        /// The file holds more than `limitBytes` bytes.
        case tooLarge(limitBytes: Int)
        /// The temporary file could not be created.
        case create
        /// Writing the temporary file failed.
        case write
        /// `fsync(2)` or `close(2)` of the temporary file failed.
        case flush
        /// Renaming the temporary file over the target failed.
        case rename
    }

    /// The file the step acted on.
    public var path: String
    /// What failed.
    public var step: Step
    /// The system's reason, e.g. "No such file or directory".
    public var systemMessage: String

    /// Creates an error for `step` on `path`.
    public init(path: String, step: Step, systemMessage: String) {
        self.path = path
        self.step = step
        self.systemMessage = systemMessage
    }

    /// Creates an error for `step` on `path` whose reason is `errno`.
    public init(path: String, step: Step, errno: Errno) {
        self.init(path: path, step: step, systemMessage: errno.description)
    }

    /// One line naming the path and the reason, e.g. "cannot open /etc/x.toml: No such file or directory".
    public var description: String {
        switch step {
        case .open: return "cannot open \(path): \(systemMessage)"
        case .isDirectory: return "cannot read \(path): it is a directory"
        case .read: return "cannot read \(path): \(systemMessage)"
        case .tooLarge(let limit): return "\(path) is larger than \(limit) bytes"
        case .create: return "cannot create \(path): \(systemMessage)"
        case .write: return "cannot write \(path): \(systemMessage)"
        case .flush: return "cannot flush \(path): \(systemMessage)"
        case .rename: return "cannot replace \(path): \(systemMessage)"
        }
    }
}
