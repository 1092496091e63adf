// Encoding without Foundation: JSON writer, RFC 3339 timestamps, payloads vs schemas.
@testable import EarshotMQTT
import EarshotTestSupport
import Foundation
import Testing

@Suite("Payload encoding")
struct PayloadEncodingTests {
    @Test("JSON writer output parses with JSONSerialization to the same values")
    func writerRoundTrip() throws {
        let w = JSONWriter(capacity: 512)
        w.beginObject()
        w.key("s"); w.string("quote\" back\\ nl\n tab\t ctl\u{01} é")
        w.key("i"); w.int(Int64.min)
        w.key("u"); w.uint(UInt64.max)
        w.key("d"); w.number(-12.3456, decimals: 2)
        w.key("z"); w.number(-0.001, decimals: 2)
        w.key("nan"); w.number(.nan)
        w.key("a"); w.beginArray(); w.bool(true); w.null(); w.beginObject(); w.endObject(); w.int(7); w.endArray()
        w.endObject()
        #expect(!w.overflowed)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(w.string.utf8)) as? [String: Any])
        #expect(object["s"] as? String == "quote\" back\\ nl\n tab\t ctl\u{01} é")
        #expect((object["i"] as? NSNumber)?.int64Value == Int64.min)
        #expect((object["u"] as? NSNumber)?.uint64Value == UInt64.max)
        #expect((object["d"] as? NSNumber)?.doubleValue == -12.35)
        #expect((object["z"] as? NSNumber)?.doubleValue == 0)
        #expect(object["nan"] is NSNull)
        let a = try #require(object["a"] as? [Any])
        #expect(a.count == 4)
    }

    @Test("overflow is reported, never written past capacity")
    func overflow() {
        let w = JSONWriter(capacity: 8)
        w.beginObject(); w.key("long"); w.string("0123456789"); w.endObject()
        #expect(w.overflowed)
        #expect(w.count == 8)
    }

