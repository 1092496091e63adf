@testable import EarshotDiagnostics
import EarshotAgent
import EarshotTestSupport
import Testing

@Suite("earshot mqtt check", .serialized)
struct DiagnosticsMQTTTests {
    @Test("PASS against a real mosquitto, with a measured PUBACK round trip")
    func passes() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        defer { broker.stop() }
        let out = mqttCheck(mqttConfiguration(host: "127.0.0.1", port: broker.port), timeoutMs: 3_000)
        #expect(out.exitCode == 0, "\(out.text)")
        #expect(out.lines.count == 4)  // connect, PUBACK, subscribe round trip, summary
        #expect(out.lines.allSatisfy { $0.hasPrefix("PASS") })
        #expect(out.lines[1].contains("PUBACK after"))
    }

    @Test("closed port: FAIL naming host and port, exit 4, within the bound")
    func closedPort() throws {
        let port = try freeLocalPort()
        let t0 = ContinuousClock.now
        let out = mqttCheck(mqttConfiguration(host: "127.0.0.1", port: port), timeoutMs: 2_000)
        #expect(ContinuousClock.now - t0 < .seconds(5))
        #expect(out.exitCode == 4)
        #expect(out.lines.first?.hasPrefix("FAIL  connect to 127.0.0.1:\(port)") == true)
        #expect(out.lines.first?.contains("unreachable") == true, "\(out.text)")
    }
}
