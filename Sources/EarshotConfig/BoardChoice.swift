// Which board file a technician's command uses (meter, listen, calibrate, gpio,
// selftest, run): `--board` (a path or a bare name), else the board of the site
// file (`--config`, else the installed /etc/earshot/site.toml), else `generic`.
// One rule for every command, so a box behaves the same from any folder.
#if canImport(Glibc)
import Glibc
#endif

/// Resolves the board file of a command.
public enum BoardChoice {
    /// The installed site file: `$EARSHOT_SITE` when set (a scratch root, tests),
    /// else `/etc/earshot/site.toml`.
    public static var defaultSitePath: String {
        if let v = getenv("EARSHOT_SITE"), v.pointee != 0 { return String(cString: v) }
        return "/etc/earshot/site.toml"
    }

    /// The board directories for a bare name, given the site file in use (or the
    /// installed one): `BoardSearch.defaultPaths` of its folder.
    public static func searchPaths(sitePath: String?) -> [String] {
        BoardSearch.defaultPaths(siteDirectory: ConfigFile.directory(of: sitePath ?? defaultSitePath))
    }

    /// A `--board` value as a file: a path (with `/` or ending in `.toml`, relative to
    /// the working folder) or a bare name looked up in `searchPaths(sitePath:)`.
    /// A path is returned as given, so loading it reports a missing file under its own name.
    public static func locate(_ board: String, sitePath: String? = nil) throws(ConfigError) -> String {
        if board.contains("/") || board.hasSuffix(".toml") { return board }
        switch BoardSearch.locate(board, baseDirectory: ".", searchPaths: searchPaths(sitePath: sitePath)) {
        case .success(let p): return p
        case .failure(let e): throw ConfigError([ConfigIssue(file: "--board", message: e.message)])
        }
    }

    /// The board file a command uses: `board` (see `locate`); else the board named by
    /// `sitePath`; else by the installed site file when it exists; else the board
    /// named `generic` in the board directories (or `Boards/generic.toml` in a source tree).
    /// - Throws: `ConfigError` naming the site file or the `--board` value.
    public static func path(board: String?, sitePath: String?) throws(ConfigError) -> String {
        if let board { return try locate(board, sitePath: sitePath) }
        if let sitePath { return try SiteConfig.load(path: sitePath).sensor.boardPath }
        let installed = defaultSitePath
        if ConfigFile.isFile(installed) { return try SiteConfig.load(path: installed).sensor.boardPath }
        switch BoardSearch.locate("generic", baseDirectory: ".", searchPaths: searchPaths(sitePath: nil) + ["Boards"]) {
        case .success(let p): return p
        case .failure(let e):
            throw ConfigError([ConfigIssue(file: installed, message: "no site file, and \(e.message); give --board FILE or --config SITE")])
        }
    }
}
