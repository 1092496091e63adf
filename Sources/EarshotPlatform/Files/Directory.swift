// Directories: listing, temporary directories, removal. Board search, `earshot analyze`
// on a folder, the demo's and diagnostics' temporary outboxes use these.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One entry of a directory listing.
public struct DirectoryEntry: Sendable, Equatable {
    /// The name within the directory (never "." or "..").
    public var name: String
    /// True for a directory, false for anything else; nil when the file system does not say
    /// (`DT_UNKNOWN`: stat the path to know).
    public var isDirectory: Bool?
}

/// Directory operations on paths.
public enum Directory {
    /// The entries of `path` in the order the file system returns them ("." and ".." left out).
    /// - Throws: the `Errno` of `opendir` (e.g. `ENOENT`, `ENOTDIR`, `EACCES`).
    public static func entries(_ path: String) throws(Errno) -> [DirectoryEntry] {
        guard let d = opendir(path) else { throw Errno.current }
        defer { closedir(d) }
        var out: [DirectoryEntry] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let type = e.pointee.d_type
            out.append(DirectoryEntry(name: name, isDirectory: type == UInt8(DT_UNKNOWN) ? nil : type == UInt8(DT_DIR)))
        }
        return out
    }

    /// Creates a new directory `/tmp/<prefix>-XXXXXX` (mode 0700) and returns its path.
    /// - Throws: the `Errno` of `mkdtemp` (e.g. `ENOSPC`, `EROFS`).
    public static func makeTemporary(prefix: String) throws(Errno) -> String {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
        guard made else { throw Errno.current }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Removes `path` with everything under it; best effort (what cannot be removed stays).
    public static func removeTree(_ path: String) {
        if let list = try? entries(path) {
            for e in list {
                let p = path + "/" + e.name
                if unlink(p) != 0 { removeTree(p) }
            }
        }
        rmdir(path)
    }
}
