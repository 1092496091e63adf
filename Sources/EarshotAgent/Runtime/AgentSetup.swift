// Configuration → parts: the files `earshot run` reads, turned into the
// settings of the signature table, the MQTT publisher and the analysis.
import EarshotConfig
import EarshotDetection
import EarshotMQTT
import EarshotSignatures
#if canImport(Glibc)
import Glibc
#endif

/// The validated inputs of one agent generation (start or SIGHUP reload).
public struct AgentPlan: Sendable {
    /// Site and board, checked against each other.
    public var config: AgentConfig
    /// Signature table with the site's threshold overrides applied.
    public var table: SignatureTable
    /// MQTT publisher settings.
    public var mqtt: MQTTConfiguration

    /// Loads the site file, the board (`options.boardPath` overrides the site's) and
    /// the signature table. - Throws: `AgentError(.config)` naming file and field.
    public static func load(_ options: AgentOptions) throws(AgentError) -> AgentPlan {
        var config: AgentConfig
        do {
            if let boardOption = options.boardPath {
                // `--board` (a path or a bare name) replaces the site's board: the site's own is not looked up.
                let boardPath = try BoardChoice.locate(boardOption, sitePath: options.sitePath)
                let site = try SiteConfig.load(path: options.sitePath, boardOverride: boardPath)
                let board = try BoardConfig.load(path: boardPath)
                try AgentConfig.crossCheck(site: site, board: board, siteFile: options.sitePath)
                config = AgentConfig(site: site, board: board)
            } else {
                config = try AgentConfig.load(sitePath: options.sitePath)
            }
        } catch {
            throw AgentError(.config, error.description)
        }
        if let level = options.logLevel { config.site.logging.level = level }
        let table = try loadTable(config.site.detection)
        var mqtt = try mqttConfiguration(config.site, table: table)
        // Telemetry is dB SPL (LAeq in dB(A)) only on a calibrated board, dBFS otherwise: discovery says which.
        mqtt.levelsCalibrated = config.board.microphone.effectiveOffsetDB != nil
        return AgentPlan(config: config, table: table, mqtt: mqtt)
    }

    /// The table file (or the built-in table) with `[detection.thresholds]` applied.
    static func loadTable(_ d: DetectionSettings) throws(AgentError) -> SignatureTable {
        var table: SignatureTable
        if let path = d.tablePath {
            do { table = try SignatureFile.load(path: path) } catch { throw AgentError(.config, error.description) }
        } else {
            table = DefaultSignatures.table
        }
        let t = d.thresholds
        for i in 0..<table.count {
            var s = table[i]
            if let c = t.minConfidence { s.minConfidence = UInt16(max(0, min(65_535, (c * 65_535).rounded()))) }
            if let snr = t.minSNRDB { s.minSNR = Int16(max(0, min(60 * 256, (snr * 256).rounded()))) }
            if let spl = t.loudImpulseDBSPL, s.soundClass == .loudImpulse {
                s.minLevelSPL = Int16(max(-32_000, min(32_000, (spl * 256).rounded())))
            }
            table[i] = s
        }
        return table
    }

    /// `[mqtt]` + `[outbox]` → publisher configuration (password file read here).
    public static func mqttConfiguration(_ site: SiteConfig, table: SignatureTable) throws(AgentError) -> MQTTConfiguration {
        let s = site.mqtt
        var m = MQTTConfiguration(site: site.sensor.site, sensor: site.sensor.id, outboxDirectory: site.outbox.directory)
        m.host = s.host
        m.port = s.port
        m.protocolVersion = s.protocolVersion == .v5 ? .v5 : .v311
        m.clientID = s.clientID
        m.username = s.username
        switch s.password {
        case .inline(let p): m.password = p
        case .file(let path):
            do {
                let text = try ConfigFile.read(path)
                m.password = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
            } catch {
                throw AgentError(.config, "mqtt.password_file \(path): \(error.message)")
            }
        case nil: m.password = nil
        }
        if let tls = s.tls { m.tls = MQTTTLSConfiguration(caFile: tls.caFile, certFile: tls.certFile, keyFile: tls.keyFile) }
        m.keepAliveSeconds = s.keepaliveS
        m.reconnect = ReconnectPolicy(initialDelayMs: max(1, Int(s.reconnectMinS * 1000)),
                                      maxDelayMs: max(1, Int(s.reconnectMaxS * 1000)))
        m.topicPrefix = s.topicPrefix
        m.outbox = OutboxOptions(capacityBytes: site.outbox.maxBytes)
        m.homeAssistantDiscovery = s.homeAssistantDiscovery
        var key: [UInt8]?
        if let file = s.commandKeyFile { key = try CommandKeyFile.read(file) }
        m.commandAuthentication = CommandAuthentication(key: key, maxSkewSeconds: s.commandMaxSkewS,
                                                        allowUnsigned: s.insecureUnsignedCommands)
        m.homeAssistantEventClasses = (0..<table.count).map { table.className(of: table[$0].soundClass) }
        return m
    }

    /// dB SPL at 0 dBFS from the board (nil: uncalibrated).
    public var splOffsetDB: Double? { config.board.microphone.effectiveOffsetDB }
}
