// The one place the WAV reader calls the C library (open/read/lseek/fstat).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `strerror` text for an errno value.
func systemErrorText(_ e: Int32) -> String {
    guard let s = strerror(e) else { return "errno \(e)" }
    return String(cString: s)
}

/// A read-only file descriptor with whole-buffer reads (retries short reads
/// and EINTR). Owned by `WAVReader`, closed in its deinit.
struct WAVFile {
    let fd: Int32
    let path: String
    let size: Int64

    /// Opens `path` for reading; rejects directories.
    init(path: String) throws(WAVError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw WAVError(path: path, reason: .cannotOpen(errno: errno)) }
        var st = stat()
        if fstat(fd, &st) != 0 {
            let e = errno
            Glibc.close(fd)
            throw WAVError(path: path, reason: .cannotOpen(errno: e))
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            Glibc.close(fd)
            throw WAVError(path: path, reason: .isDirectory)
        }
        self.fd = fd
        self.path = path
        self.size = Int64(st.st_size)
    }

    func close() { _ = Glibc.close(fd) }

    /// Reads up to `count` bytes into `buffer` at the current position;
    /// returns the number read (less than `count` only at end of file).
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(WAVError) -> Int {
        var done = 0
        while done < count {
            let n = Glibc.read(fd, buffer + done, count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw WAVError(path: path, reason: .readFailed(errno: errno))
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Moves the read position to `offset` bytes from the start.
    func seek(to offset: Int64) throws(WAVError) {
        if lseek(fd, off_t(offset), SEEK_SET) < 0 {
            throw WAVError(path: path, reason: .readFailed(errno: errno))
        }
    }
}
