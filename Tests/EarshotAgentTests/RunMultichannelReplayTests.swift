// Issue 17, "multichannel replay": `earshot run --input` of a microphone-array recording
// (as many channels as the board) replays every channel, so events carry their bearing
// and the camera its preset on the ground, before going up the pole; before, the replay
// was mono (no bearing).
import EarshotTestSupport
import Foundation
import Testing

extension RunAgentTests {
    @Suite("earshot run --input replays every channel of an array recording")
    struct RunMultichannelReplayTests {
        /// `x` (interleaved, `channels`) as a 16-bit PCM WAV.
        static func wav(_ x: [Double], channels: Int, rate: Int) -> Data {
            let pcm = RunAudio.pcm16(x)
            var d = Data()
            func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { d.append(contentsOf: $0) } }
            func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { d.append(contentsOf: $0) } }
            d.append(contentsOf: Array("RIFF".utf8)); u32(36 + pcm.count)
            d.append(contentsOf: Array("WAVEfmt ".utf8)); u32(16); u16(1); u16(channels); u32(rate); u32(rate * 2 * channels)
            u16(2 * channels); u16(16)
            d.append(contentsOf: Array("data".utf8)); u32(pcm.count)
            d.append(pcm)
            return d
        }

        @Test(.timeLimit(.minutes(2)))
        func arrayRecordingGivesBearingAndPreset() throws {
            let broker = try MosquittoBroker()
            try broker.start()
            defer { broker.stop() }
            let fx = try RunFixture(port: broker.port, prefix: "earshot-run-mcreplay")
            let base = "earshot/v1/test/box-1"
            let sub = try MosquittoSubscriber.started(port: broker.port, filters: [base + "/event"])
            defer { sub.stop() }
            let shots: [(Double, Double)] = [(1.0, 30), (2.5, 120)]
            let wav = try fx.write("array.wav", Self.wav(RunArrayBearingTests.audio(seconds: 4, shots: shots), channels: 4,
                                                         rate: RunArrayBearingTests.rate))
            let board = try fx.writeBoard(device: "unused", ptzCooldownMs: 0, rate: RunArrayBearingTests.rate, channels: 4,
                                          micPositionsM: RunArrayBearingTests.mics.map { ($0.0, $0.1, 0) }, pulseMs: 50)
            let site = try fx.writeSite(board: board, table: try fx.writeTable(), mode: "events+ptz", telemetryS: 60)
            let agent = try AgentProcess(["--config", site, "--input", wav, "--exit-at-end", "--fake-gpio-log", fx.path("gpio.log")])
            defer { agent.signal(SIGKILL) }
            let impulses = { sub.messages(on: base + "/event").filter { $0.json?["phase"] as? String != "end" } }
            #expect(sub.wait(timeout: 40) { _ in impulses().count >= shots.count }, "\(impulses().map(\.payload))\n\(agent.stderr)")
            let published = impulses().compactMap(\.json).sorted { ($0["seq"] as? Int ?? 0) < ($1["seq"] as? Int ?? 0) }
            #expect(published.count == shots.count, "\(published)")
            for ((_, azimuth), e) in zip(shots, published) {
                let bearing = (e["bearing_deg"] as? NSNumber)?.doubleValue
                #expect(bearing.map { RunArrayBearingTests.smallest($0, azimuth) < 10 } == true, "from \(azimuth)°: \(e)")
            }
            #expect(published.map { $0["sector"] as? Int ?? -1 } == [0, 1], "\(published)")
            #expect(agent.wait(timeout: 30) == 0, "\(agent.stderr)")
        }
    }
}
