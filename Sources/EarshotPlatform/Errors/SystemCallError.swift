// A failed system call in words: which call, on what, and the system's reason.

/// A system call that failed: `call` ("pipe", "sigaction(15)", "socket"), `subject` (what it
/// was for: "signal self-pipe", "/run/earshot/outbox.log") and the `Errno`.
public struct SystemCallError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The call, with its distinguishing argument if any.
    public var call: String
    /// What the call was for.
    public var subject: String
    /// The system's error number.
    public var errno: Errno

    /// An error for `call` on `subject`.
    public init(call: String, subject: String, errno: Errno) {
        self.call = call
        self.subject = subject
        self.errno = errno
    }

    /// e.g. "signal self-pipe: pipe failed: Too many open files (errno 24)".
    public var description: String { "\(subject): \(call) failed: \(errno) (errno \(errno.rawValue))" }
}
