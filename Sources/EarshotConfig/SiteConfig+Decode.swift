// Site file → `SiteConfig`, with validation that names file, field and value.

extension SiteConfig {
    static let topKeys = ["sensor", "mqtt", "outbox", "telemetry", "detection", "clips", "logging"]
    static let sensorKeys = ["id", "site", "board", "mode"]
    static let mqttKeys = ["host", "port", "protocol", "client_id", "username", "password", "password_file", "keepalive_s",
                           "tls", "topic_prefix", "reconnect_min_s", "reconnect_max_s", "home_assistant_discovery",
                           "command_key_file", "command_max_skew_s", "insecure_unsigned_commands"]
    static let tlsKeys = ["ca_file", "cert_file", "key_file"]
    static let outboxKeys = ["directory", "max_bytes"]
    static let telemetryKeys = ["interval_s"]
    static let detectionKeys = ["table", "thresholds"]
    static let thresholdKeys = ["loud_impulse_db_spl", "min_confidence", "min_snr_db"]
    static let clipKeys = ["enabled", "max_seconds", "max_count", "max_age_hours", "directory"]
    static let loggingKeys = ["level"]

    /// Parses and validates site file text. Relative paths are resolved
    /// against `baseDirectory` (the site file's directory); a bare board name
    /// is looked up as `<name>.toml` in `boardSearchPaths`.
    public static func parse(_ text: String, file: String, baseDirectory: String = ".",
                             boardSearchPaths: [String] = []) throws(ConfigError) -> SiteConfig {
        try decode(try ConfigFile.tomlRoot(text, file: file), file: file, baseDirectory: baseDirectory,
                   boardSearchPaths: boardSearchPaths)
    }

    /// Reads, parses and validates the site file at `path` (the board file is
    /// located but not loaded: see `AgentConfig.load`). With `boardOverride` (a
    /// `--board` file) the site's own `sensor.board` is not looked up: the override is used.
    public static func load(path: String, boardSearchPaths: [String]? = nil, boardOverride: String? = nil) throws(ConfigError) -> SiteConfig {
        let text = try ConfigFile.configText(at: path, name: path)
        let dir = ConfigFile.directory(of: path)
        return try decode(try ConfigFile.tomlRoot(text, file: path), file: path, baseDirectory: dir,
                          boardSearchPaths: boardSearchPaths ?? BoardSearch.defaultPaths(siteDirectory: dir), boardOverride: boardOverride)
    }

    static func isIdentifier(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 64 && s.utf8.allSatisfy(TOMLValue.isBareKeyByte)
    }

