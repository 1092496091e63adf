// File access for signature tables: read a whole file, replace a file atomically.
// Glibc only (no Foundation); the one place this module calls the C library.
#if canImport(Glibc)
import Glibc
#endif

/// Reading and writing table files; errors are `SignatureFileError`s naming the path.
enum TableFileIO {
    /// Largest table file read (16 entries take about 20 KiB; this is not a data file).
    static let maxBytes = 1 << 20

    /// The whole file at `path` as bytes.
    static func read(_ path: String) throws(SignatureFileError) -> [UInt8] {
        func failure(_ what: String) -> SignatureFileError {
            SignatureFileError(file: path, reason: "\(what) (\(String(cString: strerror(errno)))); check the path and permissions")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("cannot open the file") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("cannot read the file")
            }
            if n == 0 { return bytes }
            bytes += chunk[0..<n]
            if bytes.count > maxBytes {
                throw SignatureFileError(file: path, reason: "larger than 1 MiB; a signature table is a small JSON file")
            }
        }
    }

    /// Replaces `path` with `text`: writes `path.tmp`, fsyncs it and renames it over `path`.
    static func replace(_ path: String, with text: String) throws(SignatureFileError) {
        let tmp = path + ".tmp"
        func failure(_ what: String) -> SignatureFileError {
            SignatureFileError(file: path, reason: "\(what) (\(String(cString: strerror(errno)))); check the directory and permissions")
        }
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot create \(tmp)") }
        let bytes = Array(text.utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                let error = failure("cannot write \(tmp)")
                close(fd)
                unlink(tmp)
                throw error
            }
            off += n
        }
        if fsync(fd) != 0 {
            let error = failure("cannot flush \(tmp) to disk")
            close(fd)
            unlink(tmp)
            throw error
        }
        close(fd)
        if rename(tmp, path) != 0 {
            let error = failure("cannot rename \(tmp) over the file")
            unlink(tmp)
            throw error
        }
    }
}
