// Whole-file reads and atomic replacement for small text files (configuration,
// signature tables) and for the demo's synthesised recordings, on Glibc alone (no
// Foundation). The per-sample path never comes here: these run at start, on
// `earshot config`/`table`/`demo --write-wav` commands and on reload.
#if canImport(Glibc)
import Glibc
#endif

/// Reading and atomically replacing small files; every failure is a
/// `FileAccessError` naming the path and the step.
public enum FileAccess {
    /// The whole file at `path` as bytes; refuses directories and files over
    /// `maxBytes` bytes (these are configuration files, not data).
    public static func read(_ path: String, maxBytes: Int) throws(FileAccessError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileAccessError(path: path, step: .open, systemMessage: systemMessage()) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            throw FileAccessError(path: path, step: .isDirectory, systemMessage: "")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileAccessError(path: path, step: .read, systemMessage: systemMessage())
            }
            if n == 0 { return bytes }
            bytes += chunk[0..<n]
            if bytes.count > maxBytes { throw FileAccessError(path: path, step: .tooLarge(limitBytes: maxBytes), systemMessage: "") }
        }
    }

    /// Replaces `path` with `bytes` atomically: writes `path.tmp`, fsyncs and
    /// closes it, renames it over `path`. A replaced file keeps its permission
    /// bits (a new one gets 0644); on any failure the temporary file is removed
    /// and `path` is left as it was.
    public static func replace(_ path: String, with bytes: [UInt8]) throws(FileAccessError) {
        try replace(path, parts: CollectionOfOne(bytes))
    }

    /// As `replace(_:with:)`, writing `parts` one after the other: a large file made
    /// piecewise (an hour of synthesised audio is 115 MB) is never held whole.
    public static func replace<Parts: Sequence<[UInt8]>>(_ path: String, parts: Parts) throws(FileAccessError) {
        let tmp = path + ".tmp"
        var mode: mode_t = 0o644
        var st = stat()
        if stat(path, &st) == 0 { mode = st.st_mode & 0o7777 }
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileAccessError(path: tmp, step: .create, systemMessage: systemMessage()) }
        for bytes in parts {
            var off = 0
            while off < bytes.count {
                let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + off, $0.count - off) }
                if n < 0 {
                    if errno == EINTR { continue }
                    let error = FileAccessError(path: tmp, step: .write, systemMessage: systemMessage())
                    close(fd)
                    unlink(tmp)
                    throw error
                }
                off += n
            }
        }
        if fsync(fd) != 0 {
            let error = FileAccessError(path: tmp, step: .flush, systemMessage: systemMessage())
            close(fd)
            unlink(tmp)
            throw error
        }
        if close(fd) != 0 {
            let error = FileAccessError(path: tmp, step: .flush, systemMessage: systemMessage())
            unlink(tmp)
            throw error
        }
        if rename(tmp, path) != 0 {
            let error = FileAccessError(path: path, step: .rename, systemMessage: systemMessage())
            unlink(tmp)
            throw error
        }
    }

    /// True when `path` names an existing regular file.
    public static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// `strerror(errno)` as a String.
    private static func systemMessage() -> String { String(cString: strerror(errno)) }
}
