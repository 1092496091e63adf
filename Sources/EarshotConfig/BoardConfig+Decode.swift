// Board file → `BoardConfig`, with validation that names file, field and value.

extension BoardConfig {
    /// Top-level keys and sections of a board file.
    static let topKeys = ["name", "description", "audio", "microphone", "gpio", "camera"]
    static let audioKeys = ["device", "rate", "channels", "format", "period_frames", "buffer_frames", "analysis_channel"]
    static let microphoneKeys = ["sensitivity_dbfs", "calibration_offset_db", "positions_m"]
    static let gpioKeys = ["chip", "wiring", "lines", "code_lines", "strobe_line", "active_low", "idle_level", "pulse_ms", "cooldown_ms"]
    static let cameraKeys = ["position_m", "assumed_source_distance_m", "hysteresis_deg", "dead_zone_deg", "preset"]
    static let presetKeys = ["number", "azimuth_deg", "label"]

    /// Parses and validates board file text; `file` names it in messages.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> BoardConfig {
        try decode(try ConfigFile.tomlRoot(text, file: file), file: file)
    }

    /// Reads, parses and validates the board file at `path`.
    public static func load(path: String, displayName: String? = nil) throws(ConfigError) -> BoardConfig {
        let name = displayName ?? path
        return try parse(try ConfigFile.configText(at: path, name: name), file: name)
    }

    /// Validates a parsed board table.
    public static func decode(_ root: TOMLTable, file: String) throws(ConfigError) -> BoardConfig {
        var r = ConfigReader(file: file)
        r.checkKeys(root, path: "", allowed: topKeys)
        let name = r.string(root, "", "name", required: true, what: "the board's short name")
        let description = r.string(root, "", "description", nonEmpty: false) ?? ""
        var audio: AudioSettings?
        if let t = r.table(root, "", "audio") {
            audio = decodeAudio(t, &r)
        } else if root["audio"] == nil {
            r.fail("", "audio", nil, "missing section [audio]; a board file needs at least `name` and [audio] with `rate`")
        }
        let channels = audio?.channels ?? 1
        let microphone = r.table(root, "", "microphone").map { decodeMicrophone($0, channels: channels, &r) } ?? MicrophoneSettings()
        let gpio = r.table(root, "", "gpio").flatMap { decodeGPIO($0, &r) }
        var camera: CameraSettings?
        if let t = r.table(root, "", "camera") {
            camera = decodeCamera(t, gpio: gpio, &r)
            if root["gpio"] == nil {
                r.fail("", "camera", nil, "needs a [gpio] section: presets are selected through the trigger lines")
            }
        }
        guard r.issues.isEmpty, let name, let audio else { throw ConfigError(r.issues) }
        return BoardConfig(name: name, description: description, audio: audio, microphone: microphone, gpio: gpio, camera: camera)
    }

    private static func decodeAudio(_ t: TOMLTable, _ r: inout ConfigReader) -> AudioSettings? {
        let p = "audio"
        r.checkKeys(t, path: p, allowed: audioKeys)
        let device = r.string(t, p, "device", what: "an ALSA PCM name such as \"default\" or \"hw:CARD=…,DEV=0\"") ?? "default"
        var rate: Int?
        if let v = t["rate"] {
            if case .integer(let i) = v, AudioSettings.supportedRates.contains(Int(i)) {
                rate = Int(i)
            } else {
                r.fail(p, "rate", v, "supported rates are 16000 and 48000 (Hz)")
            }
        } else {
            r.fail(p, "rate", nil, "missing; required: 16000 or 48000 (Hz)")
        }
        let channels = r.int(t, p, "channels", in: 1...8) ?? 1
        var format = AudioSettings.SampleFormat.s16LE
        if let f = r.choice(t, p, "format", AudioSettings.SampleFormat.allCases.map(\.rawValue)) {
            format = AudioSettings.SampleFormat(rawValue: f)!
        }
        let period = r.int(t, p, "period_frames", in: 16...65_536, unit: "frames")
        let buffer = r.int(t, p, "buffer_frames", in: 32...1_048_576, unit: "frames")
        var analysis = AudioSettings.AnalysisChannel.index(0)
        if let v = t["analysis_channel"] {
            switch v {
            case .string("mean"): analysis = .mean
            case .integer(let i) where i >= 0 && i < channels: analysis = .index(Int(i))
            default: r.fail(p, "analysis_channel", v, "must be a channel index 0…\(channels - 1) or \"mean\"")
            }
        }
        guard let rate else { return nil }
        let s = AudioSettings(device: device, rate: rate, channels: channels, format: format,
                              periodFrames: period, bufferFrames: buffer, analysisChannel: analysis)
        if s.bufferFrames < 2 * s.periodFrames {
            r.fail(p, "buffer_frames", .integer(Int64(s.bufferFrames)),
                   "must hold at least 2 periods (period_frames = \(s.periodFrames), so ≥ \(2 * s.periodFrames))")
        }
        return s
    }

    private static func decodeMicrophone(_ t: TOMLTable, channels: Int, _ r: inout ConfigReader) -> MicrophoneSettings {
        let p = "microphone"
        r.checkKeys(t, path: p, allowed: microphoneKeys)
        var m = MicrophoneSettings()
        m.sensitivityDBFS = r.double(t, p, "sensitivity_dbfs", in: -80...0, unit: "dBFS at 94 dB SPL")
        m.calibrationOffsetDB = r.double(t, p, "calibration_offset_db", in: 60...160, unit: "dB SPL at 0 dBFS")
        if let v = t["positions_m"] {
            let points = decodePoints(v)
            if let points {
                if points.count != channels {
                    r.fail(p, "positions_m", v, "has \(points.count) positions but audio.channels = \(channels); give one [x, y, z] per channel")
                } else if let bad = points.first(where: { max(abs($0.x), abs($0.y), abs($0.z)) > 1 }) {
                    r.fail(p, "positions_m", v, "position [\(bad.x), \(bad.y), \(bad.z)] is more than 1 m from the array centre; coordinates are in metres")
                } else if let (i, j) = firstClosePair(points, within: 0.001) {
                    r.fail(p, "positions_m", v, "channels \(i) and \(j) are less than 1 mm apart; each microphone needs its own position")
                } else {
                    m.positionsM = points
                }
            } else {
                r.fail(p, "positions_m", v, "must be an array of [x, y, z] triples of numbers (metres), one per channel")
            }
        }
        return m
    }

    static func decodePoint(_ v: TOMLValue) -> ArrayPoint? {
        guard case .array(let xyz) = v, xyz.count == 3 else { return nil }
        let n = xyz.compactMap(ConfigReader.number)
        guard n.count == 3 else { return nil }
        return ArrayPoint(x: n[0], y: n[1], z: n[2])
    }

    private static func decodePoints(_ v: TOMLValue) -> [ArrayPoint]? {
        guard case .array(let items) = v else { return nil }
        let points = items.compactMap(decodePoint)
        return points.count == items.count ? points : nil
    }

    private static func firstClosePair(_ p: [ArrayPoint], within d: Double) -> (Int, Int)? {
        for i in p.indices {
            for j in p.indices where j > i {
                let dx = p[i].x - p[j].x, dy = p[i].y - p[j].y, dz = p[i].z - p[j].z
                if (dx * dx + dy * dy + dz * dz).squareRoot() < d { return (i, j) }
            }
        }
        return nil
    }

    private static func decodeLine(_ v: TOMLValue) -> GPIOLineRef? {
        switch v {
        case .integer(let i) where i >= 0 && i <= 1023: return .offset(Int(i))
        case .string(let s) where !s.isEmpty: return .name(s)
        default: return nil
        }
    }

    private static func decodeLines(_ t: TOMLTable, _ p: String, _ key: String, max: Int, _ r: inout ConfigReader) -> [GPIOLineRef]? {
        guard let v = t[key] else {
            r.fail(p, key, nil, "missing; required: an array of 1…\(max) line offsets (0…1023) or line names")
            return nil
        }
        guard case .array(let items) = v, !items.isEmpty, items.count <= max else {
            r.fail(p, key, v, "must be an array of 1…\(max) line offsets (0…1023) or line names")
            return nil
        }
        let lines = items.compactMap(decodeLine)
        guard lines.count == items.count else {
            r.fail(p, key, v, "each line must be an offset 0…1023 or a non-empty line name")
            return nil
        }
        return lines
    }

    private static func decodeGPIO(_ t: TOMLTable, _ r: inout ConfigReader) -> GPIOSettings? {
        let p = "gpio"
        r.checkKeys(t, path: p, allowed: gpioKeys)
        let chip = r.string(t, p, "chip", required: true, what: "a chip name (gpiochip0), label (pinctrl-bcm2711) or path (/dev/gpiochip0)")
        let wiringName = r.choice(t, p, "wiring", ["lines", "binary"], required: true)
        var wiring: GPIOSettings.Wiring?
        if wiringName == "lines" {
            for k in ["code_lines", "strobe_line"] where t[k] != nil {
                r.fail(p, k, t[k], "only used with wiring = \"binary\"; with wiring = \"lines\" list one line per preset in `lines`")
            }
            if let l = decodeLines(t, p, "lines", max: 16, &r) { wiring = .lines(l) }
        } else if wiringName == "binary" {
            if t["lines"] != nil {
                r.fail(p, "lines", t["lines"], "only used with wiring = \"lines\"; with wiring = \"binary\" use `code_lines` and `strobe_line`")
            }
            let code = decodeLines(t, p, "code_lines", max: 6, &r)
            var strobe: GPIOLineRef?
            if let v = t["strobe_line"] {
                strobe = decodeLine(v)
                if strobe == nil { r.fail(p, "strobe_line", v, "must be a line offset 0…1023 or a non-empty line name") }
            } else {
                r.fail(p, "strobe_line", nil, "missing; required with wiring = \"binary\": the line pulsed once the code is set")
            }
            if let code, let strobe { wiring = .binary(code: code, strobe: strobe) }
        }
        let activeLow = r.bool(t, p, "active_low") ?? false
        var idle: GPIOSettings.Level?
        if let s = r.choice(t, p, "idle_level", ["low", "high"]) {
            idle = GPIOSettings.Level(rawValue: s)
            let inactive: GPIOSettings.Level = activeLow ? .high : .low
            if idle != inactive {
                r.fail(p, "idle_level", t["idle_level"],
                       "must be the inactive level, \"\(inactive.rawValue)\", because active_low = \(activeLow); lines rest inactive and are pulsed active")
            }
        }
        let pulse = r.int(t, p, "pulse_ms", in: 1...10_000, unit: "ms")
        let cooldown = r.int(t, p, "cooldown_ms", in: 0...3_600_000, unit: "ms")
        guard let chip, let wiring else { return nil }
        let g = GPIOSettings(chip: chip, wiring: wiring, activeLow: activeLow, idleLevel: idle, pulseMs: pulse ?? 200, cooldownMs: cooldown ?? 5_000)
        var seen: [GPIOLineRef] = []
        for l in g.allLines {
            if seen.contains(l) {
                r.fail(p, wiringName == "binary" ? "code_lines" : "lines", .string(l.description),
                       "line \(l) is used twice; each preset (and the strobe) needs its own line")
                break
            }
            seen.append(l)
        }
        return g
    }

    private static func decodeCamera(_ t: TOMLTable, gpio: GPIOSettings?, _ r: inout ConfigReader) -> CameraSettings? {
        let p = "camera"
        r.checkKeys(t, path: p, allowed: cameraKeys)
        var position = ArrayPoint(x: 0, y: 0, z: 0)
        if let v = t["position_m"] {
            if let pt = decodePoint(v), max(abs(pt.x), abs(pt.y), abs(pt.z)) <= 100 {
                position = pt
            } else {
                r.fail(p, "position_m", v, "must be [x, y, z] in metres from the array centre (array frame), each within ±100 m")
            }
        }
        let distance = r.double(t, p, "assumed_source_distance_m", in: 1...1_000, unit: "m") ?? 15
        let hysteresis = r.double(t, p, "hysteresis_deg", in: 0...90, unit: "degrees") ?? 10
        let deadZone = r.double(t, p, "dead_zone_deg", in: 0...90, unit: "degrees") ?? 5
        var presets: [CameraSettings.Preset] = []
        let tables = r.tables(t, p, "preset")
        if tables.isEmpty && t["preset"] == nil {
            r.fail(p, "preset", nil, "missing; add one [[camera.preset]] section per preset with `number` and `azimuth_deg`")
        }
        for (k, pt) in tables.enumerated() {
            let pp = "camera.preset[\(k)]"
            r.checkKeys(pt, path: pp, allowed: presetKeys)
            let limit = gpio?.presetCount ?? 64
            let number = r.int(pt, pp, "number", in: 1...max(1, limit), required: true,
                               unit: gpio == nil ? "" : "(the [gpio] wiring selects presets 1…\(limit))")
            let az = r.double(pt, pp, "azimuth_deg", in: -180...360, required: true, unit: "degrees")
            let label = r.string(pt, pp, "label")
            if let number, let az {
                if presets.contains(where: { $0.number == number }) {
                    r.fail(pp, "number", .integer(Int64(number)), "preset \(number) is listed twice")
                }
                presets.append(CameraSettings.Preset(number: number, azimuthDeg: az, label: label))
            }
        }
        return CameraSettings(positionM: position, assumedSourceDistanceM: distance, hysteresisDeg: hysteresis,
                              deadZoneDeg: deadZone, presets: presets)
    }
}
