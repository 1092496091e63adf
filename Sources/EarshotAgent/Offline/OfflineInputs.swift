// Expands the command line's FILE|DIR arguments into the list of WAV files.
#if canImport(Glibc)
import Glibc
#endif

/// One input of an offline run: a file to analyse, or a path that could not be used.
public enum OfflineInput: Sendable, Equatable {
    /// A file to analyse (named as given, or `dir/…/name.wav` from a walk).
    case file(String)
    /// A path that cannot be analysed, with a one-line reason (`"<path>: <reason>"`).
    case unusable(String)
}

/// Expands `paths`: files are kept as given (whatever their extension, so a bad
/// file named on the command line is reported); directories are walked
/// recursively and contribute their `*.wav` files (case-insensitive), sorted
/// by byte order of the path. A path that does not exist is `.unusable`.
public func expandOfflineInputs(_ paths: [String]) -> [OfflineInput] {
    var out: [OfflineInput] = []
    for p in paths {
        var st = stat()
        if stat(p, &st) != 0 {
            out.append(.unusable("\(p): cannot open: \(String(cString: strerror(errno)))"))
        } else if (st.st_mode & S_IFMT) == S_IFDIR {
            var found: [String] = []
            walk(p, into: &found, errors: &out)
            out += found.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { .file($0) }
        } else {
            out.append(.file(p))
        }
    }
    return out
}

private func walk(_ dir: String, into found: inout [String], errors: inout [OfflineInput]) {
    guard let d = opendir(dir) else {
        errors.append(.unusable("\(dir): cannot open directory: \(String(cString: strerror(errno)))"))
        return
    }
    defer { closedir(d) }
    let base = dir.hasSuffix("/") ? dir : dir + "/"
    while let entry = readdir(d) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if name == "." || name == ".." || name.hasPrefix(".") { continue }
        let path = base + name
        var st = stat()
        guard stat(path, &st) == 0 else { continue }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            walk(path, into: &found, errors: &errors)
        } else if name.lowercased().hasSuffix(".wav") {
            found.append(path)
        }
    }
}
