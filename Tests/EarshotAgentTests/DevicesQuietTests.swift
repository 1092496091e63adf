import EarshotTestSupport
import Foundation
import Testing

/// Issue 17: `devices` does not list ALSA's `null` PCM (zeros, "1…1073741823 channels") as
/// a microphone, `devices --device` on an absent card exits 3, and a command opening a
/// card that is absent prints Earshot's one line, not libasound's `ALSA lib …` lines.
@Suite("devices: no null PCM, absent --device exits 3; no raw ALSA lib lines")
struct DevicesQuietTests {
    static let board = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Boards/generic.toml").path

    /// An ALSA configuration whose `default` names card 7, which no machine here has
    /// (libasound then evaluates and fails, printing its `ALSA lib …` lines unless silenced).
    func absentCardEnvironment(in dir: URL) throws -> [String: String] {
        let conf = dir.appendingPathComponent("asound.conf")
        try "pcm.earshot_absent { type hw card 7 device 0 }\n".write(to: conf, atomically: true, encoding: .utf8)
        return ["ALSA_CONFIG_PATH": "/usr/share/alsa/alsa.conf:\(conf.path)"]
    }

    @Test("devices lists no null PCM and no absurd channel count")
    func noNullPCM() throws {
        let r = try CLI.run(["devices"])
        #expect(!r.out.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces) == "null" }, "\(r.out)")
        #expect(!r.out.contains("1073741823"), "\(r.out)")
        let json = try CLI.run(["devices", "--json"])
        #expect(!json.out.contains("\"name\":\"null\""), "\(json.out)")
        #expect(!json.out.contains("1073741823"), "\(json.out)")
    }

    @Test("devices --device hw:5,0 (absent): exit 3, named, no ALSA lib lines")
    func absentDeviceExits3() throws {
        let r = try CLI.run(["devices", "--device", "hw:5,0"])
        #expect(r.status == 3, "\(r.out)\(r.err)")
        #expect(r.out.contains("cannot open hw:5,0"), "\(r.out)")
        #expect(!r.err.contains("ALSA lib"), "\(r.err)")
    }

    @Test("meter on an absent card: exactly one line (Earshot's), exit 3")
    func meterOneLine() throws {
        let dir = try CLI.scratch("absent-card")
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = try absentCardEnvironment(in: dir)
        let r = try CLI.run(["meter", "--board", Self.board, "--device", "earshot_absent", "--duration", "1"], env: env)
        #expect(r.status == 3, "\(r.out)\(r.err)")
        #expect(r.err.isEmpty, "\(r.err)")
        let lines = r.out.split(separator: "\n")
        #expect(lines.count == 1, "\(r.out)")
        #expect(lines.first?.hasPrefix("earshot meter: no audio from ALSA earshot_absent") == true, "\(r.out)")
        // Earshot's own line remains the only output even for the plain `default` of a machine without a card.
        let d = try CLI.run(["meter", "--board", Self.board, "--duration", "1"], env: ["ALSA_CONFIG_PATH": "/usr/share/alsa/alsa.conf"])
        #expect(!d.err.contains("ALSA lib"), "\(d.err)")
    }
}