    /// Validates a parsed site table (`boardOverride`: use this board file instead of looking up `sensor.board`).
    public static func decode(_ root: TOMLTable, file: String, baseDirectory: String = ".",
                              boardSearchPaths: [String] = [], boardOverride: String? = nil) throws(ConfigError) -> SiteConfig {
        var r = ConfigReader(file: file)
        let path = { (p: String) in ConfigFile.resolve(p, relativeTo: baseDirectory) }
        r.checkKeys(root, path: "", allowed: topKeys)

        // [sensor]
        var sensor: SensorSettings?
        if let t = r.table(root, "", "sensor") {
            let p = "sensor"
            r.checkKeys(t, path: p, allowed: sensorKeys)
            let idRule = "1…64 characters from A-Z a-z 0-9 _ - (it is part of MQTT topics)"
            let id = r.string(t, p, "id", required: true, what: "the sensor id, \(idRule)")
            if let id, !isIdentifier(id) { r.fail(p, "id", .string(id), "must be \(idRule)") }
            let site = r.string(t, p, "site", required: true, what: "the site name, \(idRule)")
            if let site, !isIdentifier(site) { r.fail(p, "site", .string(site), "must be \(idRule)") }
            let board = r.string(t, p, "board", required: true, what: "a board name (generic) or a board file path (boards/x.toml)")
            var boardPath: String?
            if let boardOverride {
                boardPath = boardOverride
            } else if let board {
                switch BoardSearch.locate(board, baseDirectory: baseDirectory, searchPaths: boardSearchPaths) {
                case .success(let found): boardPath = found
                case .failure(let why): r.fail(p, "board", .string(board), why.message)
                }
            }
            var mode = OperatingMode.events
            if let m = r.choice(t, p, "mode", OperatingMode.allCases.map(\.rawValue)) { mode = OperatingMode(rawValue: m)! }
            if let id, let site, let board, let boardPath {
                sensor = SensorSettings(id: id, site: site, board: board, boardPath: boardPath, mode: mode)
            }
        } else if root["sensor"] == nil {
            r.fail("", "sensor", nil, "missing section [sensor] with `id`, `site` and `board`")
        }

        // [mqtt]
        var mqtt = MQTTSettings()
        if let s = sensor { mqtt.clientID = MQTTSettings.defaultClientID(site: s.site, id: s.id) }
        if let t = r.table(root, "", "mqtt") { decodeMQTT(t, into: &mqtt, path, &r) }

        // [outbox]
        var outbox = OutboxSettings()
        if let t = r.table(root, "", "outbox") {
            r.checkKeys(t, path: "outbox", allowed: outboxKeys)
            if let d = r.string(t, "outbox", "directory", what: "a directory path") { outbox.directory = path(d) }
            outbox.maxBytes = r.int(t, "outbox", "max_bytes", in: 65_536...(1 << 30), unit: "bytes (64 KiB … 1 GiB)") ?? outbox.maxBytes
        }

        // [telemetry]
        var telemetry = TelemetrySettings()
        if let t = r.table(root, "", "telemetry") {
            r.checkKeys(t, path: "telemetry", allowed: telemetryKeys)
            telemetry.intervalS = r.int(t, "telemetry", "interval_s", in: 1...3_600, unit: "s") ?? telemetry.intervalS
        }

        // [detection]
        var detection = DetectionSettings()
        if let t = r.table(root, "", "detection") {
            r.checkKeys(t, path: "detection", allowed: detectionKeys)
            if let f = r.string(t, "detection", "table", what: "the path of a signature table file") {
                detection.tablePath = path(f)
                if !ConfigFile.isFile(path(f)) { r.fail("detection", "table", .string(f), "no such file (looked for \(path(f)))") }
            }
            if let th = r.table(t, "detection", "thresholds") {
                let p = "detection.thresholds"
                r.checkKeys(th, path: p, allowed: thresholdKeys)
                detection.thresholds.loudImpulseDBSPL = r.double(th, p, "loud_impulse_db_spl", in: 60...160, unit: "dB SPL")
                detection.thresholds.minConfidence = r.double(th, p, "min_confidence", in: 0...1)
                detection.thresholds.minSNRDB = r.double(th, p, "min_snr_db", in: 0...60, unit: "dB")
            }
        }

        // [clips]
        var clips = ClipSettings()
        if let t = r.table(root, "", "clips") {
            let p = "clips"
            let why = "clips are bounded by design (privacy); unlimited values are refused"
            r.checkKeys(t, path: p, allowed: clipKeys)
            // Nothing captures clips yet: accepting `enabled = true` would report "clips on"
            // to the operator while no audio is kept. Refused until clip capture exists.
            if r.bool(t, p, "enabled") == true {
                r.fail(p, "enabled", .boolean(true), "clip capture is not implemented in this version; "
                       + "set enabled = false or remove the line (the limits below are still checked)")
            }
            clips.maxSeconds = r.int(t, p, "max_seconds", in: 1...ClipSettings.maxSecondsLimit, unit: "s; \(why)") ?? clips.maxSeconds
            clips.maxCount = r.int(t, p, "max_count", in: 1...1_000, unit: "clips; \(why)") ?? clips.maxCount
            clips.maxAgeHours = r.int(t, p, "max_age_hours", in: 1...720, unit: "hours (30 days); \(why)") ?? clips.maxAgeHours
            if let d = r.string(t, p, "directory", what: "a directory path") { clips.directory = path(d) }
        }

        // [logging]
        var logging = LoggingSettings()
        if let t = r.table(root, "", "logging") {
            r.checkKeys(t, path: "logging", allowed: loggingKeys)
            if let l = r.choice(t, "logging", "level", LoggingSettings.Level.allCases.map(\.rawValue)) {
                logging.level = LoggingSettings.Level(rawValue: l)!
            }
        }

        guard r.issues.isEmpty, let sensor else { throw ConfigError(r.issues) }
        return SiteConfig(sensor: sensor, mqtt: mqtt, outbox: outbox, telemetry: telemetry, detection: detection,
                          clips: clips, logging: logging)
    }

