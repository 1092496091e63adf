// The whole configuration `earshot run` starts from: a site file and the board
// file it names, checked against each other.

/// A site and its board, validated together.
public struct AgentConfig: Equatable, Sendable {
    public var site: SiteConfig
    public var board: BoardConfig

    public init(site: SiteConfig, board: BoardConfig) {
        self.site = site
        self.board = board
    }

    /// Loads the site file at `sitePath` and the board it names; checks the
    /// rules that span both (mode `events+ptz` needs `[gpio]` on the board).
    /// `boardSearchPaths` defaults to `BoardSearch.defaultPaths`.
    public static func load(sitePath: String, boardSearchPaths: [String]? = nil) throws(ConfigError) -> AgentConfig {
        let site = try SiteConfig.load(path: sitePath, boardSearchPaths: boardSearchPaths)
        let board = try BoardConfig.load(path: site.sensor.boardPath)
        try crossCheck(site: site, board: board, siteFile: sitePath)
        return AgentConfig(site: site, board: board)
    }

    /// Rules that involve both files.
    public static func crossCheck(site: SiteConfig, board: BoardConfig, siteFile: String) throws(ConfigError) {
        var issues: [ConfigIssue] = []
        if site.sensor.mode == .eventsPTZ && board.gpio == nil {
            issues.append(ConfigIssue(file: siteFile, field: "sensor.mode", value: "\"events+ptz\"",
                                      message: "board \(board.name) (\(site.sensor.boardPath)) has no [gpio] section, so the camera cannot be steered; use mode \"events\" or a board with PTZ lines"))
        }
        if site.detection.thresholds.loudImpulseDBSPL != nil && board.microphone.effectiveOffsetDB == nil {
            issues.append(ConfigIssue(file: siteFile, field: "detection.thresholds.loud_impulse_db_spl",
                                      value: ConfigReader.numberText(site.detection.thresholds.loudImpulseDBSPL!),
                                      message: "needs a calibrated microphone: board \(board.name) has neither microphone.calibration_offset_db nor microphone.sensitivity_dbfs (run `earshot calibrate`)"))
        }
        if !issues.isEmpty { throw ConfigError(issues) }
    }
}
