// File access for configuration: read a whole file, replace a file atomically,
// resolve paths relative to the file that names them. Glibc only (no Foundation).
#if canImport(Glibc)
import Glibc
#endif

/// A file-system failure with a one-line message naming the path.
public struct ConfigFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Reading and writing configuration files.
public enum ConfigFile {
    /// The whole file as UTF-8 text (at most 1 MiB: configuration, not data).
    public static func read(_ path: String) throws(ConfigFileError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ConfigFileError(message: "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            throw ConfigFileError(message: "cannot read \(path): it is a directory")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ConfigFileError(message: "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            bytes += chunk[0..<n]
            if bytes.count > 1 << 20 { throw ConfigFileError(message: "\(path) is larger than 1 MiB; is it really a configuration file?") }
        }
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw ConfigFileError(message: "\(path) is not UTF-8 text")
        }
        return s
    }

    /// Replaces `path` with `text` atomically: writes `path.tmp`, fsyncs it,
    /// renames it over `path`, keeps the original file's permission bits.
    public static func replace(_ path: String, with text: String) throws(ConfigFileError) {
        let tmp = path + ".tmp"
        var mode: mode_t = 0o644
        var st = stat()
        if stat(path, &st) == 0 { mode = st.st_mode & 0o7777 }
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw ConfigFileError(message: "cannot create \(tmp): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                let msg = String(cString: strerror(errno))
                close(fd)
                unlink(tmp)
                throw ConfigFileError(message: "cannot write \(tmp): \(msg)")
            }
            off += n
        }
        if fsync(fd) != 0 || close(fd) != 0 {
            unlink(tmp)
            throw ConfigFileError(message: "cannot flush \(tmp): \(String(cString: strerror(errno)))")
        }
        if rename(tmp, path) != 0 {
            let msg = String(cString: strerror(errno))
            unlink(tmp)
            throw ConfigFileError(message: "cannot replace \(path): \(msg)")
        }
    }

    /// True when `path` names an existing regular file.
    public static func isFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// Reads the configuration file at `path`; an unreadable file becomes a
    /// `ConfigError` naming `name` (board and site loading share this).
    static func configText(at path: String, name: String) throws(ConfigError) -> String {
        do { return try read(path) } catch { throw ConfigError([ConfigIssue(file: name, message: error.message)]) }
    }

    /// Parses TOML `text`; a syntax error becomes a `ConfigError` naming `file` and line.
    static func tomlRoot(_ text: String, file: String) throws(ConfigError) -> TOMLTable {
        do { return try TOMLDocument(parsing: text, file: file).root } catch { throw ConfigError(error) }
    }

    /// The directory part of `path` (`"."` when none).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// `path` made relative to `base` when it is not absolute.
    public static func resolve(_ path: String, relativeTo base: String) -> String {
        if path.hasPrefix("/") { return path }
        if base == "." { return path }
        return base.hasSuffix("/") ? base + path : base + "/" + path
    }
}
