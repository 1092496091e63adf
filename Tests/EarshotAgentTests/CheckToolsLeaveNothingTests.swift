import EarshotAgent
import EarshotTestSupport
import Foundation
import Synchronization
import Testing

/// Issue 17, "correct, quiet integration": `earshot mqtt check` and `earshot selftest`
/// (the binary, against a real mosquitto) leave nothing retained on the broker, connect
/// with unique clean-session clients (two checks at once both pass), and the selftest's
/// receiver does not answer its own status or telemetry.
@Suite("mqtt check and selftest leave nothing retained, unique clients, no self-answers", .serialized)
struct CheckToolsLeaveNothingTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Topics of retained messages a fresh subscriber to `#` gets within 1 s.
    func retainedTopics(port: Int) throws -> [String] {
        let late = try MosquittoSubscriber.started(port: port, filters: ["#"])
        defer { late.stop() }
        _ = waitUntil(timeout: 1) { false }
        return late.messages.filter(\.retained).map(\.topic)
    }

    @Test("two mqtt checks at once: both PASS; afterwards nothing retained on the broker")
    func mqttCheckLeavesNothing() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        defer { broker.stop() }
        let args = ["mqtt", "check", "--host", "127.0.0.1", "--port", String(broker.port)]
        let results = Mutex<[CLI.Result?]>([nil, nil])
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let r = try? CLI.run(args, timeout: 30)
            results.withLock { $0[i] = r }
        }
        for r in results.withLock({ $0 }) {
            #expect(r?.status == 0, "\(r?.out ?? "")\(r?.err ?? "")")
        }
        #expect(try retainedTopics(port: broker.port) == [])
    }

    @Test("selftest: PASS, no status published, no reply to its own status/telemetry, nothing retained")
    func selftestLeavesNothing() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        defer { broker.stop() }
        let watcher = try MosquittoSubscriber.started(port: broker.port, filters: ["#"])
        defer { watcher.stop() }
        let dir = try CLI.scratch("selftest-quiet")
        defer { try? FileManager.default.removeItem(at: dir) }
        let site = dir.appendingPathComponent("site.toml")
        try TestSiteFile(sensor: "box-7", board: Self.repo.appendingPathComponent("Boards/generic.toml").path, mode: "events",
                         port: broker.port, outbox: dir.appendingPathComponent("outbox").path)
            .text.write(to: site, atomically: true, encoding: .utf8)
        let r = try CLI.run(["selftest", "--config", site.path, "--fake"], timeout: 90)
        #expect(r.status == 0, "\(r.out)\(r.err)")
        _ = waitUntil(timeout: 0.5) { false }
        let topics = watcher.messages.map(\.topic)
        #expect(topics.contains("earshot/v1/test/box-7/selftest/cmd/event"), "\(topics)")
        #expect(!topics.contains { $0.hasSuffix("/status") }, "\(topics)")
        #expect(!topics.contains { $0.hasSuffix("/reply") && !$0.hasSuffix("/cmd/event/reply") }, "\(topics)")
        #expect(watcher.messages.filter(\.retained).isEmpty, "\(watcher.messages.filter(\.retained).map(\.topic))")
        #expect(try retainedTopics(port: broker.port) == [])
    }
}
