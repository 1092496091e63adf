import EarshotTestSupport
import Foundation
import Testing

/// Real libasound: the ALSA `file` plugin replays a raw file (`infile`) through
/// the genuine capture API, in a child `earshot-capture-probe` process whose
/// `ALSA_CONFIG_PATH` adds a generated asound.conf. The `null` slave does not
/// pace in real time, so the probe captures as fast as it can.
@Suite("Capture through libasound's file plugin")
struct CaptureAlsaFilePluginTests {
    struct Run { var status: Int32; var out: String; var err: String; var captured: Data }

    /// The probe lives next to the test bundle in the build folder.
    static var probe: URL? { BuiltExecutable.url("earshot-capture-probe") }

    /// Writes `input` as the plugin's infile and an asound.conf defining pcm.earshot_replay, runs the probe.
    func run(_ input: Data?, args: [String], device: String = "earshot_replay",
             createInputAfterMs: Int? = nil) throws -> Run {
        let probe = try #require(Self.probe, "earshot-capture-probe not built next to the tests")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("earshot-capture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let inURL = dir.appendingPathComponent("in.raw"), outURL = dir.appendingPathComponent("out.raw")
        let conf = dir.appendingPathComponent("asound.conf")
        try AlsaFileReplay.asoundConf(rawPath: inURL.path).write(to: conf, atomically: true, encoding: .utf8)
        if let input, createInputAfterMs == nil { try input.write(to: inURL) }
        let p = Process()
        p.executableURL = probe
        p.arguments = [device] + args + ["--out", outURL.path]
        var env = ProcessInfo.processInfo.environment
        env.merge(AlsaFileReplay.environment(confPath: conf.path)) { $1 }
        p.environment = env
        let outPipe = Pipe(), errPipe = Pipe()
        p.standardOutput = outPipe
        p.standardError = errPipe
        try p.run()
        if let input, let ms = createInputAfterMs {
            usleep(UInt32(ms) * 1000)
            try input.write(to: inURL)
        }
        let out = String(decoding: outPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let err = String(decoding: errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return Run(status: p.terminationStatus, out: out, err: err, captured: (try? Data(contentsOf: outURL)) ?? Data())
    }

    static func value(_ key: String, _ out: String) -> Int? {
        out.split(separator: "\n").first { $0.hasPrefix(key + "=") }.flatMap { Int($0.dropFirst(key.count + 1)) }
    }

    /// Deterministic test signal: per channel, a sine with channel-dependent frequency plus full-scale extremes.
    static func s16(frames: Int, channels: Int, rate: Double) -> [Int16] {
        var s: [Int16] = []
        s.reserveCapacity(frames * channels)
        for i in 0..<frames {
            for c in 0..<channels {
                let f = 440.0 * Double(c + 1)
                var v = (20_000 * sin(2 * Double.pi * f * Double(i) / rate)).rounded()
                if i % 997 == 0 { v = c % 2 == 0 ? 32_767 : -32_768 }
                s.append(Int16(v) &+ Int16(c))
            }
        }
        return s
    }

    static func bytes<T>(_ a: [T]) -> Data { a.withUnsafeBytes { Data($0) } }

    @Test func s16MonoIsBitExact() throws {
        let samples = Self.s16(frames: 16_000, channels: 1, rate: 16_000)
        let r = try run(Self.bytes(samples), args: ["--frames", "16000", "--rate", "16000", "--period", "160", "--ring", "16384", "--hop", "100"])
        #expect(r.status == 0, "\(r.out)\n\(r.err)")
        #expect(r.captured == Self.bytes(samples), "16 000 frames bit-exact")
        #expect(Self.value("period_frames", r.out) == 160)
    }

    @Test func s16FourChannelsIsBitExactWithSplitReads() throws {
        let samples = Self.s16(frames: 24_000, channels: 4, rate: 48_000)
        let r = try run(Self.bytes(samples), args: ["--frames", "24000", "--rate", "48000", "--channels", "4",
                                                     "--period", "256", "--ring", "32768", "--hop", "480"])
        #expect(r.status == 0, "\(r.out)\n\(r.err)")
        #expect(r.captured == Self.bytes(samples), "hops of 480 across periods of 256 frames, 4 channels")
    }

    @Test func s32StereoIsConvertedToQ15() throws {
        var raw: [Int32] = [.max, .min, 0x7FFF_8000, -0x8001, 0x8000, -0x8000]
        var seed: UInt32 = 99
        while raw.count < 2 * 9_600 { seed = seed &* 1_664_525 &+ 1_013_904_223; raw.append(Int32(bitPattern: seed)) }
        let expected = raw.map { x -> Int16 in
            let r = (Double(x) / 65_536 + 0.5).rounded(.down)
            return Int16(min(max(r, -32_768), 32_767))
        }
        let r = try run(Self.bytes(raw), args: ["--frames", "9600", "--rate", "48000", "--channels", "2", "--format", "S32_LE",
                                                 "--period", "480", "--ring", "16384"])
        #expect(r.status == 0, "\(r.out)\n\(r.err)")
        #expect(r.captured == Self.bytes(expected))
    }

    @Test func missingDeviceErrorNamesIt() throws {
        let r = try run(nil, args: ["--frames", "10"], device: "earshot_no_such_pcm")
        #expect(r.status == 3)
        #expect(r.err.contains("ALSA: cannot open capture device \"earshot_no_such_pcm\""), "\(r.err)")
        #expect(r.err.contains("(snd_pcm_open)") && r.err.contains("audio.device"))
    }

    @Test func fullRingDropsAndCountsTheNewestFrames() throws {
        let samples = Self.s16(frames: 16_000, channels: 1, rate: 16_000)
        let r = try run(Self.bytes(samples), args: ["--frames", "16000", "--period", "160", "--ring", "1024", "--hop", "128", "--fill-first"])
        let read = try #require(Self.value("frames_read", r.out)), captured = try #require(Self.value("frames_captured", r.out))
        let dropped = try #require(Self.value("frames_dropped", r.out))
        #expect(read == 1024, "\(r.out)")
        #expect(captured >= 16_000 && dropped == captured - 1024, "\(r.out)")
        #expect(r.captured == Self.bytes(Array(samples[0..<1024])), "the oldest 1024 frames were kept")
    }

    @Test func deviceThatAppearsLaterIsOpenedWithBackoff() throws {
        let samples = Self.s16(frames: 8_000, channels: 1, rate: 16_000)
        let r = try run(Self.bytes(samples), args: ["--frames", "8000", "--period", "160", "--ring", "8192", "--retry"],
                        createInputAfterMs: 300)
        #expect(r.status == 0, "\(r.out)\n\(r.err)")
        #expect((Self.value("failed_opens", r.out) ?? 0) >= 2, "\(r.out)")
        #expect(r.captured == Self.bytes(samples))
        #expect(r.out.contains("last_error=ALSA: cannot open capture device \"earshot_replay\""), "\(r.out)")
    }
}
