import EarshotTestSupport
import Foundation
import Testing

/// Issue 17: the Home Assistant LAeq sensor declared unit `dB` (sound pressure) for
/// uncalibrated dBFS values (about −59). Uncalibrated it is now dBFS (no sound_pressure
/// class), calibrated dB(A) SPL; the telemetry payload's `unit` says the same.
extension RunAgentTests {
    @Suite("LAeq unit: dBFS until calibrated, dB(A) SPL after, in discovery and payload")
    struct LAeqUnitTests {
        func discoveryAndTelemetry(calibrated: Bool) throws -> (laeq: [String: Any], telemetry: [String: Any]) {
            let broker = try MosquittoBroker()
            try broker.start()
            defer { broker.stop() }
            let fx = try RunFixture(port: broker.port, prefix: "earshot-laeq")
            let board = try fx.write("board.toml", """
            name = "test-board"
            [audio]
            device = "unused"
            rate = 16000
            channels = 1
            format = "S16_LE"
            [microphone]
            \(calibrated ? "calibration_offset_db = 100.0" : "")

            """)
            let text = TestSiteFile(sensor: "box-1", board: board, mode: "events", port: broker.port, outbox: fx.path("outbox"),
                                    telemetryS: 1, table: try fx.writeTable()).text
                .replacingOccurrences(of: "port = \(broker.port)\n", with: "port = \(broker.port)\nhome_assistant_discovery = true\n")
            let site = try fx.write("site.toml", text)
            let sub = try MosquittoSubscriber.started(port: broker.port, filters: ["homeassistant/#", "earshot/v1/test/box-1/telemetry"])
            defer { sub.stop() }
            let wav = try fx.write("street.wav", RunAudio.wav(RunAudio.background(seconds: 3)))
            let agent = try AgentProcess(["--config", site, "--input", wav, "--realtime", "--loop"])
            defer { agent.signal(SIGKILL) }
            #expect(sub.wait(timeout: 20) { msgs in
                msgs.contains { $0.topic.hasSuffix("/laeq/config") } && msgs.contains { $0.topic.hasSuffix("/telemetry") }
            }, "\(agent.stderr)")
            agent.signal(SIGTERM)
            _ = agent.wait(timeout: 10)
            let laeq = try #require(sub.messages.first { $0.topic.hasSuffix("/laeq/config") }?.json)
            let telemetry = try #require(sub.messages.first { $0.topic.hasSuffix("/telemetry") }?.json)
            return (laeq, telemetry)
        }

        @Test("uncalibrated board: discovery unit dBFS, no sound_pressure class; telemetry unit dBFS", .timeLimit(.minutes(1)))
        func uncalibrated() throws {
            let r = try discoveryAndTelemetry(calibrated: false)
            #expect(r.laeq["unit_of_measurement"] as? String == "dBFS", "\(r.laeq)")
            #expect(r.laeq["device_class"] == nil, "\(r.laeq)")
            #expect(r.telemetry["unit"] as? String == "dBFS", "\(r.telemetry)")
            #expect(((r.telemetry["laeq"] as? NSNumber)?.doubleValue ?? 0) < 0, "\(r.telemetry)")
        }

        @Test("calibrated board: discovery unit dBA with class sound_pressure; telemetry unit dB SPL", .timeLimit(.minutes(1)))
        func calibrated() throws {
            let r = try discoveryAndTelemetry(calibrated: true)
            #expect(r.laeq["unit_of_measurement"] as? String == "dBA", "\(r.laeq)")
            #expect(r.laeq["device_class"] as? String == "sound_pressure", "\(r.laeq)")
            #expect(r.telemetry["unit"] as? String == "dB SPL", "\(r.telemetry)")
            #expect(((r.telemetry["laeq"] as? NSNumber)?.doubleValue ?? 0) > 0, "\(r.telemetry)")
        }
    }
}
