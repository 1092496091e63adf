// Effective configuration as TOML (`earshot config show`): every field with
// its default filled in and paths resolved. The output parses back into the
// same values.

private func q(_ s: String) -> String { TOMLValue.quoted(s) }
private func num(_ d: Double) -> String { TOMLValue.floatText(d) }
private func point(_ p: ArrayPoint) -> String { "[\(num(p.x)), \(num(p.y)), \(num(p.z))]" }
private func lines(_ l: [GPIOLineRef]) -> String { "[" + l.map(\.description).joined(separator: ", ") + "]" }

extension BoardConfig {
    /// The board with every default made explicit, as a TOML board file.
    public var tomlText: String {
        var s = "name = \(q(name))\ndescription = \(q(description))\n\n[audio]\n"
        s += "device = \(q(audio.device))\nrate = \(audio.rate)\nchannels = \(audio.channels)\n"
        s += "format = \(q(audio.format.rawValue))\nperiod_frames = \(audio.periodFrames)\nbuffer_frames = \(audio.bufferFrames)\n"
        switch audio.analysisChannel {
        case .mean: s += "analysis_channel = \"mean\"\n"
        case .index(let i): s += "analysis_channel = \(i)\n"
        }
        s += "\n[microphone]\n"
        if let v = microphone.sensitivityDBFS { s += "sensitivity_dbfs = \(num(v))\n" }
        if let v = microphone.calibrationOffsetDB { s += "calibration_offset_db = \(num(v))\n" }
        if let v = microphone.effectiveOffsetDB {
            s += "# effective: 0 dBFS = \(ConfigReader.numberText(v)) dB SPL\n"
        } else {
            s += "# uncalibrated: levels are reported in dBFS only\n"
        }
        if !microphone.positionsM.isEmpty {
            s += "positions_m = [\n" + microphone.positionsM.map { "  \(point($0)),\n" }.joined() + "]\n"
        }
        if let g = gpio {
            s += "\n[gpio]\nchip = \(q(g.chip))\n"
            switch g.wiring {
            case .lines(let l): s += "wiring = \"lines\"\nlines = \(lines(l))\n"
            case .binary(let code, let strobe): s += "wiring = \"binary\"\ncode_lines = \(lines(code))\nstrobe_line = \(strobe)\n"
            }
            s += "active_low = \(g.activeLow)\nidle_level = \(q(g.idleLevel.rawValue))\n"
            s += "pulse_ms = \(g.pulseMs)\ncooldown_ms = \(g.cooldownMs)\n# presets selectable: 1…\(g.presetCount)\n"
        }
        if let c = camera {
            s += "\n[camera]\nposition_m = \(point(c.positionM))\nassumed_source_distance_m = \(num(c.assumedSourceDistanceM))\n"
            s += "hysteresis_deg = \(num(c.hysteresisDeg))\ndead_zone_deg = \(num(c.deadZoneDeg))\n"
            for p in c.presets {
                s += "\n[[camera.preset]]\nnumber = \(p.number)\nazimuth_deg = \(num(p.azimuthDeg))\n"
                if let l = p.label { s += "label = \(q(l))\n" }
            }
        }
        return s
    }
}

extension SiteConfig {
    /// The site with every default made explicit and paths resolved, as a
    /// TOML site file. An inline password is shown as `"********"`.
    public var tomlText: String {
        var s = "[sensor]\nid = \(q(sensor.id))\nsite = \(q(sensor.site))\nboard = \(q(sensor.boardPath))\n"
        s += "mode = \(q(sensor.mode.rawValue))\n\n[mqtt]\n"
        s += "host = \(q(mqtt.host))\nport = \(mqtt.port)\nprotocol = \(q(mqtt.protocolVersion.rawValue))\n"
        s += "client_id = \(q(mqtt.clientID))\n"
        if let u = mqtt.username { s += "username = \(q(u))\n" }
        switch mqtt.password {
        case .inline: s += "password = \"********\"\n"
        case .file(let f): s += "password_file = \(q(f))\n"
        case nil: break
        }
        s += "keepalive_s = \(mqtt.keepaliveS)\ntopic_prefix = \(q(mqtt.topicPrefix))\n"
        s += "reconnect_min_s = \(num(mqtt.reconnectMinS))\nreconnect_max_s = \(num(mqtt.reconnectMaxS))\n"
        s += "home_assistant_discovery = \(mqtt.homeAssistantDiscovery)\n"
        if let k = mqtt.commandKeyFile { s += "command_key_file = \(q(k))\n" }
        s += "command_max_skew_s = \(mqtt.commandMaxSkewS)\ninsecure_unsigned_commands = \(mqtt.insecureUnsignedCommands)\n"
        if let t = mqtt.tls {
            s += "\n[mqtt.tls]\nca_file = \(q(t.caFile))\n"
            if let c = t.certFile { s += "cert_file = \(q(c))\n" }
            if let k = t.keyFile { s += "key_file = \(q(k))\n" }
        }
        s += "\n[outbox]\ndirectory = \(q(outbox.directory))\nmax_bytes = \(outbox.maxBytes)\n"
        s += "\n[telemetry]\ninterval_s = \(telemetry.intervalS)\n\n[detection]\n"
        if let t = detection.tablePath { s += "table = \(q(t))\n" } else { s += "# table: the built-in signature table\n" }
        let th = detection.thresholds
        if th.loudImpulseDBSPL != nil || th.minConfidence != nil || th.minSNRDB != nil {
            s += "\n[detection.thresholds]\n"
            if let v = th.loudImpulseDBSPL { s += "loud_impulse_db_spl = \(num(v))\n" }
            if let v = th.minConfidence { s += "min_confidence = \(num(v))\n" }
            if let v = th.minSNRDB { s += "min_snr_db = \(num(v))\n" }
        }
        s += "\n[clips]\nenabled = \(clips.enabled)\nmax_seconds = \(clips.maxSeconds)\nmax_count = \(clips.maxCount)\n"
        s += "max_age_hours = \(clips.maxAgeHours)\ndirectory = \(q(clips.directory))\n"
        s += "\n[logging]\nlevel = \(q(logging.level.rawValue))\n"
        return s
    }
}
