// Issue 18, item 6: a SIGKILLed agent leaves its PTZ line driven (the kernel keeps the
// last value a dead process drove). The recording chip's log is the line state across
// processes, as the kernel's is: the last claim/set of each line. Recovery: the agent
// drives the lines idle first thing at start (before the outbox, MQTT or audio can fail),
// and `earshot gpio idle` (the unit's ExecStopPost) does it after any stop.
import EarshotTestSupport
import Foundation
import Testing

extension RunAgentTests {
    @Suite("PTZ lines after SIGKILL: idle again at the next start and by earshot gpio idle")
    struct GPIORecoveryTests {
        /// Logical level of each line after the log's events (nil: never claimed).
        static func levels(_ path: String) -> [Bool]? {
            var state: [Bool]?
            for line in ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n") {
                let f = line.split(separator: " ")
                if f.first == "claim", f.count >= 2, let n = Int(f[1]) { state = Array(repeating: false, count: n) }
                if f.first == "set", f.count == 5, let i = Int(f[2]), state != nil, i < state!.count { state![i] = f[3] == "1" }
            }
            return state
        }

        /// Starts the agent on a horn with a 3 s pulse and SIGKILLs it while line 0 is active.
        func killMidPulse(_ fx: RunFixture, site: String, wav: String, gpioLog: String) throws {
            let agent = try AgentProcess(["--config", site, "--input", wav, "--realtime", "--fake-gpio-log", gpioLog])
            defer { agent.signal(SIGKILL) }
            #expect(waitUntil(timeout: 15) { Self.levels(gpioLog)?.first == true }, "horn pulse: \(agent.stderr)")
            agent.signal(SIGKILL)
            _ = agent.wait(timeout: 5)
        }

        @Test(.timeLimit(.minutes(1)))
        func sigkillMidPulseThenIdleAtStartAndByGPIOIdle() throws {
            let broker = try MosquittoBroker()
            try broker.start()
            defer { broker.stop() }
            let fx = try RunFixture(port: broker.port, prefix: "earshot-gpio-recovery")
            var audio = RunAudio.background(seconds: 6)
            RunAudio.addHorn(&audio, at: 0.5, duration: 0.4)
            let wav = try fx.write("horn.wav", RunAudio.wav(audio))
            let board = try fx.writeBoard(device: "unused", ptzCooldownMs: 100, pulseMs: 3_000)
            let site = try fx.writeSite(board: board, table: try fx.writeTable(), mode: "events+ptz", telemetryS: 60)
            let gpioLog = fx.path("gpio.log")

            // The fault: killed mid-pulse, line 0 stays active.
            try killMidPulse(fx, site: site, wav: wav, gpioLog: gpioLog)
            #expect(Self.levels(gpioLog) == [true, false, false, false], "SIGKILL leaves the pulse driven: \(Self.levels(gpioLog) as Any)")

            // ExecStopPost: earshot gpio idle with the site's board.
            let idle = try CLI.run(["gpio", "idle", "--config", site], env: ["EARSHOT_FAKE_GPIO_LOG": gpioLog])
            #expect(idle.status == 0, "\(idle.out)\(idle.err)")
            #expect(idle.out.contains("4 PTZ lines of gpiochip-fake (0, 1, 2, 3) driven idle (low)"), "\(idle.out)")
            #expect(Self.levels(gpioLog) == [false, false, false, false], "\(Self.levels(gpioLog) as Any)")

            // Killed again; the next start fails early (its outbox path is a file: exit 4)
            // and still drives the lines idle first.
            try killMidPulse(fx, site: site, wav: wav, gpioLog: gpioLog)
            #expect(Self.levels(gpioLog)?.first == true)
            let blocked = try fx.write("not-a-dir", "x")
            let site2 = try fx.write("site2.toml", TestSiteFile(sensor: "box-1", board: board, mode: "events+ptz", port: broker.port,
                                                               outbox: blocked, telemetryS: 60, table: try fx.writeTable()).text)
            let run = try CLI.run(["run", "--config", site2, "--input", wav, "--fake-gpio-log", gpioLog], timeout: 20)
            #expect(run.status == 4, "outbox cannot be opened: \(run.out)\(run.err)")
            #expect(run.err.contains("gpio: 4 PTZ lines of gpiochip-fake (0, 1, 2, 3) driven idle (low) at start"), "\(run.err)")
            #expect(Self.levels(gpioLog) == [false, false, false, false], "idle before the outbox failed: \(Self.levels(gpioLog) as Any)")

            // A board without [gpio]: nothing to do, exit 0 (the unit's stop must not fail).
            let plain = try CLI.run(["gpio", "idle", "--board", ConfigTestSupport.repoRoot() + "/Boards/generic.toml"])
            #expect(plain.status == 0 && plain.out.contains("no [gpio] section"), "\(plain.out)\(plain.err)")
        }

        @Test("the shipped unit resets the lines after every stop: ExecStopPost=-earshot gpio idle")
        func unitHasExecStopPost() throws {
            let unit = try String(contentsOfFile: ConfigTestSupport.repoRoot() + "/Deploy/earshot.service", encoding: .utf8)
            #expect(unit.contains("\nExecStopPost=-/usr/bin/earshot gpio idle --config /etc/earshot/site.toml\n"))
        }
    }
}
