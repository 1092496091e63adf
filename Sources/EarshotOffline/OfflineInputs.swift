// Expands the command line's FILE|DIR arguments into the list of WAV files.
#if canImport(Glibc)
import EarshotPlatform
import Glibc
#endif

/// One input of an offline run: a file to analyse, or a path that could not be used.
public enum OfflineInput: Sendable, Equatable {
    /// A file to analyse (named as given, or `dir/…/name.wav` from a walk).
    case file(String)
    /// A path that cannot be analysed, with a one-line reason (`"<path>: <reason>"`).
    case unusable(String)
    /// Something a folder walk met and did not take as a file, said in one line
    /// (`"<path>: <what it is>; <what was done>"`): a dangling symbolic link, a
    /// directory named `*.wav`. Not a failure: the run goes on with the rest.
    case note(String)
}

/// Expands `paths`: files are kept as given (whatever their extension, so a bad
/// file named on the command line is reported); directories are walked
/// recursively and contribute their `*.wav` files (case-insensitive), sorted
/// by byte order of the path. A path that does not exist is `.unusable`. In a walk,
/// an entry that cannot be followed (a dangling symbolic link) and a directory named
/// `*.wav` (walked like any folder) each give a `.note` before the folder's files.
public func expandOfflineInputs(_ paths: [String]) -> [OfflineInput] {
    var out: [OfflineInput] = []
    for p in paths {
        var st = stat()
        if stat(p, &st) != 0 {
            out.append(.unusable("\(p): cannot open: \(Errno.current.description)"))
        } else if (st.st_mode & S_IFMT) == S_IFDIR {
            var found: [String] = [], issues: [OfflineInput] = []
            walk(p, into: &found, errors: &issues)
            out += issues.sorted { $0.message.utf8.lexicographicallyPrecedes($1.message.utf8) }
            out += found.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { .file($0) }
        } else {
            out.append(.file(p))
        }
    }
    return out
}

private func walk(_ dir: String, into found: inout [String], errors: inout [OfflineInput]) {
    let entries: [DirectoryEntry]
    do { entries = try Directory.entries(dir) } catch {
        errors.append(.unusable("\(dir): cannot open directory: \(error)"))
        return
    }
    let base = dir.hasSuffix("/") ? dir : dir + "/"
    for entry in entries {
        let name = entry.name
        if name.hasPrefix(".") { continue }
        let path = base + name
        var st = stat()
        guard stat(path, &st) == 0 else {
            let reason = errno
            var link = stat()
            if lstat(path, &link) == 0 && (link.st_mode & S_IFMT) == S_IFLNK && reason == ENOENT {
                errors.append(.note("\(path): dangling symbolic link\(linkTarget(path).map { " (to \($0))" } ?? ""); skipped"))
            } else {
                errors.append(.note("\(path): cannot open: \(Errno(rawValue: reason).description); skipped"))
            }
            continue
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            if name.lowercased().hasSuffix(".wav") {
                errors.append(.note("\(path): a directory, not a WAV file; walked as a folder"))
            }
            walk(path, into: &found, errors: &errors)
        } else if name.lowercased().hasSuffix(".wav") {
            found.append(path)
        }
    }
}

/// Where the symbolic link at `path` points, as written in the link.
private func linkTarget(_ path: String) -> String? {
    var buf = [CChar](repeating: 0, count: 4_096)
    let n = readlink(path, &buf, buf.count - 1)
    guard n > 0 else { return nil }
    return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

extension OfflineInput {
    /// The path and reason of an `.unusable` or `.note`; the path of a `.file`.
    var message: String {
        switch self {
        case .file(let s), .unusable(let s), .note(let s): return s
        }
    }
}