    private static func decodeMQTT(_ t: TOMLTable, into m: inout MQTTSettings, _ path: (String) -> String, _ r: inout ConfigReader) {
        let p = "mqtt"
        r.checkKeys(t, path: p, allowed: mqttKeys)
        if let h = r.string(t, p, "host", what: "a host name or IP address") {
            let colons = h.split(separator: ":", omittingEmptySubsequences: false)
            let hasPort = colons.count == 2 && !colons[1].isEmpty && colons[1].allSatisfy(\.isNumber)
            if h.contains(" ") || h.contains("/") || hasPort {
                r.fail(p, "host", .string(h), "must be a bare host name or IP address (no scheme, port or path); put the port in `port`")
            }
            m.host = h
        }
        if let v = r.choice(t, p, "protocol", MQTTSettings.ProtocolVersion.allCases.map(\.rawValue)) {
            m.protocolVersion = MQTTSettings.ProtocolVersion(rawValue: v)!
        }
        if let c = r.string(t, p, "client_id", what: "an MQTT client id, 1…64 characters") {
            if c.utf8.count > 64 { r.fail(p, "client_id", .string(c), "must be 1…64 characters") } else { m.clientID = c }
        }
        m.username = r.string(t, p, "username")
        let inline = r.string(t, p, "password", nonEmpty: false)
        let file = r.string(t, p, "password_file", what: "the path of a file holding the password")
        if inline != nil && file != nil {
            r.fail(p, "password_file", t["password_file"], "set either `password` or `password_file`, not both")
        } else if let inline {
            m.password = .inline(inline)
        } else if let file {
            m.password = .file(path(file))
            if !ConfigFile.isFile(path(file)) { r.fail(p, "password_file", .string(file), "no such file (looked for \(path(file)))") }
        }
        if m.password != nil && m.username == nil {
            r.fail(p, inline != nil ? "password" : "password_file", inline != nil ? .string("…") : t["password_file"],
                   "a password needs a `username`")
        }
        m.keepaliveS = r.int(t, p, "keepalive_s", in: 5...3_600, unit: "s") ?? m.keepaliveS
        if let tt = r.table(t, p, "tls") {
            let tp = "mqtt.tls"
            r.checkKeys(tt, path: tp, allowed: tlsKeys)
            let ca = r.string(tt, tp, "ca_file", required: true, what: "the PEM file of the CA that signed the broker's certificate")
            let cert = r.string(tt, tp, "cert_file", what: "a PEM client certificate")
            let key = r.string(tt, tp, "key_file", what: "a PEM private key")
            if (cert == nil) != (key == nil) {
                r.fail(tp, cert == nil ? "key_file" : "cert_file", tt[cert == nil ? "key_file" : "cert_file"],
                       "a client certificate needs both `cert_file` and `key_file`")
            }
            for (k, f) in [("ca_file", ca), ("cert_file", cert), ("key_file", key)] {
                if let f, !ConfigFile.isFile(path(f)) { r.fail(tp, k, .string(f), "no such file (looked for \(path(f)))") }
            }
            if let ca { m.tls = MQTTSettings.TLS(caFile: path(ca), certFile: cert.map(path), keyFile: key.map(path)) }
        }
        m.port = m.tls == nil ? 1883 : 8883
        if let port = r.int(t, p, "port", in: 1...65_535) { m.port = port }
        if let prefix = r.string(t, p, "topic_prefix", what: "MQTT topic levels such as \"earshot/v1\"") {
            let levels = prefix.split(separator: "/", omittingEmptySubsequences: false)
            if prefix.contains("+") || prefix.contains("#") || levels.contains(where: \.isEmpty) {
                r.fail(p, "topic_prefix", .string(prefix), "must be topic levels separated by '/', without wildcards (+ #), empty levels or leading/trailing '/'")
            } else {
                m.topicPrefix = prefix
            }
        }
        let minS = r.double(t, p, "reconnect_min_s", in: 0.1...300, unit: "s")
        let maxS = r.double(t, p, "reconnect_max_s", in: 1...3_600, unit: "s")
        m.reconnectMinS = minS ?? m.reconnectMinS
        m.reconnectMaxS = maxS ?? m.reconnectMaxS
        if m.reconnectMaxS < m.reconnectMinS {
            r.fail(p, "reconnect_max_s", .float(m.reconnectMaxS), "must be ≥ reconnect_min_s (\(ConfigReader.numberText(m.reconnectMinS)) s)")
        }
        m.homeAssistantDiscovery = r.bool(t, p, "home_assistant_discovery") ?? false
        if let f = r.string(t, p, "command_key_file", what: "the path of the file holding the command key") {
            m.commandKeyFile = path(f)
            if let why = CommandKeyFile.problem(path(f)) { r.fail(p, "command_key_file", .string(f), why) }
        }
        m.commandMaxSkewS = r.int(t, p, "command_max_skew_s", in: 1...3_600, unit: "s") ?? m.commandMaxSkewS
        m.insecureUnsignedCommands = r.bool(t, p, "insecure_unsigned_commands") ?? false
    }
}
