import EarshotConfig
import EarshotAgent
import Foundation
import Testing

/// `earshot calibrate` on synthesised calibrator tones replayed through libasound's file plugin.
@Suite("earshot calibrate")
struct CalibrateCommandTests {
    @Test("1 kHz tone at −26 dBFS, 94 dB SPL reference: offset 120 dB written into the board file")
    func writes() throws {
        let dir = try CLI.scratch("cal")
        defer { try? FileManager.default.removeItem(at: dir) }
        let rate = 16_000
        let samples = CLI.tone(dbfs: -26, hz: 1_000, seconds: 4, rate: rate)
        let (board, env) = try CLI.replay(samples, rate: rate, in: dir)
        let expected = 94 - CLI.dbfs(samples[(rate / 2)..<(3 * rate)])
        let dry = try CLI.run(["calibrate", "--reference-db", "94", "--board", board, "--duration", "3"], env: env)
        #expect(dry.status == 0, "\(dry.out)\(dry.err)")
        #expect(dry.out.contains("not written"))
        #expect(try BoardConfig.load(path: board).microphone.calibrationOffsetDB == nil)

        let r = try CLI.run(["calibrate", "--reference-db", "94", "--board", board, "--duration", "3", "--write"], env: env)
        #expect(r.status == 0, "\(r.out)\(r.err)")
        let offset = try #require(try BoardConfig.load(path: board).microphone.calibrationOffsetDB)
        #expect(abs(offset - expected) < 0.05, "offset \(offset) vs \(expected)")
        let text = try String(contentsOfFile: board, encoding: .utf8)
        #expect(text.contains("# calibration goes here"))  // comments kept
        #expect(text.contains("calibration_offset_db = "))
    }

    @Test("clipping, noise and an unstable tone are refused with exit 6 and a reason")
    func refusals() throws {
        let rate = 16_000
        var rng = SystemRandomNumberGenerator()
        let clipped = CLI.tone(dbfs: 3, hz: 1_000, seconds: 3, rate: rate)
        let noise: [Int16] = (0..<(3 * rate)).map { _ in Int16.random(in: -3_000...3_000, using: &rng) }
        var stepped = CLI.tone(dbfs: -30, hz: 1_000, seconds: 3, rate: rate)
        for i in (2 * rate)..<stepped.count { stepped[i] = Int16((Double(stepped[i]) * 1.2).rounded()) }  // +1.6 dB after 2 s
        for (samples, reason) in [(clipped, "clips"), (noise, "not a 1 kHz tone"), (stepped, "unstable")] {
            let dir = try CLI.scratch("cal-refuse")
            defer { try? FileManager.default.removeItem(at: dir) }
            let (board, env) = try CLI.replay(samples, rate: rate, in: dir)
            let r = try CLI.run(["calibrate", "--reference-db", "94", "--board", board, "--duration", "3", "--write"], env: env)
            #expect(r.status == 6, "\(reason): \(r.out)")
            #expect(r.out.contains("REFUSED") && r.out.contains(reason), "\(r.out)")
            #expect(try BoardConfig.load(path: board).microphone.calibrationOffsetDB == nil)
        }
    }
}
