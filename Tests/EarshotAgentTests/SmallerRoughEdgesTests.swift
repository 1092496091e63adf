// Issue 17, "smaller": a SIGHUP reload says it worked, `calibrate --help` gives one
// default duration, the GPIO hint fits the failure (a missing chip is not "free the
// line"), and "unknown section" messages are punctuated.
import EarshotTestSupport
import Foundation
import Testing

extension RunAgentTests {
    @Suite("smaller rough edges: SIGHUP log, calibrate default, GPIO hint, unknown section")
    struct SmallerRoughEdgesTests {
        @Test("SIGHUP with a valid configuration logs 'SIGHUP: reloaded: …' with the new mode", .timeLimit(.minutes(1)))
        func sighupLogsSuccess() throws {
            let fx = try RunFixture(port: try freeLocalPort(), prefix: "earshot-sighup")
            let wav = try fx.write("quiet.wav", RunAudio.wav(RunAudio.background(seconds: 1)))
            let board = try fx.writeBoard(device: "unused")
            let table = try fx.writeTable()
            let site = try fx.writeSite(board: board, table: table)
            let agent = try AgentProcess(["--config", site, "--input", wav, "--realtime", "--loop"])
            defer { agent.signal(SIGKILL) }
            #expect(waitUntil(timeout: 15) { agent.stderr.contains("info: running:") }, "\(agent.stderr)")
            _ = try fx.writeSite(board: board, table: table, mode: "levels")
            agent.signal(SIGHUP)
            #expect(waitUntil(timeout: 15) { agent.stderr.contains("SIGHUP: reloaded: sensor test/box-1 mode levels") }, "\(agent.stderr)")
            agent.signal(SIGTERM)
            #expect(agent.wait(timeout: 10) == 0)
        }

        @Test("events+ptz on a board whose gpio.chip does not exist: the hint says to fix gpio.chip, not 'free the line'",
              .timeLimit(.minutes(1)))
        func gpioHintForMissingChip() throws {
            let fx = try RunFixture(port: try freeLocalPort(), prefix: "earshot-gpio-hint")
            let wav = try fx.write("quiet.wav", RunAudio.wav(RunAudio.background(seconds: 1)))
            let site = try fx.writeSite(board: try fx.writeBoard(device: "unused", ptzCooldownMs: 1_000), table: try fx.writeTable(),
                                        mode: "events+ptz")
            let agent = try AgentProcess(["--config", site, "--input", wav, "--exit-at-end"], environment: ["EARSHOT_FAKE_GPIO_LOG": ""])
            defer { agent.signal(SIGKILL) }
            _ = agent.wait(timeout: 30)
            let line = agent.stderr.split(separator: "\n").first { $0.contains("camera steering is OFF") }
            #expect(line != nil, "\(agent.stderr)")
            #expect(line?.contains("fix the board file's gpio.chip") == true, "\(agent.stderr)")
            #expect(line?.contains("free the line") == false, "\(agent.stderr)")
        }
    }
}

@Suite("smaller rough edges in the command-line texts")
struct SmallerRoughEdgesTextTests {
    @Test("calibrate --help gives one default duration, 5.5 s (not also 'until Ctrl-C')")
    func calibrateHelpDefault() throws {
        let r = try CLI.run(["calibrate", "--help"])
        #expect(r.status == 0)
        let flat = r.out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(!flat.contains("(default: until Ctrl-C)"), "\(r.out)")
        #expect(flat.contains("calibrate 5.5 s"), "\(r.out)")
        #expect(flat.contains("default 5.5 s"), "\(r.out)")
    }

    @Test("unknown section: 'unknown section. Allowed …' or 'unknown section; did you mean `mqtt`? Allowed …'")
    func unknownSectionPunctuation() throws {
        let dir = try CLI.scratch("sections")
        defer { try? FileManager.default.removeItem(at: dir) }
        let site = dir.appendingPathComponent("site.toml")
        try "[sensor]\nid = \"a\"\nsite = \"b\"\nboard = \"x.toml\"\n[zzzzzz]\nk = 1\n[mqt]\nhost = \"h\"\n".write(to: site, atomically: true, encoding: .utf8)
        let r = try CLI.run(["config", "check", site.path])
        #expect(r.status == 2)
        #expect(r.err.contains("unknown section. Allowed at the top level: "), "\(r.err)")
        #expect(r.err.contains("unknown section; did you mean `mqtt`? Allowed at the top level: "), "\(r.err)")
        #expect(!r.err.contains("unknown section Allowed"), "\(r.err)")
    }
}
