import EarshotTestSupport
import Foundation
import Testing

/// `earshot demo` through the built binary. Issue 17: one physical sound gives one event
/// and at most one PTZ pulse (no `loud_impulse` beside a classified sound), and each pulse
/// is printed under its event, not 10–20 s of soundscape later. Issue 18, item 1: the demo
/// runs the agent's own `EventDispatcher`, not a second wiring.
@Suite("earshot demo: one event and one pulse per sound, under its event, through the agent's dispatcher", .serialized)
struct DemoDispatchTests {
    /// One run without a broker (a closed port), shared by the tests that read its output.
    static let offline: CLI.Result? = try? CLI.run(["demo", "--broker", "127.0.0.1:1"], timeout: 240)

    /// The table's event lines: "   8.00  gunshot   -10.7   109.3  0.83  sector 0 …".
    static func eventLines(_ out: String) -> [(index: Int, text: Substring)] {
        out.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { i, line in
            let fields = line.split(separator: " ")
            guard fields.count >= 5, Double(fields[0]) != nil, !line.contains("ended after") else { return nil }
            return (i, line)
        }
    }

    @Test("4 sounds → 4 events → 4 pulses: no loud_impulse beside the shot, the window or the horn")
    func oneEventPerSound() throws {
        let r = try #require(Self.offline, "earshot demo did not run")
        #expect(r.status == 0, "\(r.out)\(r.err)")
        let classes = Self.eventLines(r.out).map { String($0.text.split(separator: " ")[1]) }
        #expect(classes == ["gunshot", "glass_break", "car_horn", "power_tool"], "\(r.out)")
        #expect(!r.out.contains("loud_impulse"), "\(r.out)")
        #expect(r.out.contains("PTZ: 4 pulse(s) on the fake chip"), "\(r.out)")
    }

    @Test("each pulse is printed right under its event, with the time from the PTZ request to the line going active")
    func pulsesUnderTheirEvents() throws {
        let r = try #require(Self.offline, "earshot demo did not run")
        let lines = r.out.split(separator: "\n", omittingEmptySubsequences: false)
        let events = Self.eventLines(r.out)
        var pulsed = 0
        for (i, text) in events {
            guard let range = text.range(of: ": pulse line ") else { continue }
            pulsed += 1
            let gpio = text[range.upperBound...].prefix { $0.isNumber }
            #expect(i + 2 < lines.count, "\(r.out)")
            guard i + 2 < lines.count else { continue }
            let active = lines[i + 1], idle = lines[i + 2]
            #expect(active.contains("└ fake GPIO line \(gpio) (sector ") && active.contains("→ active (high), "), "\(r.out)")
            #expect(idle.contains("└ fake GPIO line \(gpio) (sector ") && idle.contains("→ idle (low)"), "\(r.out)")
            let ms = active.range(of: "active (high), ").flatMap { Double(active[$0.upperBound...].prefix { $0 != " " }) }
            let latency = try #require(ms, "no latency in: \(active)")
            #expect(latency >= 0 && latency < 250, "pulse \(latency) ms after its request")
        }
        #expect(pulsed == 4)
        // No transition printed anywhere else (the old demo printed them wherever its poll fell).
        #expect(lines.filter { $0.contains("└ fake GPIO line") }.count == 2 * pulsed, "\(r.out)")
    }

    @Test("with a broker: the agent's dispatcher publishes events, their ends (naming the start) and telemetry")
    func realDispatcher() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        defer { broker.stop() }
        let base = "earshot/v1/demo/demo-1"
        let sub = try MosquittoSubscriber.started(port: broker.port, filters: [base + "/event", base + "/telemetry"])
        defer { sub.stop() }
        let r = try CLI.run(["demo", "--broker", "127.0.0.1:\(broker.port)"], timeout: 240)
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(sub.wait(timeout: 10) { $0.filter { $0.topic == base + "/event" }.count >= 6 }, "\(r.out)")
        let events = sub.messages(on: base + "/event").compactMap(\.json)
        let phases = events.map { "\($0["class"] ?? "?")/\($0["phase"] ?? "?")" }
        #expect(phases == ["gunshot/impulse", "glass_break/impulse", "car_horn/start", "car_horn/end",
                           "power_tool/start", "power_tool/end"], "\(phases)")
        // The dispatcher pairs an end with its start and carries the start's onset.
        for cls in ["car_horn", "power_tool"] {
            let start = events.first { $0["class"] as? String == cls && $0["phase"] as? String == "start" }
            let end = events.first { $0["class"] as? String == cls && $0["phase"] as? String == "end" }
            #expect(end?["start_id"] as? String != nil && end?["start_id"] as? String == start?["id"] as? String, "\(cls)")
            #expect(end?["onset"] as? String == start?["onset"] as? String, "\(cls)")
        }
        // Telemetry goes through the dispatcher too (the demo's 10 s windows).
        #expect(sub.wait(timeout: 5) { $0.filter { $0.topic == base + "/telemetry" }.count >= 5 }, "\(r.out)")
        #expect(r.out.contains("6 event(s) published, 0 unacknowledged"), "\(r.out)")
    }
}
