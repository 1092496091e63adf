// File access for configuration: read a whole file, replace a file atomically,
// resolve paths relative to the file that names them. The file-system work is
// EarshotPlatform' (shared with the signature-table loader); this file words its errors.
import EarshotPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A file-system failure with a one-line message naming the path.
public struct ConfigFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    /// The configuration wording of a file-system failure.
    init(message: String) { self.message = message }

    init(_ error: FileAccessError) {
        if case .tooLarge = error.step {
            message = "\(error.path) is larger than 1 MiB; is it really a configuration file?"
        } else {
            message = error.description
        }
    }
}

/// Reading and writing configuration files.
public enum ConfigFile {
    /// Largest configuration file read, bytes (configuration, not data).
    static let maxBytes = 1 << 20

    /// The whole file as UTF-8 text (at most 1 MiB: configuration, not data).
    public static func read(_ path: String) throws(ConfigFileError) -> String {
        let bytes: [UInt8]
        do { bytes = try FileAccess.read(path, maxBytes: maxBytes) } catch { throw ConfigFileError(error) }
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw ConfigFileError(message: "\(path) is not UTF-8 text")
        }
        return s
    }

    /// Replaces `path` with `text` atomically: writes `path.tmp`, fsyncs it,
    /// renames it over `path`, keeps the original file's permission bits.
    public static func replace(_ path: String, with text: String) throws(ConfigFileError) {
        do { try FileAccess.replace(path, with: Array(text.utf8)) } catch { throw ConfigFileError(error) }
    }

    /// True when `path` names an existing regular file.
    public static func isFile(_ path: String) -> Bool { FileAccess.isRegularFile(path) }

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

    /// `path` as an absolute path with symbolic links resolved (`realpath`);
    /// `path` unchanged when it does not exist.
    public static func absolute(_ path: String) -> String {
        guard let r = realpath(path, nil) else { return path }
        defer { free(r) }
        return String(cString: r)
    }

    /// `path` made relative to `base` when it is not absolute.
    public static func resolve(_ path: String, relativeTo base: String) -> String {
        if path.hasPrefix("/") { return path }
        if base == "." { return path }
        return base.hasSuffix("/") ? base + path : base + "/" + path
    }
}
