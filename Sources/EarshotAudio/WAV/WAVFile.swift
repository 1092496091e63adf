// The one place the WAV reader touches the file: an EarshotPlatform descriptor.
import EarshotPlatform
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `strerror` text for an errno value.
func systemErrorText(_ e: Int32) -> String { Errno(rawValue: e).description }

/// A read-only file descriptor with whole-buffer reads (retries short reads
/// and EINTR). Owned by `WAVReader`, closed in its deinit.
struct WAVFile {
    let fd: FileDescriptor
    let path: String
    let size: Int64

    /// Opens `path` for reading; rejects directories.
    init(path: String) throws(WAVError) {
        let fd: FileDescriptor
        do { fd = try FileDescriptor.open(path, O_RDONLY) } catch {
            throw WAVError(path: path, reason: .cannotOpen(errno: error.rawValue))
        }
        let st: (size: Int, isDirectory: Bool, permissions: UInt32)
        do { st = try fd.status() } catch {
            fd.closeAfterError()
            throw WAVError(path: path, reason: .cannotOpen(errno: error.rawValue))
        }
        if st.isDirectory {
            fd.closeAfterError()
            throw WAVError(path: path, reason: .isDirectory)
        }
        self.fd = fd
        self.path = path
        self.size = Int64(st.size)
    }

    func close() { fd.closeAfterError() }

    /// Reads up to `count` bytes into `buffer` at the current position;
    /// returns the number read (less than `count` only at end of file).
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(WAVError) -> Int {
        var done = 0
        while done < count {
            let n: Int
            do { n = try fd.read(into: UnsafeMutableRawBufferPointer(start: buffer + done, count: count - done)) } catch {
                throw WAVError(path: path, reason: .readFailed(errno: error.rawValue))
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Moves the read position to `offset` bytes from the start.
    func seek(to offset: Int64) throws(WAVError) {
        do { try fd.seek(to: Int(offset)) } catch {
            throw WAVError(path: path, reason: .readFailed(errno: error.rawValue))
        }
    }
}
