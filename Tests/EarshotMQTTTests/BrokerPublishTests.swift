// Publishing to a real mosquitto, checked by an independent mosquitto_sub.
import EarshotMQTT
import EarshotTestSupport
import Foundation
import Testing

@Suite("Publishing to a real broker", .timeLimit(.minutes(1)))
struct BrokerPublishTests {
    let base = "earshot/v1/test-site/s1"

    @Test("event, status and telemetry arrive, validate against the schemas; status is retained; stop publishes offline")
    func publishAll() throws {
        let (broker, outbox) = try startBrokerWithOutbox()
        defer { broker.stop(); removeDirectory(outbox) }
        let sub = try MosquittoSubscriber.started(port: broker.port, filters: ["earshot/#"])
        defer { sub.stop() }

        let publisher = try MQTTPublisher(configuration: testConfiguration(port: broker.port, outbox: outbox))
        try publisher.start()
        #expect(publisher.waitUntilConnected(timeoutMs: 5000) == nil)
        publisher.update(status: StatusMessage(mode: "events", softwareVersion: "0.1.0"))
        var receipts: [PublishReceipt] = []
        for i in 0..<3 { receipts.append(try publisher.publish(event: sampleEvent(i))) }
        for _ in 0..<2 { try publisher.publish(telemetry: sampleTelemetry()) }

        let ok = sub.wait(timeout: 5) { m in
            m.filter { $0.topic == base + "/event" }.count >= 3 && m.filter { $0.topic == base + "/telemetry" }.count >= 2
                && m.contains { $0.topic == base + "/status" }
        }
        #expect(ok, "received: \(sub.messages.map(\.topic))")
        let events = sub.messages(on: base + "/event")
        #expect(Set(events.compactMap { $0.json?["id"] as? String }) == Set(receipts.map(\.eventID)))
        #expect(Set(receipts.map(\.eventID)).count == 3)
        #expect(events.allSatisfy { $0.qos == 1 && !$0.retained })
        let eventSchema = try Schemas.validator("event")
        for e in events { #expect(eventSchema.validate(json: e.payload) == [], "\(e.payload)") }
        let first = try #require(events.first { ($0.json?["seq"] as? Int) == 1 }?.json)
        #expect(first["class"] as? String == "gunshot")
        #expect(first["onset"] as? String == "2026-01-01T00:00:00.123456789Z")
        #expect((first["onset_ns"] as? NSNumber)?.int64Value == 1_767_225_600_123_456_789)
        #expect((first["peak_db_spl"] as? NSNumber)?.doubleValue == 118.4)

        let telemetrySchema = try Schemas.validator("telemetry")
        for t in sub.messages(on: base + "/telemetry") {
            #expect(telemetrySchema.validate(json: t.payload) == [], "\(t.payload)")
            #expect((t.json?["laeq"] as? NSNumber)?.doubleValue == 62.3)
            #expect(t.qos == 0)
        }
        let statusSchema = try Schemas.validator("status")
        for s in sub.messages(on: base + "/status") { #expect(statusSchema.validate(json: s.payload) == [], "\(s.payload)") }

        // A late subscriber gets the retained status.
        let late = try MosquittoSubscriber.started(port: broker.port, filters: [base + "/status"])
        defer { late.stop() }
        #expect(late.wait(timeout: 3) { $0.contains { $0.retained && $0.json?["state"] as? String == "online" } })

        publisher.stop()
        #expect(late.wait(timeout: 3) { $0.contains { $0.json?["state"] as? String == "offline" } })
        #expect(publisher.outboxStats.pendingRecords == 0)
        #expect(publisher.outboxStats.acknowledged == 5)
    }

    @Test("the last will sets status offline (retained) when the client process is SIGKILLed")
    func lastWill() throws {
        let (broker, outbox) = try startBrokerWithOutbox()
        defer { broker.stop(); removeDirectory(outbox) }
        let statusTopic = "earshot/v1/test-site/probe-will/status"
        let probe = try ChildProcess(try Paths.probe(), ["will", "--port", String(broker.port), "--site", "test-site",
                                                          "--sensor", "probe-will", "--outbox", outbox])
        defer { probe.kill() }
        #expect(probe.waitForLine(timeout: 10) { $0 == "connected" }, "probe said: \(probe.lines)")
        let sub = try MosquittoSubscriber.started(port: broker.port, filters: [statusTopic])
        defer { sub.stop() }
        #expect(sub.wait(timeout: 3) { $0.contains { $0.json?["state"] as? String == "online" } })
        probe.kill()
        #expect(sub.wait(timeout: 5) { $0.contains { $0.json?["state"] as? String == "offline" } })
        let will = try #require(sub.messages.last { $0.json?["state"] as? String == "offline" })
        #expect(will.json?["reason"] as? String == "connection lost")
        #expect(try Schemas.validator("status").validate(json: will.payload) == [])
        // Retained: a new subscriber sees offline.
        let late = try MosquittoSubscriber.started(port: broker.port, filters: [statusTopic])
        defer { late.stop() }
        #expect(late.wait(timeout: 3) { $0.contains { $0.retained && $0.json?["state"] as? String == "offline" } })
    }

    @Test("commands: handler reply on cmd/{name}/reply (v3.1.1 style) and on the v5 response topic with correlation data")
    func commands() throws {
        let (broker, outbox) = try startBrokerWithOutbox()
        defer { broker.stop(); removeDirectory(outbox) }
        let publisher = try MQTTPublisher(configuration: testConfiguration(port: broker.port, outbox: outbox))
        publisher.setCommandHandler("ptz") { request in
            guard case .number(let preset)? = request.arguments["preset"] else {
                return CommandReply(ok: false, message: "missing args.preset")
            }
            return CommandReply(ok: true, message: "preset \(Int(preset)) triggered", result: ["preset": .number(preset)])
        }
        try publisher.start()
        defer { publisher.stop(flushTimeoutMs: 0) }
        #expect(publisher.waitUntilConnected(timeoutMs: 5000) == nil)
        let sub = try MosquittoSubscriber.started(port: broker.port, filters: [base + "/cmd/+/reply"])
        defer { sub.stop() }
        // The publisher subscribes right after CONNACK; give the SUBACK a moment.
        usleep(200_000)
        let request = #"{"request_id":"r-42","args":{"preset":2}}"#
        #expect(try Schemas.validator("command-request").validate(json: request) == [])
        try runTool("/usr/bin/mosquitto_pub", ["-h", "127.0.0.1", "-p", String(broker.port), "-q", "1",
                                               "-t", base + "/cmd/ptz", "-m", request])
        try runTool("/usr/bin/mosquitto_pub", ["-h", "127.0.0.1", "-p", String(broker.port), "-q", "1",
                                               "-t", base + "/cmd/reboot", "-m", "{}"])
        #expect(sub.wait(timeout: 5) { $0.count >= 2 }, "got \(sub.messages)")
        let replySchema = try Schemas.validator("command-reply")
        let ptz = try #require(sub.messages(on: base + "/cmd/ptz/reply").first)
        #expect(replySchema.validate(json: ptz.payload) == [])
        #expect(ptz.json?["ok"] as? Bool == true)
        #expect(ptz.json?["request_id"] as? String == "r-42")
        #expect(ptz.json?["message"] as? String == "preset 2 triggered")
        let unknown = try #require(sub.messages(on: base + "/cmd/reboot/reply").first)
        #expect(unknown.json?["ok"] as? Bool == false)
        #expect((unknown.json?["message"] as? String)?.contains("unknown command \"reboot\"") == true)

        // MQTT v5 request/response: mosquitto_rr sets a response topic and correlation data
        // and prints the reply that comes back on it.
        let reply = try runTool("/usr/bin/mosquitto_rr", ["-h", "127.0.0.1", "-p", String(broker.port), "-V", "5",
                                                          "-t", base + "/cmd/ping", "-e", "test/responses/1",
                                                          "-D", "publish", "correlation-data", "c0ffee",
                                                          "-m", "{}", "-W", "5"], timeout: 10)
        let line = try #require(reply.split(separator: "\n").first.map(String.init))
        #expect(replySchema.validate(json: line) == [], "\(line)")
        #expect(line.contains("\"message\":\"pong\""))
    }

    @Test("Home Assistant discovery (opt-in) publishes retained configs for LAeq and each event class")
    func homeAssistant() throws {
        let (broker, outbox) = try startBrokerWithOutbox()
        defer { broker.stop(); removeDirectory(outbox) }
        var config = testConfiguration(port: broker.port, outbox: outbox)
        config.homeAssistantDiscovery = true
        config.homeAssistantEventClasses = ["gunshot", "glass_break"]
        let publisher = try MQTTPublisher(configuration: config)
        try publisher.start()
        defer { publisher.stop(flushTimeoutMs: 0) }
        #expect(publisher.waitUntilConnected(timeoutMs: 5000) == nil)
        let sub = try MosquittoSubscriber.started(port: broker.port, filters: ["homeassistant/#"])
        defer { sub.stop() }
        #expect(sub.wait(timeout: 3) { $0.count >= 3 })
        let topics = Set(sub.messages.filter(\.retained).map(\.topic))
        #expect(topics == ["homeassistant/sensor/earshot_test_site_s1/laeq/config",
                           "homeassistant/event/earshot_test_site_s1/gunshot/config",
                           "homeassistant/event/earshot_test_site_s1/glass_break/config"])
        let laeq = try #require(sub.messages.first { $0.topic.hasSuffix("laeq/config") }?.json)
        #expect(laeq["state_topic"] as? String == base + "/telemetry")
        #expect(laeq["availability_topic"] as? String == base + "/status")
    }
}
