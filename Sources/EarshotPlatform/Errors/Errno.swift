// The system's error numbers as one Swift type: every module that reports a failed
// system call names the call and an `Errno`, whose text comes from here alone.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A POSIX error number (`errno`), e.g. `ENOSPC` = 28 on Linux. `description` is the
/// C library's message ("No space left on device"), read with the thread-safe `strerror_r`.
public struct Errno: Error, Hashable, Sendable, CustomStringConvertible {
    /// The number, as `errno` holds it.
    public var rawValue: Int32

    /// The error numbered `rawValue`.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The calling thread's `errno` now (read it right after the failed call).
    public static var current: Errno { Errno(rawValue: errno) }

    /// `EINTR`: a signal interrupted the call; it is retried.
    public static let interrupted = Errno(rawValue: EINTR)
    /// `ENOSPC`: the file system is full.
    public static let noSpace = Errno(rawValue: ENOSPC)
    /// `ENOENT`: no such file or directory.
    public static let noSuchFile = Errno(rawValue: ENOENT)
    /// `EEXIST`: the file exists.
    public static let exists = Errno(rawValue: EEXIST)
    /// `EPERM`: the operation is not permitted (e.g. a systemd sandbox refused it).
    public static let notPermitted = Errno(rawValue: EPERM)
    /// `EAGAIN`: try again (e.g. the thread limit was reached).
    public static let tryAgain = Errno(rawValue: EAGAIN)

    /// The C library's message for the number, e.g. "No such file or directory".
    public var description: String {
        var buffer = [CChar](repeating: 0, count: 128)
        let rc = buffer.withUnsafeMutableBufferPointer { strerror_r(rawValue, $0.baseAddress!, $0.count) }
        if rc != 0 { return "error \(rawValue)" }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

/// Retries `call` while it fails with `EINTR`; returns its result, or throws the `Errno`
/// of a failure (a negative return).
@inline(__always)
public func retryingInterrupts<R: BinaryInteger>(_ call: () -> R) throws(Errno) -> R {
    while true {
        let r = call()
        if r >= 0 { return r }
        let e = Errno.current
        if e != .interrupted { throw e }
    }
}
