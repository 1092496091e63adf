// The agent's status path without heap allocation (issue 7): measured with the real malloc
// counter in a child process (`earshot-soak --status-allocs` under LD_PRELOAD of the
// malloc interposer: 3 warm-up statuses, then 100 forced statuses — composed, encoded,
// published retained to a real mosquitto, STATUS= sent to a bound $NOTIFY_SOCKET — and 100
// "nothing due" checks, all counted on their thread), and the texts the fixed buffers build
// compared with the String-interpolated texts they replace.
@testable import EarshotAgent
@testable import EarshotAudio
import EarshotText
import EarshotTestSupport
import Foundation
import Testing

extension RunAgentTests {
    @Suite("status without heap allocation")
    struct StatusAllocationTests {
        @Test("100 statuses (MQTT + STATUS=) allocate nothing outside libmosquitto (real malloc counter)",
              .timeLimit(.minutes(1)))
        func statusPathAllocatesNothing() throws {
            let soak = try #require(BuiltExecutable.url("earshot-soak"), "earshot-soak is not built next to the tests")
            let interposer = soak.deletingLastPathComponent().appendingPathComponent("libMallocInterposerSwift.so")
            try #require(FileManager.default.fileExists(atPath: interposer.path), "no \(interposer.path)")
            let p = Process()
            p.executableURL = soak
            p.arguments = ["--status-allocs", "100"]
            var env = ProcessInfo.processInfo.environment
            env["LD_PRELOAD"] = interposer.path
            env["SOAK_TRACE_ALLOCS"] = "3"  // stacks of the first allocations, if any, on stderr
            env.removeValue(forKey: "NOTIFY_SOCKET")
            p.environment = env
            let out = Pipe(), err = Pipe()
            p.standardOutput = out
            p.standardError = err
            try p.run()
            let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            let fields = Dictionary(o.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { kv -> (String, Int)? in
                let f = kv.split(separator: "=")
                guard f.count == 2, let v = Int(f[1]) else { return nil }
                return (String(f[0]), v)
            }, uniquingKeysWith: { $1 })
            #expect(fields["status_allocs"] == 0, "\(o)\n\(e.suffix(4_000))")
            #expect(fields["status_published"] == 103, "\(o)")
            #expect((fields["status_datagrams"] ?? 0) >= 103 && fields["status_datagrams_malformed"] == 0, "\(o)")
            #expect(p.terminationStatus == 0, "\(o)\n\(e.suffix(4_000))")
        }

        /// The ALSA part of `detail` as the agent wrote it with String interpolation before.
        static func oldCaptureText(_ s: CaptureStatus) -> String {
            var detail = "capture \(s.state) xruns=\(s.xruns) reopens=\(s.reopens) failed_opens=\(s.failedOpens) stalls=\(s.stalls) frames=\(s.framesCaptured) dropped=\(s.framesDropped)"
            if !s.lastError.isEmpty && s.state != .running { detail += " last_error=\(s.lastError)" }
            return detail
        }

        @Test("ALSA capture detail: the same text as the String-built one", arguments: [
            (CaptureState.running, ""), (.running, "old error"), (.recovering, "overrun"),
            (.lost, "snd_pcm_open(\"hw:CARD=Array\"): No such device"), (.stopped, ""),
        ])
        func captureText(state: CaptureState, lastError: String) {
            let s = CaptureStatus(state: state, xruns: 3, reopens: 1, failedOpens: 12, consecutiveFailedOpens: 2, stalls: 4,
                                  framesCaptured: 9_876_543_210, framesDropped: 17, lastError: lastError, negotiated: nil)
            var text = StatusText()
            AgentStatus.appendCapture(s, to: &text)
            #expect(text.description == Self.oldCaptureText(s))
        }

        @Test("replay detail and STATUS= text of a running agent equal the String-built ones", .timeLimit(.minutes(1)))
        func replayText() throws {
            let fx = try RunFixture(port: try freeLocalPort(), prefix: "earshot-status-text")
            let board = try fx.writeBoard(device: "unused", ptzCooldownMs: 1_500)
            let site = try fx.writeSite(board: board, table: try fx.writeTable(), mode: "events+ptz", telemetryS: 60)
            var options = AgentOptions(sitePath: site)
            options.inputFile = try fx.write("quiet \"q\".wav", RunAudio.wav(RunAudio.background(seconds: 1)))
            options.fakeGPIOLog = fx.path("gpio.log")
            let agent = try Agent(options: options)
            try agent.start()
            defer { agent.shutdown() }
            let pipeline = try #require(agent.pipeline)
            let deadline = Date().addingTimeInterval(20)
            while !pipeline.analysis.reachedEndOfInput && Date() < deadline { usleep(10_000) }
            #expect(pipeline.analysis.reachedEndOfInput)
            // Counters are still once the replay ended.
            let ptz = try #require(pipeline.ptz).status
            guard case .file(let feeder) = pipeline.input.source else { Issue.record("not a replay"); return }
            let old = "replay \(feeder.path) frames=\(feeder.framesWritten); "
                + "ptz=enabled accepted=\(ptz.accepted) suppressed=\(ptz.suppressedBySector + ptz.suppressedByGlobal) failures=\(ptz.failures); "
                + "hops=\(pipeline.analysis.hops) queue_dropped=\(pipeline.queue.dropped) uptime_s=12345"
            #expect(AgentStatus.detail(pipeline, uptimeSeconds: 12_345).description == old)
            #expect(pipeline.analysis.hops == 100, "1 s of audio = 100 hops of 10 ms")
            let audio = AgentStatus.audioWord(pipeline.input)
            #expect(audio == (feeder.isFinished ? "stopped" : "ok"))
            #expect(AgentStatus.systemdText(audio: audio, mode: .eventsPTZ, hops: pipeline.analysis.hops).description
                    == "\(audio), events+ptz, hops \(pipeline.analysis.hops)")
            let message = AgentStatus.message(pipeline, mode: .eventsPTZ, version: "9.9.9", uptimeSeconds: 5)
            #expect(message.mode == "events+ptz" && message.softwareVersion == "9.9.9" && message.ptz?.enabled == true)
            #expect(message.capture?.device == feeder.path && message.analysis?.hops == 100)
            // A forced status is published (the status clock reads CLOCK_MONOTONIC in `earshot run`).
            let before = agent.statusPublished
            #expect(agent.publishStatus(force: true))
            #expect(!agent.publishStatus(), "nothing changed, 30 s not passed")
            #expect(agent.statusPublished == before + 1)
        }
    }
}
