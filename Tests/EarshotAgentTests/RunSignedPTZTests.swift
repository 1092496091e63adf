// Issue 18, item 2: anyone who could publish on …/cmd/ptz moved the camera. With a real
// broker, the real agent (mode events+ptz, fake chip logging every line change) and a
// hostile client (mosquitto_pub): unsigned, wrongly keyed, malformed, stale and replayed
// requests are refused, logged and counted, and the lines never move; the request signed
// by `earshot mqtt command` with the site's key moves the camera once.
import EarshotMQTT
import EarshotTestSupport
import Foundation
import Testing

extension RunAgentTests {
    @Suite("cmd/ptz needs a signed request")
    struct RunSignedPTZTests {
        static func rises(_ gpioLog: String) -> [Int] {
            ((try? String(contentsOfFile: gpioLog, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { line in
                let f = line.split(separator: " ")
                return f.count == 5 && f[0] == "set" && f[3] == "1" ? Int(f[2]) : nil
            }
        }

        @Test(.timeLimit(.minutes(1)))
        func hostileRequestsAreRefusedAndCountedSignedOneMovesTheCamera() throws {
            let broker = try MosquittoBroker()
            try broker.start()
            defer { broker.stop() }
            let fx = try RunFixture(port: broker.port, prefix: "earshot-run-signed")
            let base = "earshot/v1/test/box-1"
            let topic = base + "/cmd/ptz"
            let sub = try MosquittoSubscriber.started(port: broker.port, filters: [base + "/cmd/+/reply", base + "/status"])
            defer { sub.stop() }

            let keyText = String(repeating: "a7", count: 32)
            let key = try fx.writeCommandKey(key: keyText)
            let wav = try fx.write("quiet.wav", RunAudio.wav(RunAudio.background(seconds: 30)))
            let board = try fx.writeBoard(device: "unused", ptzCooldownMs: 100)
            let site = try fx.writeSite(board: board, table: try fx.writeTable(), mode: "events+ptz", telemetryS: 60,
                                        mqttExtra: key.line)
            let gpioLog = fx.path("gpio.log")
            let agent = try AgentProcess(["--config", site, "--input", wav, "--realtime", "--fake-gpio-log", gpioLog])
            defer { agent.signal(SIGKILL) }
            #expect(sub.wait(timeout: 10) { m in m.contains { $0.topic == base + "/status" && $0.json?["state"] as? String == "online" } },
                    "\(agent.stderr)")
            let initial = try #require(sub.messages(on: base + "/status").last?.json?["commands"] as? [String: Any])
            #expect(initial["auth"] as? String == "hmac-sha256" && initial["refused"] as? Int == 0, "\(initial)")

            let now = Int64(Date().timeIntervalSince1970)
            let right = Array(keyText.utf8)
            let wrong = Array(String(repeating: "b8", count: 32).utf8)
            func signed(_ id: String, key: [UInt8], ts: Int64 = now, nonce: String = CommandSigner.randomNonce()) -> String {
                CommandSigner.request(topic: topic, requestID: id, arguments: [("preset", .number(2))], key: key, time: ts, nonce: nonce)
            }
            // A valid request for another box must not be accepted here either (the topic is signed).
            let otherBox = CommandSigner.request(topic: "earshot/v1/test/box-2/cmd/ptz", requestID: "h-topic",
                                                 arguments: [("preset", .number(2))], key: right, time: now)
            let good = signed("h-seen", key: right)
            // A correct signature moved to the front: the format says it must be the last member.
            let moved = signed("h-malformed", key: right)
            let marker = moved.range(of: ",\"sig\":\"")!
            let malformed = "{\"sig\":\"\(moved[marker.upperBound...].prefix(64))\"," + String(moved[..<marker.lowerBound]).dropFirst() + "}"
            let hostile: [(id: String, payload: String, code: String)] = [
                ("h-unsigned", #"{"request_id":"h-unsigned","args":{"preset":2}}"#, "unsigned"),
                ("h-wrongkey", signed("h-wrongkey", key: wrong), "bad_signature"),
                ("h-tampered", signed("h-tampered", key: right).replacingOccurrences(of: "\"preset\":2", with: "\"preset\":4"), "bad_signature"),
                ("h-topic", otherBox, "bad_signature"),
                ("h-stale", signed("h-stale", key: right, ts: now - 120), "stale_timestamp"),
                ("h-future", signed("h-future", key: right, ts: now + 120), "stale_timestamp"),
                ("h-nonce", signed("h-nonce", key: right, nonce: "short"), "bad_nonce"),
            ]
            for h in hostile { try publishCommand(port: broker.port, topic: topic, payload: h.payload) }
            try publishCommand(port: broker.port, topic: topic, payload: malformed)
            let replies = { sub.messages(on: topic + "/reply") }
            #expect(sub.wait(timeout: 10) { _ in replies().count >= hostile.count + 1 }, "\(replies().map(\.payload))")
            for h in hostile {
                let r = replies().first { $0.json?["request_id"] as? String == h.id }?.json
                #expect(r?["ok"] as? Bool == false, "\(h.id): \(String(describing: r))")
                #expect((r?["result"] as? [String: Any])?["refused"] as? String == h.code, "\(h.id): \(String(describing: r))")
                #expect(agent.stderr.contains("cmd/ptz refused (\(h.code))"), "\(h.id) logged: \(agent.stderr)")
            }
            #expect(replies().contains { ($0.json?["result"] as? [String: Any])?["refused"] as? String == "malformed_signature" },
                    "\(replies().map(\.payload))")
            for r in replies() { #expect(schemaErrors(r.payload, schema: "command-reply") == [], "\(r.payload)") }
            usleep(300_000)
            #expect(Self.rises(gpioLog) == [], "no hostile request moved the camera")
            let refusedCount = hostile.count + 1
            let commands = { (sub.messages(on: base + "/status").last?.json?["commands"] as? [String: Any]) ?? [:] }
            #expect(sub.wait(timeout: 5) { _ in commands()["refused"] as? Int == refusedCount }, "\(commands())")
            #expect(commands()["accepted"] as? Int == 0, "\(commands())")

            // The technician's signed request (earshot mqtt command, the site's key) moves it.
            let sent = try CLI.run(["mqtt", "command", "ptz", "--arg", "preset=3", "--config", site])
            #expect(sent.status == 0, "\(sent.out)\(sent.err)")
            #expect(sent.out.contains("\"ok\":true"), "\(sent.out)")
            #expect(waitUntil(timeout: 3) { Self.rises(gpioLog) == [2] }, "signed preset 3 pulses sector 2: \(Self.rises(gpioLog))")

            // A valid request, sent twice: the first moves the camera, the replay is refused.
            usleep(300_000)  // past the 100 ms pulse and cooldown
            try publishCommand(port: broker.port, topic: topic, payload: good)
            #expect(sub.wait(timeout: 5) { _ in replies().contains { $0.json?["request_id"] as? String == "h-seen" } })
            #expect(replies().first { $0.json?["request_id"] as? String == "h-seen" }?.json?["ok"] as? Bool == true)
            usleep(300_000)
            try publishCommand(port: broker.port, topic: topic, payload: good)
            #expect(sub.wait(timeout: 5) { _ in replies().filter { $0.json?["request_id"] as? String == "h-seen" }.count == 2 })
            let replay = replies().last { $0.json?["request_id"] as? String == "h-seen" }?.json
            #expect((replay?["result"] as? [String: Any])?["refused"] as? String == "replayed", "\(String(describing: replay))")
            usleep(300_000)
            #expect(Self.rises(gpioLog) == [2, 1], "the signed CLI request and the first of the pair only: \(Self.rises(gpioLog))")
            #expect(sub.wait(timeout: 5) { _ in commands()["refused"] as? Int == refusedCount + 1 && commands()["accepted"] as? Int == 2 },
                    "\(commands())")
            #expect(commands()["last_refusal"] as? String == "replayed", "\(commands())")
            for st in sub.messages(on: base + "/status") { #expect(schemaErrors(st.payload, schema: "status") == [], "\(st.payload)") }

            // The CLI without the key's signature is refused too (exit 4, the reason printed).
            let unsigned = try CLI.run(["mqtt", "command", "ptz", "--arg", "preset=1", "--unsigned", "--config", site])
            #expect(unsigned.status == 4 && unsigned.out.contains("refused: unsigned"), "\(unsigned.out)\(unsigned.err)")
            agent.signal(SIGTERM)
            #expect(agent.wait(timeout: 10) == 0, "\(agent.stderr)")
            #expect(Self.rises(gpioLog) == [2, 1])
        }

        @Test("the key file: mode checked, length checked, both named; no key means refused; the insecure opt-out is explicit")
        func keyFileAndOptOut() throws {
            let broker = try MosquittoBroker()
            try broker.start()
            defer { broker.stop() }
            let fx = try RunFixture(port: broker.port, prefix: "earshot-run-keyfile")
            let board = try fx.writeBoard(device: "unused", ptzCooldownMs: 100)
            let table = try fx.writeTable()

            let open = try fx.writeCommandKey("open.key")
            chmod(open.path, 0o644)
            let site = try fx.writeSite(board: board, table: table, mode: "events+ptz", mqttExtra: open.line)
            let check = try CLI.run(["config", "check", site])
            #expect(check.status == 2, "\(check.out)\(check.err)")
            #expect(check.err.contains("mqtt.command_key_file = \"\(open.path)\": \(open.path) has mode 0644: others may read it"), "\(check.err)")

            let short = try fx.writeCommandKey("short.key", key: "tooshort")
            let site2 = try fx.writeSite(board: board, table: table, mode: "events+ptz", mqttExtra: short.line)
            let wav = try fx.write("quiet.wav", RunAudio.wav(RunAudio.background(seconds: 1)))
            let run = try CLI.run(["run", "--config", site2, "--input", wav, "--fake-gpio-log", fx.path("g.log")], timeout: 20)
            #expect(run.status == 2, "\(run.out)\(run.err)")
            #expect(run.err.contains("mqtt.command_key_file \(short.path): the key has 8 bytes; at least 32"), "\(run.err)")

            // The opt-out is written explicitly and shows in the status.
            let sub = try MosquittoSubscriber.started(port: broker.port, filters: ["earshot/v1/test/box-1/cmd/+/reply", "earshot/v1/test/box-1/status"])
            defer { sub.stop() }
            let site3 = try fx.writeSite(board: board, table: table, mode: "events+ptz", telemetryS: 60, mqttExtra: "insecure_unsigned_commands = true")
            let long = try fx.write("long.wav", RunAudio.wav(RunAudio.background(seconds: 20)))
            let gpioLog = fx.path("gpio.log")
            let agent = try AgentProcess(["--config", site3, "--input", long, "--realtime", "--fake-gpio-log", gpioLog])
            defer { agent.signal(SIGKILL) }
            #expect(sub.wait(timeout: 10) { m in m.contains { ($0.json?["commands"] as? [String: Any])?["auth"] as? String == "unsigned allowed (insecure)" } },
                    "\(sub.messages.map(\.payload)) \(agent.stderr)")
            let sent = try CLI.run(["mqtt", "command", "ptz", "--arg", "preset=2", "--unsigned", "--config", site3])
            #expect(sent.status == 0, "\(sent.out)\(sent.err)")
            #expect(waitUntil(timeout: 3) { Self.rises(gpioLog) == [1] }, "\(Self.rises(gpioLog))")
            agent.signal(SIGTERM)
            _ = agent.wait(timeout: 10)
        }
    }
}
