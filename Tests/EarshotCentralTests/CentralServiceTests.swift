// The service against a real mosquitto: one incident per sound, right position, duplicates and
// malformed payloads harmless, broker restarts survived.
import EarshotConfig
import EarshotAgent
import EarshotCentral
import EarshotMQTT
import EarshotTestSupport
import Foundation
import Testing

@Suite("Central: service over MQTT", .serialized)
struct CentralServiceTests {
    @Test("4 simulated boxes: one incident at the right position (schema-valid, retained), the same events again: still one, then closed")
    func fourBoxesOneIncident() throws {
        let h = try CentralHarness(closeAfterS: 2)
        defer { h.close() }
        let sub = try h.subscriber(["earshot/v1/test/incidents/#", "earshot/v1/test/+/event"])
        let source = PlanePoint(x: 47, y: -31)
        try h.shot(at: source)
        let incidents = { sub.messages.filter { $0.topic.contains("/incidents/") } }
        #expect(sub.wait(timeout: 10) { _ in incidents().contains { $0.contributionCount == 4 } }, "\(h.logs.all)")
        let full = try #require(incidents().last { $0.contributionCount == 4 })
        let pos = try #require(full.position)
        let error = pos.distance(to: source)
        print("service: 4 boxes, localisation error \(error) m")
        #expect(error < 0.5, "\(full.payload)")
        #expect(full.json?["method"] as? String == "tdoa")
        let validator = try JSONSchemaValidator(schemaFile: CentralPaths.incidentSchema)
        for m in incidents() { #expect(validator.validate(json: m.payload).isEmpty, "\(validator.validate(json: m.payload))") }
        // Retained: a late subscriber gets the open incident at once.
        let late = try h.subscriber()
        #expect(late.wait(timeout: 5) { $0.contains { $0.retained && $0.state == "open" && $0.contributionCount == 4 } })

        // At-least-once: the very same event payloads delivered a second time.
        let events = sub.messages.filter { $0.topic.hasSuffix("/event") }
        #expect(events.count == 4)
        for e in events { try h.rawPublish(e.topic, e.payload) }
        #expect(waitUntil(timeout: 5) { h.service.stats.duplicates == 4 })
        #expect(h.service.stats.incidentsOpened == 1)

        // Quiet for 2 s: one closing message (retained, same id).
        #expect(sub.wait(timeout: 8) { _ in incidents().contains { $0.state == "closed" } })
        #expect(Set(incidents().compactMap(\.incidentID)).count == 1)
        let closed = try #require(incidents().last)
        #expect(closed.state == "closed" && closed.json?["closed"] is String)
        #expect(validator.validate(json: closed.payload).isEmpty)
    }

    @Test("malformed payloads, an impossible onset and an unknown box are logged with box and field; the service keeps fusing")
    func badInput() throws {
        let h = try CentralHarness(closeAfterS: 30)
        defer { h.close() }
        try h.rawPublish("earshot/v1/test/box-2/event", "{not json")
        try h.rawPublish("earshot/v1/test/box-3/event", #"{"schema":1,"id":"box-3-00000000000000ab-1","sensor":"box-3","site":"test","class":"gunshot"}"#)
        try h.rawPublish("earshot/v1/test/box-4/event", String(repeating: "[", count: 5000))
        try h.rawPublish("earshot/v1/test/box-1/event", #"{"schema":1,"id":"box-1-00000000000000ab-9","seq":9,"sensor":"box-1","site":"test","class":"gunshot","onset":"1970-01-01T00:00:01.000000000Z","onset_ns":1000000000,"clock":{"synchronised":false,"error_us":null},"duration_ms":1,"peak_dbfs":-1,"confidence":0.5}"#)
        try h.rawPublish("earshot/v1/test/intruder/event", "{}")
        try h.rawPublish("earshot/v1/test/box-2/status", "[]")
        #expect(waitUntil(timeout: 5) { h.service.stats.eventsReceived == 5 && h.service.stats.statusesReceived == 1 })
        #expect(h.logs.contains("box box-2: field payload", "not JSON"), "\(h.logs.all)")
        #expect(h.logs.contains("box box-3: field onset_ns", "missing"), "\(h.logs.all)")
        #expect(h.logs.contains("box box-4: field payload"), "\(h.logs.all)")
        #expect(h.logs.contains("box box-1: field onset", "never set"), "\(h.logs.all)")
        #expect(h.logs.contains("box intruder: field sensor", "not trusted"), "\(h.logs.all)")
        #expect(h.service.unknownBoxes == ["intruder"])
        #expect(h.service.openIncidents.isEmpty)
        // Still alive and fusing.
        let source = PlanePoint(x: -60, y: 20)
        try h.shot(at: source)
        #expect(waitUntil(timeout: 10) { h.service.openIncidents.first?.boxIDs.count == 4 })
        #expect(h.service.openIncidents.first.map { $0.location.position.distance(to: source) < 0.5 } == true)
    }

    @Test("two instances (hot standby, ordinary subscriptions) on one broker produce the same incident ids and positions")
    func twoInstances() throws {
        let h = try CentralHarness(closeAfterS: 30, shareGroup: nil)
        defer { h.close() }
        var mqtt = h.service.config.mqtt
        mqtt.clientID = "earshot-central-standby"
        let standby = CentralService(config: CentralConfig(registry: h.service.config.registry, mqtt: mqtt,
                                                           fusion: h.service.config.fusion), log: CentralLog { _ in })
        try standby.start()
        defer { standby.stop() }
        #expect(waitUntil(timeout: 10) { standby.isConnected })
        try h.shot(at: PlanePoint(x: 80, y: 20))
        try h.shot(at: PlanePoint(x: -40, y: -70), agoS: 0.5)
        #expect(waitUntil(timeout: 10) {
            h.service.openIncidents.map(\.boxIDs.count) == [4, 4] && standby.openIncidents.map(\.boxIDs.count) == [4, 4]
        })
        #expect(h.service.openIncidents.map(\.id) == standby.openIncidents.map(\.id))
        #expect(h.service.openIncidents.map(\.location.position) == standby.openIncidents.map(\.location.position))
    }

    @Test("broker killed and restarted mid-incident: the centre reconnects, re-publishes it, replayed events make no second incident")
    func brokerRestart() throws {
        let h = try CentralHarness(closeAfterS: 60)
        defer { h.close() }
        let source = PlanePoint(x: 10, y: 90)
        // The sound, emitted 1 s ago, heard by all four; boxes 1 and 2 get through before the crash.
        let emitted = Int64(Date().timeIntervalSince1970 * 1e9) - 1_000_000_000
        func event(_ id: String) -> EventMessage {
            let b = h.scene.boxes.first { $0.id == id }!
            let onset = emitted + Int64((b.position.distance(to: source) / 343 * 1e9).rounded())
            return EventMessage(eventClass: "gunshot", onset: UTCTimestamp(nanosecondsSinceEpoch: onset),
                                clock: ClockSync(synchronised: true, estimatedErrorMicroseconds: 100), durationMs: 8,
                                peakDBFS: -2, confidence: 0.9)
        }
        var payloads: [(String, String)] = []
        let watch = try h.subscriber(["earshot/v1/test/+/event"])
        for id in ["box-1", "box-2"] { try h.box(id).publish(event: event(id)) }
        #expect(waitUntil(timeout: 5) { h.service.openIncidents.first?.boxIDs.count == 2 })
        #expect(watch.wait(timeout: 5) { $0.count == 2 })
        payloads = watch.messages.map { ($0.topic, $0.payload) }
        let id = try #require(h.service.openIncidents.first?.id)

        h.broker.kill()
        #expect(waitUntil(timeout: 10) { !h.service.isConnected })
        try h.broker.restart()
        #expect(waitUntil(timeout: 15) { h.service.isConnected }, "\(h.logs.all)")
        // The broker lost its retained messages (no persistence): the centre published the open incident again.
        let sub = try h.subscriber()
        #expect(sub.wait(timeout: 5) { $0.contains { $0.retained && $0.incidentID == id } }, "\(h.logs.all)")
        // Boxes 3 and 4 report; boxes 1 and 2's events arrive again (an outbox replay).
        for id in ["box-3", "box-4"] { try h.box(id).publish(event: event(id)) }
        for (t, p) in payloads { try h.rawPublish(t, p) }
        #expect(waitUntil(timeout: 10) { h.service.openIncidents.first?.boxIDs.count == 4 && h.service.stats.duplicates == 2 },
                "\(h.service.stats)")
        #expect(h.service.openIncidents.map(\.id) == [id])
        #expect(h.service.stats.incidentsOpened == 1)
        #expect(sub.wait(timeout: 5) { $0.contains { $0.incidentID == id && $0.contributionCount == 4 } })
        #expect(Set(sub.messages.compactMap(\.incidentID)) == [id])
        let pos = try #require(h.service.openIncidents.first?.location.position)
        #expect(pos.distance(to: source) < 0.5)
        #expect(h.logs.contains("connection", "lost"))
    }

