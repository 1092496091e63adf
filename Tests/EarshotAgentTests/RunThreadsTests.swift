// Issue 18, item 1: the publisher started an `earshot-outbox` writer thread in every
// agent that nothing fed (the dispatcher stores events itself): an idle thread per box.
import EarshotTestSupport
import Foundation
import Testing

extension RunAgentTests {
    @Suite("earshot run threads")
    struct RunThreadsTests {
        /// Names of the threads of process `pid` (/proc/PID/task/*/comm: at most 15 bytes,
        /// so earshot-dispatch reads earshot-dispatc).
        static func threadNames(_ pid: Int32) -> [String] {
            let dir = "/proc/\(pid)/task"
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            return tasks.compactMap { try? String(contentsOfFile: "\(dir)/\($0)/comm", encoding: .utf8) }
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.sorted()
        }

        @Test("a running agent has its MQTT, analysis and dispatch threads and no idle outbox writer", .timeLimit(.minutes(1)))
        func noIdleOutboxThread() throws {
            let broker = try MosquittoBroker()
            try broker.start()
            defer { broker.stop() }
            let fx = try RunFixture(port: broker.port, prefix: "earshot-run-threads")
            var audio = RunAudio.background(seconds: 2)
            RunAudio.addShot(&audio, at: 1)
            let wav = try fx.write("loop.wav", RunAudio.wav(audio))
            let site = try fx.writeSite(board: try fx.writeBoard(device: "unused"), table: try fx.writeTable(), telemetryS: 60)
            let agent = try AgentProcess(["--config", site, "--input", wav, "--realtime", "--loop"])
            defer { agent.signal(SIGKILL) }
            #expect(waitUntil(timeout: 15) { agent.stderr.contains("running: sensor") }, "\(agent.stderr)")
            var names: [String] = []
            #expect(waitUntil(timeout: 10) {
                names = Self.threadNames(agent.process.processIdentifier)
                return names.contains("earshot-mqtt") && names.contains("earshot-dispatc") && names.contains("earshot-analyze")
            }, "\(names)")
            #expect(!names.contains("earshot-outbox"), "\(names)")
            agent.signal(SIGTERM)
            #expect(agent.wait(timeout: 10) == 0, "\(agent.stderr)")
        }
    }
}
