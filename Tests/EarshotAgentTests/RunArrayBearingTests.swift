// Issue 8 end to end: 4-channel audio of a ReSpeaker-geometry array replayed
// through libasound's `file` plugin → `earshot run` (mode events+ptz) → each
// event's bearing in its MQTT payload and the PTZ line of the nearest camera
// preset pulsed (on the in-memory chip whose writes the child logs).
// Sources are synthesised here as exact far-field plane waves (fractional
// delays computed analytically per microphone), not with the code under test.
import EarshotTestSupport
import Foundation
import Testing

extension RunAgentTests {
    @Suite("earshot run localises events with a microphone array")
    struct RunArrayBearingTests {
        static let rate = 16_000
        /// ReSpeaker 4-Mic Array positions (as in Boards/rpi4-respeaker-4mic.toml), metres.
        static let mics: [(Double, Double)] = [(-0.0405, 0), (0, 0.0405), (0.0405, 0), (0, -0.0405)]

        /// 4 interleaved channels: independent noise at ≈ −50 dBFS on each microphone,
        /// plus, for each (time s, azimuth deg), a 250 ms broadband burst (300–6000 Hz,
        /// 120 partials with random phases, instant attack, 25 ms decay) arriving as a
        /// plane wave from that azimuth (c = 343 m/s).
        static func audio(seconds: Double, shots: [(Double, Double)]) -> [Double] {
            let n = Int(seconds * Double(rate))
            var x = [Double](repeating: 0, count: n * 4)
            var noise = RunAudio.Noise(state: 5)
            for i in 0..<x.count { x[i] = noise.next() * 0.006 }
            var rng = RunAudio.Noise(state: 77)
            for (at, azimuth) in shots {
                let partials = (0..<120).map { _ in (300 + 5_700 * (rng.next() + 1) / 2, Double.pi * rng.next()) }
                let ux = cos(azimuth * .pi / 180), uy = sin(azimuth * .pi / 180)
                for (m, p) in mics.enumerated() {
                    let delay = -(p.0 * ux + p.1 * uy) / 343   // arrives earlier on the side facing the source
                    let start = at + delay
                    let first = Int((start * Double(rate)).rounded(.up))
                    for k in first..<min(n, first + Int(0.25 * Double(rate))) {
                        let t = Double(k) / Double(rate) - start
                        var s = 0.0
                        for (f, ph) in partials { s += sin(2 * .pi * f * t + ph) }
                        x[k * 4 + m] += 0.03 * s * exp(-t / 0.025)
                    }
                }
            }
            return x
        }

        static func smallest(_ a: Double, _ b: Double) -> Double {
            let d = abs((a - b).truncatingRemainder(dividingBy: 360))
            return min(d, 360 - d)
        }

        @Test(.timeLimit(.minutes(2)))
        func shotsTurnTheCameraToTheirPreset() throws {
            let broker = try MosquittoBroker()
            try broker.start()
            defer { broker.stop() }
            let fx = try RunFixture(port: broker.port, prefix: "earshot-run-array")
            let base = "earshot/v1/test/box-1"
            let sub = try MosquittoSubscriber.started(port: broker.port, filters: [base + "/event"])
            defer { sub.stop() }

            // Azimuth → nearest preset (0/90/180/270): 30° → 1, 120° → 2, 250° → 4, 200° → 3. The
            // `null` slave does not pace: the shots reach the agent milliseconds apart, so no
            // PTZ cooldown (the trigger queues the four sequences).
            let shots: [(Double, Double)] = [(1.0, 30), (2.5, 120), (4.0, 250), (5.5, 200)]
            let raw = try fx.write("array.raw", RunAudio.pcm16(Self.audio(seconds: 7, shots: shots)))
            let conf = try fx.writeAsoundConf(raw: raw)
            let board = try fx.writeBoard(device: AlsaFileReplay.pcmName, ptzCooldownMs: 0, rate: Self.rate, channels: 4,
                                          micPositionsM: Self.mics.map { ($0.0, $0.1, 0) }, pulseMs: 50)
            let site = try fx.writeSite(board: board, table: try fx.writeTable(), mode: "events+ptz", telemetryS: 60)
            let gpioLog = fx.path("gpio.log")
            let args = ["--config", site, "--ring-seconds", "30", "--exit-after", "7", "--fake-gpio-log", gpioLog]
            let agent = try AgentProcess(args, environment: AlsaFileReplay.environment(confPath: conf))
            defer { agent.signal(SIGKILL) }

            let impulses = {
                sub.messages(on: base + "/event").filter { $0.json?["phase"] as? String != "end" }
            }
            #expect(sub.wait(timeout: 30) { _ in impulses().count >= shots.count }, "\(impulses().map(\.payload))\n\(agent.stderr)")
            // One published impulse per shot, in order (the file plugin's `null` slave does not
            // pace the capture, so onset_ns are read times, not audio times), each with a
            // bearing near the truth.
            let published = impulses().compactMap(\.json).sorted { ($0["seq"] as? Int ?? 0) < ($1["seq"] as? Int ?? 0) }
            #expect(published.count == shots.count, "\(published)")
            var sectors: [Int] = []
            for ((at, azimuth), e) in zip(shots, published) {
                let bearing = (e["bearing_deg"] as? NSNumber)?.doubleValue
                #expect(bearing.map { Self.smallest($0, azimuth) < 10 } == true,
                        "shot from \(azimuth)° at \(at) s: bearing \(String(describing: bearing)) (\(e))")
                let confidence = (e["bearing_confidence"] as? NSNumber)?.doubleValue ?? -1
                #expect(confidence > 0 && confidence <= 1, "bearing_confidence \(confidence)")
                sectors.append(e["sector"] as? Int ?? -1)
            }
            #expect(sectors == [0, 1, 3, 2], "camera presets 1, 2, 4, 3 (sectors 0, 1, 3, 2); got \(sectors)")
            for e in impulses() { #expect(schemaErrors(e.payload, schema: "event") == [], "\(e.payload)") }

            agent.signal(SIGTERM)
            _ = agent.wait(timeout: 10)
            let log = try String(contentsOfFile: gpioLog, encoding: .utf8)
            let rises = RunGPIOTests.transitions(log).filter(\.active).map(\.index)
            #expect(rises == [0, 1, 3, 2], "PTZ lines pulsed for presets 1, 2, 4, 3: \(log)")
        }
    }
}
