// Helpers for the `earshot run` tests: synthesised street audio, site/board
// files, and an `earshot run` child process whose stderr is collected.
import EarshotDSP
import EarshotDetection
import EarshotSignatures
import EarshotTestSupport
import Foundation
import Testing

/// Every `earshot run` suite, one after the other: the agents replay audio in real
/// time or as fast as they can, and would starve each other on a 2-core machine.
@Suite("earshot run", .serialized)
struct RunAgentTests {}

/// Synthesised test audio at 16 kHz: pink-ish noise floor plus known events.
enum RunAudio {
    static let rate = 16_000

    /// A deterministic LCG in [-1, 1).
    struct Noise {
        var state: UInt32
        mutating func next() -> Double {
            state = state &* 1_664_525 &+ 1_013_904_223
            return Double(Int32(bitPattern: state)) / 2_147_483_648
        }
    }

    /// Background noise at about −50 dBFS for `seconds`.
    static func background(seconds: Double, seed: UInt32 = 7) -> [Double] {
        var n = Noise(state: seed)
        return (0..<Int(seconds * Double(rate))).map { _ in n.next() * 0.006 }
    }

    /// Adds a shot-like burst at `at` seconds: broadband, instant attack, 25 ms decay.
    static func addShot(_ x: inout [Double], at: Double, seed: UInt32 = 99) {
        var n = Noise(state: seed)
        let start = Int(at * Double(rate))
        for k in 0..<Int(0.25 * Double(rate)) where start + k < x.count {
            x[start + k] += n.next() * 0.8 * exp(-Double(k) / (0.025 * Double(rate)))
        }
    }

    /// Adds a horn-like harmonic tone (420 Hz and 3 harmonics) from `at` for `duration` s.
    static func addHorn(_ x: inout [Double], at: Double, duration: Double) {
        let start = Int(at * Double(rate))
        let partials: [(Double, Double)] = [(420, 0.18), (840, 0.09), (1_260, 0.045), (1_680, 0.025)]
        for k in 0..<Int(duration * Double(rate)) where start + k < x.count {
            let t = Double(k) / Double(rate)
            let ramp = min(1, Double(k) / 80, Double(Int(duration * Double(rate)) - k) / 80)
            x[start + k] += ramp * partials.reduce(0) { $0 + $1.1 * sin(2 * Double.pi * $1.0 * t) }
        }
    }

    /// Q15 little-endian bytes (rounded, saturated).
    static func pcm16(_ x: [Double]) -> Data {
        var d = Data(capacity: x.count * 2)
        for v in x {
            let s = Int16(max(-32_768, min(32_767, (v * 32_768).rounded())))
            withUnsafeBytes(of: s.littleEndian) { d.append(contentsOf: $0) }
        }
        return d
    }

    /// A mono 16-bit WAV file.
    static func wav(_ x: [Double]) -> Data {
        let pcm = pcm16(x)
        var d = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: Array("RIFF".utf8)); u32(UInt32(36 + pcm.count)); d.append(contentsOf: Array("WAVE".utf8))
        d.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(1); u32(UInt32(rate)); u32(UInt32(rate * 2)); u16(2); u16(16)
        d.append(contentsOf: Array("data".utf8)); u32(UInt32(pcm.count)); d.append(pcm)
        return d
    }

    /// True when the analysis chain reports onsets (rise rate or onset offset) for a
    /// burst: impulsive classes can only be detected once it does.
    static func chainReportsOnsets() -> Bool {
        var x = background(seconds: 1)
        addShot(&x, at: 0.5)
        var chain = AnalysisChain(config: AnalysisConfig(sampleRate: Int32(rate)))
        var frame = FeatureFrame()
        let q = x.map { Int16(max(-32_768, min(32_767, ($0 * 32_768).rounded()))) }
        var seen = false
        q.withUnsafeBufferPointer { buf in
            var i = 0
            while i + 160 <= buf.count {
                chain.process(hop: UnsafeBufferPointer(rebasing: buf[i..<i + 160]), into: &frame)
                if frame.onsetOffset >= 0 || frame.riseRate > 0 { seen = true }
                i += 160
            }
        }
        return seen
    }
}

/// Files of one agent test in a fresh temporary directory.
struct RunFixture {
    let dir: String
    let port: Int

    init(port: Int, prefix: String) throws {
        dir = try makeTemporaryDirectory(prefix: prefix)
        self.port = port
    }

    func path(_ name: String) -> String { dir + "/" + name }

