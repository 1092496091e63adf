import EarshotConfig
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import EarshotAgent

@Suite("earshot config check / show")
struct ConfigCheckCommandTests {
    let root = ConfigTestSupport.repoRoot()

    @Test func checkFunctionStatusAndOutput() throws {
        let boards = [root + "/Boards"]
        let ok = ConfigCheck.check([root + "/Boards/generic.toml", root + "/Deploy/site.toml"], boardSearchPaths: boards)
        #expect(ok.status == 0)
        #expect(ok.stderr.isEmpty)
        #expect(ok.stdout.count == 2)
        #expect(ok.stdout[0].hasPrefix("OK: \(root)/Boards/generic.toml: board generic: 1 ch S16_LE at 16000 Hz"))
        #expect(ok.stdout[1].contains("site demo, sensor box-001, mode events, broker localhost:1883 (v5), clips off; board generic"))

        let dir = ConfigTestSupport.tempDirectory()
        ConfigTestSupport.write("[sensor]\nid = \"x\"\nsite = \"y\"\nboard = \"generic\"\n[mqtt]\nport = 70000\n", to: dir + "/site.toml")
        let bad = ConfigCheck.check([root + "/Boards/generic.toml", dir + "/site.toml"], boardSearchPaths: boards)
        #expect(bad.status == 2)
        #expect(bad.stdout.count == 1)
        #expect(bad.stderr == ["\(dir)/site.toml: mqtt.port = 70000: must be 1…65535"])

        let neither = dir + "/other.toml"
        ConfigTestSupport.write("x = 1\n", to: neither)
        #expect(ConfigCheck.check([neither]).stderr.first?.contains("neither a site file") == true)
        #expect(ConfigCheck.check([dir + "/absent.toml"]).stderr.first?.contains("cannot open \(dir)/absent.toml") == true)
    }

    @Test func showFunctionPrintsEffectiveValues() {
        let r = ConfigCheck.show(root + "/Deploy/site.toml", boardSearchPaths: [root + "/Boards"])
        #expect(r.status == 0)
        let text = r.stdout.joined(separator: "\n")
        #expect(text.contains("mode = \"events\""))
        #expect(text.contains("client_id = \"earshot-demo-box-001\""))
        #expect(text.contains("board = \"\(root)/Boards/generic.toml\""))
        #expect(text.contains("period_frames = 1600"))
        #expect(text.contains("buffer_frames = 6400"))
    }

    /// The built `earshot` binary sits next to the test runner in the build
    /// directory (swift test builds every product). Skipped when absent.
    static func earshotBinary() -> String? {
        var buf = [CChar](repeating: 0, count: 4_096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { return nil }
        let exe = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let candidate = ConfigFile.directory(of: exe) + "/earshot"
        return access(candidate, X_OK) == 0 ? candidate : nil
    }

    /// Runs `args` and returns (exit status, stdout, stderr).
    static func run(_ args: [String]) -> (Int32, String, String) {
        let dir = ConfigTestSupport.tempDirectory()
        let out = dir + "/out", err = dir + "/err"
        let quoted = args.map { "'" + $0.replacing("'", with: "'\\''") + "'" }.joined(separator: " ")
        let status = system("\(quoted) >'\(out)' 2>'\(err)'")
        let code = (status >> 8) & 0xFF
        return (code, (try? ConfigFile.read(out)) ?? "", (try? ConfigFile.read(err)) ?? "")
    }

    @Test(.enabled(if: earshotBinary() != nil, "earshot binary not built next to the test runner"))
    func binaryExitCodes() throws {
        let bin = try #require(Self.earshotBinary())
        var (code, out, err) = Self.run([bin, "config", "check", root + "/Boards/rpi4-respeaker-4mic.toml", root + "/Deploy/site.toml",
                                         "--boards-dir", root + "/Boards"])
        #expect(code == 0, "\(err)")
        #expect(out.split(separator: "\n").count == 2)
        #expect(out.hasPrefix("OK: \(root)/Boards/rpi4-respeaker-4mic.toml: board rpi4-respeaker-4mic: 4 ch S32_LE at 48000 Hz"))
        #expect(err.isEmpty)

        let dir = ConfigTestSupport.tempDirectory()
        ConfigTestSupport.write("name = \"b\"\n[audio]\nrate = 44100\n", to: dir + "/pi4.toml")
        (code, out, err) = Self.run([bin, "config", "check", dir + "/pi4.toml"])
        #expect(code == 2)
        #expect(out.isEmpty)
        #expect(err == "\(dir)/pi4.toml: audio.rate = 44100: supported rates are 16000 and 48000 (Hz)\n")

        (code, out, err) = Self.run([bin, "config", "show", root + "/Boards/generic.toml"])
        #expect(code == 0)
        #expect(out.contains("[audio]\ndevice = \"default\"\nrate = 16000"))

        (code, _, _) = Self.run([bin, "config", "check"])
        #expect(code == 64)
    }
}