    @Test("default reconnect delays (0.1 s doubling to 0.5 s): after a 1.5 s broker outage the centre is back within 0.9 s of the restart (whole seconds, 1 then 2 s, took it 1.5 s); reconnect_min_s takes fractions")
    func quickReconnect() throws {
        let c = try CentralConfig.parse("[site]\nid = \"x\"\n[[box]]\nid = \"a\"\nx_m = 0\ny_m = 0\n[mqtt]\nreconnect_min_s = 0.05\nreconnect_max_s = 0.25\n",
                                        file: "central.toml")
        #expect(c.mqtt.reconnectMinSeconds == 0.05 && c.mqtt.reconnectMaxSeconds == 0.25)
        #expect(CentralMQTTSettings().reconnectMinSeconds == 0.1 && CentralMQTTSettings().reconnectMaxSeconds == 0.5)
        #expect(throws: ConfigError.self) { try CentralConfig.parse("[site]\nid = \"x\"\n[[box]]\nid = \"a\"\nx_m = 0\ny_m = 0\n[mqtt]\nreconnect_min_s = 0\n", file: "c.toml") }

        let h = try CentralHarness(closeAfterS: 60, reconnect: nil)
        defer { h.close() }
        h.broker.kill()
        #expect(waitUntil(timeout: 10) { !h.service.isConnected })
        usleep(1_500_000)
        try h.broker.restart()
        let up = Date()
        #expect(waitUntil(timeout: 10) { h.service.isConnected }, "\(h.logs.all)")
        let back = Date().timeIntervalSince(up)
        print("centre back \(Int(back * 1000)) ms after the broker restarted")
        #expect(back < 0.9)
    }
}
