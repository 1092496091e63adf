// The one implementation of "replace a file so a crash leaves the old or the new one":
// configuration and table edits (FileAccess.replace) and the outbox's compaction use it.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A file being replaced: bytes go to `path.tmp`; `commit()` syncs it, renames it over
/// `path` and syncs the directory, so after a power cut the directory names either the old
/// file or the whole new one. `abandon()` removes the temporary file. Use each value once.
public struct AtomicFileReplacement: Sendable {
    /// The file that `commit()` replaces.
    public let path: String
    /// Where the new content is written until `commit()`: `path` + ".tmp".
    public let temporaryPath: String
    /// The temporary file, open for writing (and reading).
    public let descriptor: FileDescriptor

    /// Creates (truncates) `path.tmp`. Its permission bits are `mode`, or those of the file
    /// being replaced, or 0644 for a new file.
    /// - Throws: `FileAccessError` step `.create` naming the temporary file.
    public init(replacing path: String, mode: UInt32? = nil) throws(FileAccessError) {
        self.path = path
        temporaryPath = path + ".tmp"
        let bits = mode ?? FilePath.permissions(path) ?? 0o644
        do {
            descriptor = try FileDescriptor.open(temporaryPath, O_RDWR | O_CREAT | O_TRUNC, mode: bits)
        } catch {
            throw FileAccessError(path: temporaryPath, step: .create, errno: error)
        }
    }

    /// Appends `bytes` to the temporary file.
    /// - Throws: `FileAccessError` step `.write` (e.g. `ENOSPC`); call `abandon()` then.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(FileAccessError) {
        do { try descriptor.writeAll(bytes) } catch {
            throw FileAccessError(path: temporaryPath, step: .write, errno: error)
        }
    }

    /// Appends `bytes` to the temporary file.
    public func write(_ bytes: [UInt8]) throws(FileAccessError) {
        var failure: Errno?
        bytes.withUnsafeBytes { b in
            do throws(Errno) { try descriptor.writeAll(b) } catch { failure = error }
        }
        if let failure { throw FileAccessError(path: temporaryPath, step: .write, errno: failure) }
    }

    /// Syncs and closes the temporary file, renames it over `path`, then syncs the directory
    /// (best effort: a directory that cannot be opened leaves the rename unsynced). On a
    /// failure the temporary file is removed and `path` is as it was.
    /// - Parameter keepOpen: leave the descriptor open (the outbox goes on appending to it).
    /// - Throws: `FileAccessError` step `.flush` or `.rename`.
    public func commit(keepOpen: Bool = false) throws(FileAccessError) {
        do { try descriptor.dataSync() } catch {
            abandon()
            throw FileAccessError(path: temporaryPath, step: .flush, errno: error)
        }
        if !keepOpen {
            do { try descriptor.close() } catch {
                FilePath.remove(temporaryPath)
                throw FileAccessError(path: temporaryPath, step: .flush, errno: error)
            }
        }
        do { try FilePath.rename(temporaryPath, to: path) } catch {
            if keepOpen { descriptor.closeAfterError() }
            FilePath.remove(temporaryPath)
            throw FileAccessError(path: path, step: .rename, errno: error)
        }
        if let dir = try? FileDescriptor.openDirectory(FilePath.directory(of: path)) {
            try? dir.sync()
            dir.closeAfterError()
        }
    }

    /// Closes and removes the temporary file; `path` is untouched.
    public func abandon() {
        descriptor.closeAfterError()
        FilePath.remove(temporaryPath)
    }
}
