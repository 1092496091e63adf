@testable import EarshotDiagnostics
import EarshotAgent
import EarshotTestSupport
import Foundation
import Testing

/// `earshot selftest` against a real mosquitto, with a fake GPIO chip.
@Suite("earshot selftest", .serialized)
struct SelftestCommandTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func site(in dir: URL, port: Int, mode: String, board: String = "Boards/rpi4-respeaker-4mic.toml") throws -> String {
        let url = dir.appendingPathComponent("site.toml")
        try TestSiteFile(sensor: "box-7", board: Self.repo.appendingPathComponent(board).path, mode: mode,
                         port: port, outbox: dir.appendingPathComponent("outbox").path)
            .text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test("events+ptz, fake chip, real broker: every stage PASS, nothing on the real event topic, exit 0")
    func allPass() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        defer { broker.stop() }
        let watcher = MosquittoSubscriber(port: broker.port, filters: ["earshot/v1/test/box-7/#"])
        try watcher.start()
        defer { watcher.stop() }
        let dir = try CLI.scratch("selftest")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = SelftestOptions(sitePath: try site(in: dir, port: broker.port, mode: "events+ptz"))
        options.fakeGPIO = true
        var lines: [String] = []
        let code = runSelftest(options) { lines.append($0) }
        #expect(code == 0, "\(lines.joined(separator: "\n"))")
        let stages = lines.dropLast()
        #expect(stages.count == 7)
        #expect(stages.allSatisfy { $0.hasPrefix("PASS") }, "\(lines.joined(separator: "\n"))")
        #expect(lines.contains { $0.hasPrefix("PASS  detector:") })
        #expect(lines.contains { $0.hasPrefix("PASS  GPIO (fake chip):") && $0.contains("every line back to idle") })
        #expect(lines.contains { $0.hasPrefix("PASS  MQTT delivery:") })
        #expect(lines.last == "selftest: all stages passed")
        _ = waitUntil(timeout: 1) { false }
        let topics = Set(watcher.messages.map(\.topic))
        #expect(!topics.contains("earshot/v1/test/box-7/event"), "\(topics)")
        #expect(topics.contains("earshot/v1/test/box-7/selftest/cmd/event"), "\(topics)")
    }

    @Test("no broker: MQTT stages FAIL (bounded), exit 1; mode events skips GPIO")
    func noBroker() throws {
        let port = try freeLocalPort()
        let dir = try CLI.scratch("selftest-nobroker")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = SelftestOptions(sitePath: try site(in: dir, port: port, mode: "events"))
        options.timeoutMs = 1_500
        var lines: [String] = []
        let t0 = ContinuousClock.now
        let code = runSelftest(options) { lines.append($0) }
        #expect(ContinuousClock.now - t0 < .seconds(30))
        #expect(code == 1)
        #expect(lines.contains { $0.hasPrefix("FAIL  MQTT broker 127.0.0.1:\(port)") }, "\(lines.joined(separator: "\n"))")
        #expect(lines.contains { $0.hasPrefix("SKIP  GPIO:") })
        #expect(lines.contains { $0.hasPrefix("PASS  detector:") })
        #expect(lines.last == "selftest: FAILED")
    }

    @Test("bad site file: exit 2 naming the file")
    func badSite() throws {
        var lines: [String] = []
        let code = runSelftest(SelftestOptions(sitePath: "/nonexistent/site.toml")) { lines.append($0) }
        #expect(code == 2)
        #expect(lines.first?.contains("/nonexistent/site.toml") == true)
    }
}
