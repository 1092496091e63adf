// Finding the board file a site file names: a path, or a bare name looked up
// in the board directories (repository, /etc, the installed package).
#if canImport(Glibc)
import EarshotPlatform
import Glibc
#endif

/// Where board files are looked up.
public enum BoardSearch {
    /// The board directories, in order: `$EARSHOT_BOARDS_DIR`,
    /// `<site dir>/boards`, `/etc/earshot/boards`, `<exe dir>/../share/earshot/boards`
    /// (an installed package, wherever its root is), `/usr/share/earshot/boards`.
    public static func defaultPaths(siteDirectory: String) -> [String] {
        var paths: [String] = []
        if let env = getenv("EARSHOT_BOARDS_DIR") { paths.append(String(cString: env)) }
        paths.append(ConfigFile.resolve("boards", relativeTo: siteDirectory))
        paths.append("/etc/earshot/boards")
        var buf = [CChar](repeating: 0, count: 4_096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        if n > 0 {
            let exe = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            paths.append(ConfigFile.directory(of: exe) + "/../share/earshot/boards")
        }
        paths.append("/usr/share/earshot/boards")
        return paths
    }

    /// `board` as a file: a value with `/` or ending in `.toml` is a path
    /// (relative to `baseDirectory`); otherwise `<board>.toml` in `searchPaths`.
    public static func locate(_ board: String, baseDirectory: String, searchPaths: [String]) -> Result<String, ConfigFileError> {
        if board.contains("/") || board.hasSuffix(".toml") {
            let p = ConfigFile.resolve(board, relativeTo: baseDirectory)
            return ConfigFile.isFile(p) ? .success(p) : .failure(ConfigFileError(message: "no such board file (looked for \(p))"))
        }
        for dir in searchPaths {
            let p = dir + "/" + board + ".toml"
            if ConfigFile.isFile(p) { return .success(p) }
        }
        let known = Set(searchPaths.flatMap(boardNames)).sorted()
        var msg = "no board named \(board) (looked for \(board).toml in \(searchPaths.joined(separator: ", ")))"
        if let hint = ConfigReader.closest(board, in: known) { msg += "; did you mean \"\(hint)\"?" }
        if !known.isEmpty { msg += " Known boards: \(known.joined(separator: ", "))" }
        return .failure(ConfigFileError(message: msg))
    }

    /// Names (without `.toml`) of the board files in `directory`.
    public static func boardNames(in directory: String) -> [String] {
        guard let entries = try? Directory.entries(directory) else { return [] }
        return entries.map(\.name).filter { $0.hasSuffix(".toml") && !$0.hasPrefix(".") }.map { String($0.dropLast(5)) }.sorted()
    }
}