    func write(_ name: String, _ text: String) throws -> String {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    func write(_ name: String, _ data: Data) throws -> String {
        try data.write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }

    /// A signature table: the default gunshot and car_horn entries with spectral
    /// checks relaxed (the test's synthetic sounds are not recordings).
    func writeTable() throws -> String {
        return try write("table.json", SignatureFile.encode(.relaxedForSyntheticSounds()))
    }

    /// A board: generic capture on `device` (`channels` at `rate`, detection on their mean),
    /// microphone positions (metres, one per channel, or none), optional PTZ lines
    /// (offsets 0…3, `pulseMs` pulse) and four camera presets at 0/90/180/270°.
    func writeBoard(device: String, ptzCooldownMs: Int? = nil, rate: Int = 16_000, channels: Int = 1,
                    micPositionsM: [(Double, Double, Double)] = [], pulseMs: Int = 100) throws -> String {
        let positions = micPositionsM.map { "[\($0.0), \($0.1), \($0.2)]" }.joined(separator: ", ")
        var text = """
        name = "test-board"
        [audio]
        device = "\(device)"
        rate = \(rate)
        channels = \(channels)
        format = "S16_LE"
        \(channels > 1 ? "analysis_channel = \"mean\"" : "")
        [microphone]
        \(micPositionsM.isEmpty ? "" : "positions_m = [\(positions)]")

        """
        if let cooldown = ptzCooldownMs {
            text += """
            [gpio]
            chip = "gpiochip-fake"
            wiring = "lines"
            lines = [0, 1, 2, 3]
            active_low = false
            pulse_ms = \(pulseMs)
            cooldown_ms = \(cooldown)
            [camera]
            [[camera.preset]]
            number = 1
            azimuth_deg = 0.0
            [[camera.preset]]
            number = 2
            azimuth_deg = 90.0
            [[camera.preset]]
            number = 3
            azimuth_deg = 180.0
            [[camera.preset]]
            number = 4
            azimuth_deg = 270.0

            """
        }
        return try write("board.toml", text)
    }

    /// A site file for sensor `site`/`box`, broker on `port`, outbox in `outbox`.
    func writeSite(board: String, table: String, mode: String = "events", outbox: String? = nil,
                   telemetryS: Int = 1, sensor: String = "box-1", mqttExtra: String = "") throws -> String {
        try write("site.toml", TestSiteFile(sensor: sensor, board: board, mode: mode, port: port,
                                            outbox: outbox ?? path("outbox"), telemetryS: telemetryS,
                                            table: table, mqttExtra: mqttExtra).text)
    }

    /// A command key file (0600, 64 hex characters and a newline) and the `[mqtt]` line naming it.
    func writeCommandKey(_ name: String = "command.key", key: String = String(repeating: "5e", count: 32)) throws -> (path: String, line: String) {
        let p = try write(name, key + "\n")
        chmod(p, 0o600)
        return (p, "command_key_file = \"\(p)\"")
    }

    /// asound.conf defining `pcm.earshot_replay` that replays `raw` through the file plugin.
    func writeAsoundConf(raw: String) throws -> String {
        try write("asound.conf", AlsaFileReplay.asoundConf(rawPath: raw))
    }

    /// The package's `Schemas/` directory.
    static var schemas: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Schemas").path
    }
}

/// An `earshot run` child process; stderr lines are collected.
final class AgentProcess: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var text = ""
    private var reader: Thread?

    /// The `earshot` executable next to the test bundle.
    static func binary() -> URL? { BuiltExecutable.url("earshot") }

    /// Starts `earshot run <arguments>` with extra environment variables.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        guard let bin = Self.binary() else { throw TestSupportError("earshot binary not found next to the test bundle") }
        process.executableURL = bin
        process.arguments = ["run"] + arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let handle = pipe.fileHandleForReading
        let t = Thread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.withLock { text += String(decoding: chunk, as: UTF8.self) }
            }
        }
        reader = t
        t.start()
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    /// Everything written to stderr so far.
    var stderr: String { lock.withLock { text } }

    /// Event ids the agent logged (`earshot: event id=… `), in order.
    var eventIDs: [String] {
        stderr.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("earshot: event id=") else { return nil }
            return String(line.dropFirst("earshot: event id=".count).prefix { $0 != " " })
        }
    }

    func signal(_ s: Int32) { kill(process.processIdentifier, s) }

    /// Waits for exit (≤ `timeout` s); returns the status, or nil if still running.
    func wait(timeout: Double) -> Int32? {
        guard waitUntil(timeout: timeout, { !process.isRunning }) else { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// Validates `payload` against `Schemas/<name>.schema.json`; returns the errors.
func schemaErrors(_ payload: String, schema name: String) -> [String] {
    do {
        let v = try JSONSchemaValidator(schemaFile: RunFixture.schemas + "/\(name).schema.json")
        return v.validate(json: payload)
    } catch {
        return ["cannot load schema \(name): \(error)"]
    }
}

/// Publishes `payload` on `topic` with mosquitto_pub (QoS 1).
func publishCommand(port: Int, topic: String, payload: String) throws {
    _ = try runTool("/usr/bin/mosquitto_pub", ["-h", "127.0.0.1", "-p", String(port), "-q", "1", "-t", topic, "-m", payload], timeout: 5)
}
