@testable import EarshotDiagnostics
import EarshotAgent
import EarshotTestSupport
import Foundation
import Testing

/// `earshot mqtt check`'s subscribe round trip against a real mosquitto.
@Suite("earshot mqtt check: subscribe round trip", .serialized)
struct MQTTCheckRoundTripTests {
    static func rtt(_ line: String) -> Double? {
        guard let r = line.range(of: "after "), let end = line.range(of: " ms RTT") else { return nil }
        return Double(line[r.upperBound..<end.lowerBound])
    }

    @Test("PASS: the message comes back through the subscription, RTT in ms, bounded")
    func roundTrip() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        defer { broker.stop() }
        let t0 = ContinuousClock.now
        let out = mqttCheck(mqttConfiguration(host: "127.0.0.1", port: broker.port), timeoutMs: 3_000)
        #expect(ContinuousClock.now - t0 < .seconds(5))
        #expect(out.exitCode == 0, "\(out.text)")
        let line = try #require(out.lines.first { $0.contains("subscribe round trip") })
        #expect(line.hasPrefix("PASS"))
        let ms = try #require(Self.rtt(line), "\(line)")
        #expect(ms >= 0 && ms < 3_000)
        #expect(line.contains("earshot/v1/check/earshot-check/cmd/+"))
    }

    @Test("ACL allows publish but not subscribe: FAIL on the round trip in plain words, exit 4")
    func subscribeDenied() throws {
        let dir = try makeTemporaryDirectory(prefix: "earshot-acl")
        try "topic write earshot/#\n".write(toFile: dir + "/acl", atomically: true, encoding: .utf8)
        let broker = try MosquittoBroker(listenerConfiguration: ["allow_anonymous true", "acl_file \(dir)/acl"])
        try broker.start()
        defer { broker.stop(); try? FileManager.default.removeItem(atPath: dir) }
        let out = mqttCheck(mqttConfiguration(host: "127.0.0.1", port: broker.port), timeoutMs: 1_500)
        #expect(out.exitCode == 4, "\(out.text)")
        let last = try #require(out.lines.last)
        #expect(last.hasPrefix("FAIL  subscribe round trip"), "\(out.text)")
        #expect(last.contains("ACL"))
    }
}
