// Issue 17, "dropped frames": an unpaced ALSA file-plugin replay (the recipe the tests
// and the technician use) with the default ring is analysed whole, and frames dropped
// because the analysis fell behind show in status (`audio: degraded`, counts) and the log.
import EarshotTestSupport
import Foundation
import Testing

extension RunAgentTests {
    @Suite("earshot run: dropped frames in status and log; default ring holds a replay")
    struct RunDroppedFramesTests {
        /// A 28 s street recording with a horn at 25 s, replayed through the file plugin.
        static func replay(_ fx: RunFixture) throws -> (site: String, env: [String: String]) {
            var audio = RunAudio.background(seconds: 28)
            RunAudio.addHorn(&audio, at: 25, duration: 1.0)
            let raw = try fx.write("street.raw", RunAudio.pcm16(audio))
            let conf = try fx.writeAsoundConf(raw: raw)
            let board = try fx.writeBoard(device: "earshot_replay")
            let site = try fx.writeSite(board: board, table: try fx.writeTable())
            return (site, AlsaFileReplay.environment(confPath: conf))
        }

        @Test("default ring: a 28 s unpaced replay loses nothing (the horn at 25 s is heard, frames_dropped 0, audio ok)",
              .timeLimit(.minutes(1)))
        func defaultRingHoldsReplay() throws {
            let broker = try MosquittoBroker()
            try broker.start()
            defer { broker.stop() }
            let fx = try RunFixture(port: broker.port, prefix: "earshot-run-drops")
            let base = "earshot/v1/test/box-1"
            let sub = try MosquittoSubscriber.started(port: broker.port, filters: [base + "/event", base + "/status"])
            defer { sub.stop() }
            let r = try Self.replay(fx)
            let agent = try AgentProcess(["--config", r.site, "--exit-after", "28"], environment: r.env)
            defer { agent.signal(SIGKILL) }
            let horn = sub.wait(timeout: 30) { msgs in
                msgs.contains { $0.topic == base + "/event" && $0.json?["class"] as? String == "car_horn" }
            }
            #expect(horn, "no horn: the replay lost its end\n\(agent.stderr)")
            // Let a status with the final counters go out (every change, and at stop).
            agent.signal(SIGTERM)
            _ = agent.wait(timeout: 10)
            #expect(!agent.stderr.contains("audio: degraded"), "\(agent.stderr)")
            let statuses = sub.messages(on: base + "/status").compactMap(\.json)
            #expect(!statuses.isEmpty)
            for s in statuses {
                #expect(s["audio"] as? String != "degraded", "\(s)")
                if let c = s["capture"] as? [String: Any] { #expect(c["frames_dropped"] as? Int == 0, "\(s)") }
            }
        }

        @Test("a ring too small for the replay: status audio degraded with frames_dropped, and a log warning",
              .timeLimit(.minutes(1)))
        func dropsShowInStatusAndLog() throws {
            let broker = try MosquittoBroker()
            try broker.start()
            defer { broker.stop() }
            let fx = try RunFixture(port: broker.port, prefix: "earshot-run-drops")
            let base = "earshot/v1/test/box-1"
            let sub = try MosquittoSubscriber.started(port: broker.port, filters: [base + "/status"])
            defer { sub.stop() }
            let r = try Self.replay(fx)
            let agent = try AgentProcess(["--config", r.site, "--ring-seconds", "0.1"], environment: r.env)
            defer { agent.signal(SIGKILL) }
            let degraded = sub.wait(timeout: 20) { msgs in
                msgs.contains { $0.json?["audio"] as? String == "degraded" }
            }
            #expect(degraded, "\(sub.messages(on: base + "/status").map(\.payload))\n\(agent.stderr)")
            if let m = sub.messages(on: base + "/status").first(where: { $0.json?["audio"] as? String == "degraded" }) {
                #expect(schemaErrors(m.payload, schema: "status") == [], "\(m.payload)")
                let c = m.json?["capture"] as? [String: Any]
                #expect((c?["frames_dropped"] as? Int ?? 0) > 0, "\(m.payload)")
                #expect((m.json?["detail"] as? String ?? "").contains("dropped="), "\(m.payload)")
            }
            for _ in 0..<100 where !agent.stderr.contains("warning: audio: degraded:") { usleep(50_000) }
            let line = agent.stderr.split(separator: "\n").first { $0.contains("warning: audio: degraded:") }
            #expect(line?.contains("frames") == true && line?.contains("dropped since start") == true, "\(agent.stderr)")
            agent.signal(SIGTERM)
            #expect(agent.wait(timeout: 10) == 0)
        }
    }
}
