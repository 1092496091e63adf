import EarshotAgent
import EarshotTestSupport
import Testing

@Suite("earshot demo driver (in-process, real runtime parts)")
struct DemoDriverTests {
    /// 45 s without the siren keeps the debug run short; broker on a closed port.
    static func run(broker: String = "127.0.0.1:1", seed: UInt64? = nil) throws -> (DemoResult, [String]) {
        var options = DemoOptions()
        options.seconds = 45
        options.siren = false
        options.broker = broker
        if let seed { options.seed = seed }
        var lines: [String] = []
        let result = try DemoDriver.run(options) { lines.append($0) }
        return (result, lines)
    }

    @Test("finishes, detects the grinder as power_tool near 40 s, pulses the fake PTZ line, reports every synthesised sound")
    func runsAndReports() throws {
        let (result, lines) = try Self.run()
        #expect(result.matches.map(\.expected.className) == ["gunshot", "glass_break", "car_horn", "power_tool"])
        let grinder = try #require(result.matches.first { $0.expected.className == "power_tool" }?.detected)
        #expect(abs(grinder.onsetSeconds - 40) < 0.1)
        #expect(grinder.sector == 0, "sectors are 0-based, as in the event payload (issue 17)")
        // Every sound produced some detection within 1 s of its onset (class checked below).
        for m in result.matches {
            #expect(result.detections.contains { abs($0.onsetSeconds - m.expected.onsetSeconds) < 1 }, "\(m.expected.label)")
        }
        // Each accepted PTZ request is one active and one idle transition on the fake chip.
        let accepted = result.detections.filter { $0.sector != nil }.count
        #expect(result.ptzTransitions.filter(\.active).count == accepted)
        #expect(result.ptzTransitions.filter { !$0.active }.count >= accepted)
        #expect(!result.brokerConnected)
        #expect(lines.contains { $0.contains("no broker reachable at 127.0.0.1:1") && $0.hasSuffix("events printed only") })
        #expect(result.exitCode == (result.allDetected ? 0 : 1))
        // The issue's four sounds (shot, window, horn, grinder), each with its own class.
        for m in result.matches { #expect(m.detected != nil, "\(m.expected.label) not detected as \(m.expected.className)") }
        #expect(result.exitCode == 0)
    }

    @Test("other soundscape seeds: the shot, window, horn and grinder are still found with the right classes",
          arguments: [UInt64(1), 2, 3])
    func otherSeeds(_ seed: UInt64) throws {
        let (result, _) = try Self.run(seed: seed)
        for m in result.matches {
            let d = try #require(m.detected, "seed \(seed): \(m.expected.label) not detected as \(m.expected.className)")
            #expect(abs(d.onsetSeconds - m.expected.onsetSeconds) < 0.1, "seed \(seed): \(m.expected.label) onset \(d.onsetSeconds) s")
        }
        // No specific class is reported where nothing was placed, and a placed sound gives one
        // event: no loud_impulse beside its class (issue 17).
        let stray = result.detections.filter { d in
            d.className != "loud_impulse" && !result.matches.contains { abs($0.expected.onsetSeconds - d.onsetSeconds) < 1 }
        }
        #expect(stray.isEmpty, "seed \(seed): \(stray.map { "\($0.className) @\($0.onsetSeconds)" })")
        let doubled = result.detections.filter { d in
            d.className == "loud_impulse" && result.matches.contains { abs($0.expected.onsetSeconds - d.onsetSeconds) < 1 }
        }
        #expect(doubled.isEmpty, "seed \(seed): \(doubled.map { "\($0.className) @\($0.onsetSeconds)" })")
        #expect(result.ptzTransitions.filter(\.active).count == result.detections.count, "seed \(seed): one pulse per event")
    }

    @Test("with a reachable broker every reported event is published and acknowledged")
    func publishes() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        defer { broker.stop() }
        let (result, lines) = try Self.run(broker: "127.0.0.1:\(broker.port)")
        #expect(result.brokerConnected)
        // Every impulse and start, and each sustained sound's end (the agent's dispatcher publishes ends).
        #expect(result.published == result.detections.count + result.ends && result.published > 0)
        #expect(lines.contains { $0.hasPrefix("mqtt: connected to 127.0.0.1:\(broker.port)") })
        #expect(lines.contains { $0.contains("\(result.published) event(s) published, 0 unacknowledged") })
    }
}