    @Test("RFC 3339 timestamps match Foundation's calendar for many instants", arguments: [
        Int64(0), 951_782_400_000_000_001, 1_767_225_599_999_999_999, 4_102_444_800_500_000_000, -1_000_000_001,
        1_709_210_096_789_012_345,
    ])
    func timestamps(ns: Int64) {
        let t = UTCTimestamp(nanosecondsSinceEpoch: ns)
        // Reference: whole seconds through Foundation, fraction from integer arithmetic.
        var seconds = ns / 1_000_000_000
        var fraction = ns % 1_000_000_000
        if fraction < 0 { fraction += 1_000_000_000; seconds -= 1 }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        let expected = f.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))) + "." + String(format: "%09lld", fraction) + "Z"
        #expect(t.rfc3339 == expected)
    }

    @Test("event, telemetry, status, will and reply payloads validate against Schemas/")
    func payloadsValidate() throws {
        let w = JSONWriter(capacity: 4096)
        sampleEvent().encode(into: w, id: "s1-0123456789abcdef-1", sequence: 1, site: "test-site", sensor: "s1")
        #expect(try Schemas.validator("event").validate(json: w.string) == [], "\(w.string)")
        // Optional fields absent (uncalibrated, no bearing) still valid.
        EventMessage(eventClass: "scream", onset: .now(), durationMs: 400, peakDBFS: -20, confidence: 0.5)
            .encode(into: w, id: "s1-0123456789abcdef-2", sequence: 2, site: "test-site", sensor: "s1")
        #expect(try Schemas.validator("event").validate(json: w.string) == [], "\(w.string)")
        #expect(!w.string.contains("peak_db_spl"))

        sampleTelemetry().encode(into: w, sequence: 1, site: "test-site", sensor: "s1")
        #expect(try Schemas.validator("telemetry").validate(json: w.string) == [], "\(w.string)")

        let counters = PublisherCounters(outbox: OutboxStats(), connections: 1, uptimeSeconds: 5)
        StatusMessage(mode: "events+ptz", softwareVersion: "0.1.0").encode(
            into: w, online: true, site: "test-site", sensor: "s1", bootID: "0123456789abcdef", time: .now(), counters: counters)
        #expect(try Schemas.validator("status").validate(json: w.string) == [])
        StatusMessage.encodeWill(into: w, site: "test-site", sensor: "s1", bootID: "0123456789abcdef")
        #expect(try Schemas.validator("status").validate(json: w.string) == [])

        CommandReply(ok: true, message: "pong", result: ["uptime_s": .number(3), "x": .string("y"), "b": .bool(false)])
            .encode(into: w, request: CommandRequest(name: "ping", requestID: "r1"), time: .now())
        #expect(try Schemas.validator("command-reply").validate(json: w.string) == [])
    }

    @Test("the validator rejects payloads that break the schema")
    func validatorCatchesErrors() throws {
        let v = try Schemas.validator("event")
        let w = JSONWriter(capacity: 4096)
        sampleEvent().encode(into: w, id: "s1-0123456789abcdef-1", sequence: 1, site: "test-site", sensor: "s1")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(w.string.utf8)) as? [String: Any])
        object["confidence"] = 1.5
        object["extra"] = "x"
        object.removeValue(forKey: "class")
        let text = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        let errors = v.validate(json: text)
        #expect(errors.contains { $0.contains("confidence") && $0.contains("maximum") })
        #expect(errors.contains { $0.contains("unexpected property \"extra\"") })
        #expect(errors.contains { $0.contains("missing required \"class\"") })
    }

    @Test("command requests parse; bad ones are rejected with the field named")
    func commandParsing() throws {
        let r = try CommandRequest.parse(name: "ptz", payload: Array(#"{"request_id":"a1","args":{"preset":3,"force":true,"who":"op"}}"#.utf8))
        #expect(r.requestID == "a1")
        #expect(r.arguments["preset"] == .number(3))
        #expect(r.arguments["force"] == .bool(true))
        #expect(r.arguments["who"] == .string("op"))
        #expect(try CommandRequest.parse(name: "ping", payload: []).arguments.isEmpty)
        #expect(throws: MQTTError.self) { try CommandRequest.parse(name: "ptz", payload: Array("[1]".utf8)) }
        do { _ = try CommandRequest.parse(name: "ptz", payload: Array(#"{"args":5}"#.utf8)); Issue.record("accepted") }
        catch { #expect(error.description.contains("\"args\" must be an object")) }
    }

    @Test("reconnect delays grow exponentially, are capped, and jitter stays within ±jitter")
    func backoff() {
        let p = ReconnectPolicy(initialDelayMs: 500, maxDelayMs: 8000, multiplier: 2, jitter: 0.3)
        for failures in 1...8 {
            let base = min(500.0 * pow(2, Double(failures - 1)), 8000)
            let lo = p.delayMs(afterFailures: failures, random: 0)
            let hi = p.delayMs(afterFailures: failures, random: 0.999_999)
            #expect(abs(Double(lo) - base * 0.7) <= 1)
            #expect(abs(Double(hi) - base * 1.3) <= 1)
        }
        // Random draws spread: 200 draws at failure 3 are not all equal.
        var seen = Set<Int>()
        for _ in 0..<200 { seen.insert(p.delayMs(afterFailures: 3, random: Double.random(in: 0..<1))) }
        #expect(seen.count > 50)
    }

    @Test("configuration errors name the field")
    func validation() {
        var c = MQTTConfiguration(site: "a/b", sensor: "s", outboxDirectory: "/tmp/x")
        #expect(throws: MQTTError.invalidConfiguration(field: "mqtt.site", reason: "\"a/b\" must not contain / + # (it is one topic level)")) {
            try c.validate()
        }
        c.site = "ok"; c.port = 0
        do { try c.validate(); Issue.record("accepted port 0") } catch { #expect(error.description.contains("mqtt.port")) }
    }
}
