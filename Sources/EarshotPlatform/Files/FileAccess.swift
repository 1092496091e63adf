// Whole-file reads and atomic replacement for small text files (configuration,
// signature tables) and for the demo's synthesised recordings, on Glibc alone (no
// Foundation). The per-sample path never comes here: these run at start, on
// `earshot config`/`table`/`demo --write-wav` commands and on reload.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reading and atomically replacing small files; every failure is a
/// `FileAccessError` naming the path and the step.
public enum FileAccess {
    /// The whole file at `path` as bytes; refuses directories and files over
    /// `maxBytes` bytes (these are configuration files, not data).
    public static func read(_ path: String, maxBytes: Int) throws(FileAccessError) -> [UInt8] {
        let fd: FileDescriptor
        do { fd = try FileDescriptor.open(path, O_RDONLY) } catch {
            throw FileAccessError(path: path, step: .open, errno: error)
        }
        defer { fd.closeAfterError() }
        if let st = try? fd.status(), st.isDirectory {
            throw FileAccessError(path: path, step: .isDirectory, systemMessage: "")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            var failure: Errno?
            let n = chunk.withUnsafeMutableBytes { b -> Int in
                do throws(Errno) { return try fd.read(into: b) } catch { failure = error; return 0 }
            }
            if let failure { throw FileAccessError(path: path, step: .read, errno: failure) }
            if n == 0 { return bytes }
            bytes += chunk[0..<n]
            if bytes.count > maxBytes { throw FileAccessError(path: path, step: .tooLarge(limitBytes: maxBytes), systemMessage: "") }
        }
    }

    /// Replaces `path` with `bytes` atomically (`AtomicFileReplacement`): writes `path.tmp`,
    /// syncs it, renames it over `path`, syncs the directory. A replaced file keeps its
    /// permission bits (a new one gets 0644); on any failure the temporary file is removed
    /// and `path` is left as it was.
    public static func replace(_ path: String, with bytes: [UInt8]) throws(FileAccessError) {
        try replace(path, parts: CollectionOfOne(bytes))
    }

    /// As `replace(_:with:)`, writing `parts` one after the other: a large file made
    /// piecewise (an hour of synthesised audio is 115 MB) is never held whole.
    public static func replace<Parts: Sequence<[UInt8]>>(_ path: String, parts: Parts) throws(FileAccessError) {
        let file = try AtomicFileReplacement(replacing: path)
        for bytes in parts {
            do { try file.write(bytes) } catch {
                file.abandon()
                throw error
            }
        }
        try file.commit()
    }

    /// True when `path` names an existing regular file.
    public static func isRegularFile(_ path: String) -> Bool { FilePath.isRegularFile(path) }
}
