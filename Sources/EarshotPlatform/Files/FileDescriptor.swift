// An open file descriptor and the calls the agent makes on it: positioned reads and
// writes that finish the whole buffer, data syncs, truncation. Used by the outbox's
// log, the atomic file replacement and the configuration reads.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A file descriptor (a plain `Int32`, closed explicitly with `close()`). Every method
/// retries `EINTR` and throws the call's `Errno`; none allocates.
public struct FileDescriptor: Hashable, Sendable {
    /// The kernel's descriptor number.
    public let rawValue: Int32

    /// Wraps an open descriptor.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `open(path, flags | O_CLOEXEC, mode)`.
    public static func open(_ path: String, _ flags: Int32, mode: UInt32 = 0o644) throws(Errno) -> FileDescriptor {
        let fd = try retryingInterrupts { systemOpen(path, flags | O_CLOEXEC, mode_t(mode)) }
        return FileDescriptor(rawValue: fd)
    }

    /// Opens a directory for `fsync` (O_RDONLY | O_DIRECTORY).
    public static func openDirectory(_ path: String) throws(Errno) -> FileDescriptor {
        try open(path, O_RDONLY | O_DIRECTORY)
    }

    /// Closes the descriptor (not retried: Linux releases it even when close fails).
    public func close() throws(Errno) {
        if systemClose(rawValue) != 0 { throw Errno.current }
    }

    /// Closes the descriptor, ignoring a failure (cleanup after another error).
    public func closeAfterError() { _ = systemClose(rawValue) }

    /// Writes all of `bytes` at the current offset.
    /// - Throws: `Errno` of the failing `write`; `ENOSPC` when the kernel wrote 0 bytes.
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws(Errno) {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = try retryingInterrupts { systemWrite(rawValue, base + done, bytes.count - done) }
            if n == 0 { throw Errno.noSpace }
            done += n
        }
    }

    /// Writes all of `text`'s UTF-8 bytes at the current offset (one `write(2)` when the
    /// kernel takes it whole, as it does for a short line on an `O_APPEND` file).
    /// - Throws: as `writeAll(_:)`.
    public func writeAll(_ text: String) throws(Errno) {
        var t = text
        let result: Errno? = t.withUTF8 { utf8 in
            do throws(Errno) { try writeAll(UnsafeRawBufferPointer(utf8)); return nil } catch { return error }
        }
        if let result { throw result }
    }

    /// Writes all of `bytes` at file offset `offset` (bytes), leaving the file offset alone.
    /// - Throws: as `writeAll`; part of `bytes` may have been written.
    public func pwriteAll(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(Errno) {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = try retryingInterrupts { pwrite(rawValue, base + done, bytes.count - done, off_t(offset + done)) }
            if n == 0 { throw Errno.noSpace }
            done += n
        }
    }

    /// Reads up to `buffer.count` bytes at the current offset; 0 at end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        try retryingInterrupts { systemRead(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// Reads `buffer.count` bytes at `offset` unless the file ends first; returns how many were read.
    public func preadAll(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(Errno) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let n = try retryingInterrupts { pread(rawValue, base + done, buffer.count - done, off_t(offset + done)) }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Moves the file offset to `offset` bytes from the start.
    public func seek(to offset: Int) throws(Errno) {
        if lseek(rawValue, off_t(offset), SEEK_SET) < 0 { throw Errno.current }
    }

    /// `fdatasync`: the file's data (and the size) reach the storage.
    public func dataSync() throws(Errno) {
        _ = try retryingInterrupts { fdatasync(rawValue) }
    }

    /// `fsync`: data and all metadata reach the storage (directories: their entries).
    public func sync() throws(Errno) {
        _ = try retryingInterrupts { fsync(rawValue) }
    }

    /// `ftruncate` to `size` bytes.
    public func truncate(to size: Int) throws(Errno) {
        _ = try retryingInterrupts { ftruncate(rawValue, off_t(size)) }
    }

    /// What `fstat` says: size in bytes and whether it is a directory.
    public func status() throws(Errno) -> (size: Int, isDirectory: Bool, permissions: UInt32) {
        var st = stat()
        if fstat(rawValue, &st) != 0 { throw Errno.current }
        return (Int(st.st_size), (st.st_mode & S_IFMT) == S_IFDIR, UInt32(st.st_mode & 0o7777))
    }
}

/// File-system calls on paths (no descriptor).
public enum FilePath {
    /// `mkdir(path, mode)`; an existing directory is not an error.
    public static func makeDirectory(_ path: String, mode: UInt32 = 0o750) throws(Errno) {
        if mkdir(path, mode_t(mode)) != 0 {
            let e = Errno.current
            if e != .exists { throw e }
        }
    }

    /// `rename(from, to)`: atomic replacement within one file system.
    public static func rename(_ from: String, to: String) throws(Errno) {
        if systemRename(from, to) != 0 { throw Errno.current }
    }

    /// `unlink(path)`, ignoring a missing file.
    public static func remove(_ path: String) {
        _ = unlink(path)
    }

    /// Permission bits of `path`, nil when it does not exist.
    public static func permissions(_ path: String) -> UInt32? {
        var st = stat()
        return stat(path, &st) == 0 ? UInt32(st.st_mode & 0o7777) : nil
    }

    /// True when `path` names an existing regular file.
    public static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// The directory part of `path` ("." when it has none).
    public static func directory(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        if slash == path.utf8.startIndex { return "/" }
        return String(path[..<slash])
    }
}

@inline(__always) private func systemOpen(_ p: String, _ f: Int32, _ m: mode_t) -> Int32 { open(p, f, m) }
@inline(__always) private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
@inline(__always) private func systemWrite(_ fd: Int32, _ b: UnsafeRawPointer, _ n: Int) -> Int { write(fd, b, n) }
@inline(__always) private func systemRead(_ fd: Int32, _ b: UnsafeMutableRawPointer?, _ n: Int) -> Int { read(fd, b, n) }
@inline(__always) private func systemRename(_ a: String, _ b: String) -> Int32 { rename(a, b) }
