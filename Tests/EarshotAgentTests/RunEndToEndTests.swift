// Issue 5 "Must show" 1: a file with known synthesised events replayed through
// libasound's `file` plugin → `earshot run` (child process) → an independent
// mosquitto_sub: right classes, payloads valid against Schemas/, status
// retained, commands answered, last will seen when the agent is SIGKILLed.
import EarshotTestSupport
import Foundation
import Testing

extension RunAgentTests {
    @Suite("earshot run end to end")
    struct RunEndToEndTests {
        @Test(.timeLimit(.minutes(1)))
        func alsaReplayToSubscriber() throws {
            let broker = try MosquittoBroker()
            try broker.start()
            defer { broker.stop() }
            let fx = try RunFixture(port: broker.port, prefix: "earshot-run-e2e")
            let base = "earshot/v1/test/box-1"
            let sub = try MosquittoSubscriber.started(port: broker.port, filters: ["earshot/v1/#"])
            defer { sub.stop() }

            // 5 s: shot at 1.0 s, horn 2.5…3.5 s.
            var audio = RunAudio.background(seconds: 5)
            RunAudio.addShot(&audio, at: 1.0)
            RunAudio.addHorn(&audio, at: 2.5, duration: 1.0)
            let raw = try fx.write("street.raw", RunAudio.pcm16(audio))
            let conf = try fx.writeAsoundConf(raw: raw)
            let board = try fx.writeBoard(device: "earshot_replay")
            let site = try fx.writeSite(board: board, table: try fx.writeTable())
            // The `null` slave does not pace: the ring holds the whole file; analysis stops after 5 s of audio.
            let args = ["--config", site, "--ring-seconds", "30", "--exit-after", "5"]
            let agent = try AgentProcess(args, environment: AlsaFileReplay.environment(confPath: conf))
            defer { agent.signal(SIGKILL) }

            let expectShot = RunAudio.chainReportsOnsets()
            let wanted: Set<String> = expectShot ? ["gunshot", "car_horn"] : ["car_horn"]
            let gotEvents = sub.wait(timeout: 20) { msgs in
                let events = msgs.filter { $0.topic == base + "/event" }
                let classes = Set(events.compactMap { $0.json?["class"] as? String })
                return wanted.isSubset(of: classes) && events.contains { $0.json?["phase"] as? String == "end" }
            }
            let events = sub.messages(on: base + "/event")
            #expect(gotEvents, "classes wanted \(wanted) and a horn end; got \(events.map(\.payload))\nagent: \(agent.stderr)")
            let classes = events.compactMap { $0.json?["class"] as? String }
            print("end-to-end: gunshot expected=\(expectShot) events=\(classes) logged_ids=\(agent.eventIDs.count)")
            #expect(Set(classes).isSubset(of: ["gunshot", "car_horn"]), "unexpected classes \(classes)")
            // One horn → one start and one end; the end names the start, shares its onset and spans the 1 s horn.
            let horns = events.filter { $0.json?["class"] as? String == "car_horn" }
            let hornStart = horns.filter { $0.json?["phase"] as? String == "start" }
            let hornEnd = horns.filter { $0.json?["phase"] as? String == "end" }
            #expect(hornStart.count == 1 && hornEnd.count == 1 && horns.count == 2, "\(horns.map(\.payload))")
            if let start = hornStart.first?.json, let end = hornEnd.first?.json {
                #expect(end["start_id"] as? String == start["id"] as? String, "\(end)")
                #expect(end["onset_ns"] as? Int == start["onset_ns"] as? Int)
                let duration = (end["duration_ms"] as? NSNumber)?.doubleValue ?? 0
                #expect(duration >= 800 && duration <= 1_300, "horn of 1000 ms reported as \(duration) ms")
                #expect(end["sector"] == nil)
            }
            for e in events where e.json?["class"] as? String == "gunshot" { #expect(e.json?["phase"] as? String == "impulse") }
            for e in events {
                #expect(schemaErrors(e.payload, schema: "event") == [], "\(e.payload)")
                #expect(e.qos == 1 && !e.retained)
            }
            // The ids published are the ids the agent logged (its stderr is read
            // asynchronously: give the log line up to 5 s to arrive).
            let publishedIDs = Set(events.compactMap { $0.json?["id"] as? String })
            for _ in 0..<100 where !publishedIDs.isSubset(of: Set(agent.eventIDs)) { usleep(50_000) }
            #expect(publishedIDs == Set(agent.eventIDs), "\(agent.stderr)")
            // Onsets are UTC ns of this run (an unpaced replay has no meaningful capture times to compare further).
            let now = Int(Date().timeIntervalSince1970 * 1e9)
            for e in events { #expect(((e.json?["onset_ns"] as? Int) ?? 0) > now - 120_000_000_000 && ((e.json?["onset_ns"] as? Int) ?? 0) < now + 5_000_000_000) }

            // Telemetry every second; valid.
            #expect(sub.wait(timeout: 10) { $0.contains { $0.topic == base + "/telemetry" } })
            for t in sub.messages(on: base + "/telemetry") { #expect(schemaErrors(t.payload, schema: "telemetry") == [], "\(t.payload)") }

            // Status: online, retained for a late subscriber, valid, mode and capture counters.
            let late = try MosquittoSubscriber.started(port: broker.port, filters: [base + "/status"])
            defer { late.stop() }
            #expect(late.wait(timeout: 5) { $0.contains { $0.retained } })
            let retained = try #require(late.messages.first { $0.retained })
            #expect(retained.json?["state"] as? String == "online", "\(retained.payload)")
            #expect(retained.json?["mode"] as? String == "events")
            #expect((retained.json?["detail"] as? String)?.contains("ptz=disabled") == true, "\(retained.payload)")
            // First-class capture, PTZ and analysis fields.
            let capture = retained.json?["capture"] as? [String: Any] ?? [:]
            #expect(capture["source"] as? String == "alsa" && capture["device"] as? String == "earshot_replay", "\(retained.payload)")
            #expect(["open", "stopped"].contains(capture["state"] as? String ?? "") && capture["xruns"] as? Int == 0, "\(retained.payload)")
            #expect((capture["frames"] as? Int ?? 0) > 0 || (retained.json?["analysis"] as? [String: Any])?["hops"] as? Int == 0)
            #expect((retained.json?["ptz"] as? [String: Any])?["enabled"] as? Bool == false, "\(retained.payload)")
            #expect((retained.json?["analysis"] as? [String: Any])?["queue_dropped"] as? Int == 0, "\(retained.payload)")
            #expect(schemaErrors(retained.payload, schema: "status") == [], "\(retained.payload)")

            // Commands: ping, ptz refused in mode events, selftest with per-stage results.
            try publishCommand(port: broker.port, topic: base + "/cmd/ping", payload: #"{"request_id":"p1"}"#)
            try publishCommand(port: broker.port, topic: base + "/cmd/ptz", payload: #"{"request_id":"z1","args":{"preset":2}}"#)
            try publishCommand(port: broker.port, topic: base + "/cmd/selftest", payload: #"{"request_id":"s1"}"#)
            let replies = { sub.messages.filter { $0.topic.hasPrefix(base + "/cmd/") && $0.topic.hasSuffix("/reply") } }
            #expect(sub.wait(timeout: 10) { _ in replies().count >= 3 }, "\(replies().map(\.payload))")
            for r in replies() { #expect(schemaErrors(r.payload, schema: "command-reply") == [], "\(r.payload)") }
            let ping = replies().first { $0.topic.hasSuffix("/ping/reply") }?.json
            #expect(ping?["ok"] as? Bool == true)
            let ptz = replies().first { $0.topic.hasSuffix("/ptz/reply") }?.json
            // Unsigned: refused before the mode is even looked at (cmd/ptz needs a signature).
            #expect(ptz?["ok"] as? Bool == false && (ptz?["message"] as? String)?.hasPrefix("refused: ") == true, "\(String(describing: ptz))")
            let selftest = try #require(replies().first { $0.topic.hasSuffix("/selftest/reply") }?.json)
            let result = selftest["result"] as? [String: Any] ?? [:]
            #expect(result["analysis"] as? String == "pass", "\(selftest)")
            #expect(result["outbox"] as? String == "pass", "\(selftest)")
            #expect(result["ptz"] as? String == "skipped (mode not events+ptz)")
            if expectShot { #expect(result["detector"] as? String == "pass", "\(selftest)") }
            // The synthetic event went through the outbox to the broker.
            #expect(sub.wait(timeout: 5) { $0.contains { $0.topic == base + "/event" && $0.json?["class"] as? String == "selftest" } })

            // SIGKILL: the broker publishes the last will (retained offline).
            let before = sub.messages(on: base + "/status").count
            agent.signal(SIGKILL)
            #expect(sub.wait(timeout: 10) { msgs in
                msgs.filter { $0.topic == base + "/status" }.dropFirst(before).contains { $0.json?["state"] as? String == "offline" }
            })
            let will = try #require(sub.messages(on: base + "/status").last)
            #expect(will.json?["reason"] as? String == "connection lost", "\(will.payload)")
            #expect(schemaErrors(will.payload, schema: "status") == [], "\(will.payload)")
        }
    }
}
