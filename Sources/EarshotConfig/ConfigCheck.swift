// `earshot config check` and `earshot config show`, as functions returning
// their output and exit status (the CLI prints; tests call these directly).

/// Results of the configuration commands.
public struct ConfigCommandResult: Equatable, Sendable {
    /// 0: every file valid; 2 (configuration, as every command): a file is invalid or unreadable.
    public var status: Int32
    /// Lines for standard output.
    public var stdout: [String]
    /// Lines for standard error (one per problem, naming file and field).
    public var stderr: [String]
}

/// Checking and showing board and site files.
public enum ConfigCheck {
    /// What a configuration file is.
    public enum Kind: String, Sendable {
        case board, site
    }

    /// A site file has `[sensor]`; a board file has `[audio]`.
    public static func kind(of root: TOMLTable) -> Kind? {
        if root["sensor"] != nil { return .site }
        if root["audio"] != nil || root["name"] != nil { return .board }
        return nil
    }

    /// Exit status of an invalid or unreadable file (the configuration code of every command).
    public static let invalidStatus: Int32 = 2

    /// Validates each file (for a site file, also the board it names). Board files
    /// given together with a site file resolve its bare board name: their folders are
    /// searched first (`earshot config check Boards/*.toml Deploy/site.toml`).
    /// Status 0 when all are valid, 2 otherwise.
    /// `extraBoardDirs` (`--boards-dir`) are searched next, then `boardSearchPaths`
    /// (nil = `BoardSearch.defaultPaths` of each site file's folder).
    public static func check(_ paths: [String], boardSearchPaths: [String]? = nil, extraBoardDirs: [String] = []) -> ConfigCommandResult {
        var result = ConfigCommandResult(status: 0, stdout: [], stderr: [])
        var givenBoardDirs = extraBoardDirs
        for path in paths where kind(ofFile: path) == .board {
            let dir = ConfigFile.directory(of: path)
            if !givenBoardDirs.contains(dir) { givenBoardDirs.insert(dir, at: givenBoardDirs.count - extraBoardDirs.count) }
        }
        for path in paths {
            let search = givenBoardDirs.isEmpty ? boardSearchPaths
                : givenBoardDirs + (boardSearchPaths ?? BoardSearch.defaultPaths(siteDirectory: ConfigFile.directory(of: path)))
            switch load(path, boardSearchPaths: search) {
            case .failure(let e):
                result.status = invalidStatus
                result.stderr += e.issues.map(\.description)
            case .success(.board(let b)):
                result.stdout.append("OK: \(path): board \(b.name): \(summary(b))")
            case .success(.site(let c)):
                let s = c.site
                var line = "OK: \(path): site \(s.sensor.site), sensor \(s.sensor.id), mode \(s.sensor.mode.rawValue)"
                line += ", broker \(s.mqtt.host):\(s.mqtt.port) (\(s.mqtt.protocolVersion.rawValue)\(s.mqtt.tls != nil ? ", TLS" : ""))"
                line += ", clips off"  // `[clips] enabled = true` is refused: no clip capture in this version
                line += "; board \(c.board.name) (\(s.sensor.boardPath)): \(summary(c.board))"
                result.stdout.append(line)
            }
        }
        return result
    }

    /// The effective values of one file, defaults filled in, as TOML that is itself a
    /// valid file of the same kind (saved and shown again, it prints the same values).
    /// For a site file the board path is absolute, and the board's effective values
    /// follow as comments (`# ` lines), so the output stays one valid site file.
    /// Status 0, or 2 when invalid.
    public static func show(_ path: String, boardSearchPaths: [String]? = nil) -> ConfigCommandResult {
        switch load(path, boardSearchPaths: boardSearchPaths) {
        case .failure(let e):
            return ConfigCommandResult(status: invalidStatus, stdout: [], stderr: e.issues.map(\.description))
        case .success(.board(let b)):
            return ConfigCommandResult(status: 0, stdout: ["# \(path): effective board configuration", b.tomlText], stderr: [])
        case .success(.site(let c)):
            var site = c.site
            site.sensor.boardPath = ConfigFile.absolute(site.sensor.boardPath)
            let board = c.board.tomlText.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? "#" : "# " + $0 }.joined(separator: "\n")
            return ConfigCommandResult(status: 0, stdout: [
                "# \(path): effective site configuration", site.tomlText,
                "# \(site.sensor.boardPath): effective board configuration (comments: the board file is separate)", board,
            ], stderr: [])
        }
    }

    /// The kind of the file at `path`, nil when it cannot be read or parsed.
    static func kind(ofFile path: String) -> Kind? {
        guard let text = try? ConfigFile.read(path), let doc = try? TOMLDocument(parsing: text, file: path) else { return nil }
        return kind(of: doc.root)
    }

    /// A loaded file of either kind.
    public enum Loaded: Equatable, Sendable {
        case board(BoardConfig)
        case site(AgentConfig)
    }

    /// Loads `path` as whichever kind it is.
    public static func load(_ path: String, boardSearchPaths: [String]? = nil) -> Result<Loaded, ConfigError> {
        let text: String
        do { text = try ConfigFile.read(path) } catch {
            return .failure(ConfigError([ConfigIssue(file: path, message: error.message)]))
        }
        let doc: TOMLDocument
        do { doc = try TOMLDocument(parsing: text, file: path) } catch { return .failure(ConfigError(error)) }
        do {
            switch kind(of: doc.root) {
            case .board:
                return .success(.board(try BoardConfig.decode(doc.root, file: path)))
            case .site:
                let dir = ConfigFile.directory(of: path)
                let site = try SiteConfig.decode(doc.root, file: path, baseDirectory: dir,
                                                 boardSearchPaths: boardSearchPaths ?? BoardSearch.defaultPaths(siteDirectory: dir))
                let board = try BoardConfig.load(path: site.sensor.boardPath)
                try AgentConfig.crossCheck(site: site, board: board, siteFile: path)
                return .success(.site(AgentConfig(site: site, board: board)))
            case nil:
                return .failure(ConfigError([ConfigIssue(file: path, message: "neither a site file (it would have a [sensor] section) nor a board file (it would have `name` and [audio])")]))
            }
        } catch {
            return .failure(error)
        }
    }

    /// One line describing a board's capture, calibration, geometry and PTZ.
    public static func summary(_ b: BoardConfig) -> String {
        var s = "\(b.audio.channels) ch \(b.audio.format.rawValue) at \(b.audio.rate) Hz from \"\(b.audio.device)\""
        if let o = b.microphone.effectiveOffsetDB {
            s += ", 0 dBFS = \(ConfigReader.numberText(o)) dB SPL"
        } else {
            s += ", uncalibrated"
        }
        s += b.microphone.positionsM.isEmpty ? ", no array geometry" : ", \(b.microphone.positionsM.count)-mic geometry"
        if let g = b.gpio {
            switch g.wiring {
            case .lines(let l): s += ", PTZ \(l.count) lines on \(g.chip)"
            case .binary(let c, _): s += ", PTZ \(c.count)-bit code + strobe on \(g.chip)"
            }
        } else {
            s += ", no PTZ lines"
        }
        if let c = b.camera { s += ", \(c.presets.count) camera presets" }
        return s
    }
}
