// Encoding without Foundation: JSON writer, RFC 3339 timestamps, payloads vs schemas.
import EarshotText
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

    @Test("a reply that would overflow the writer (10 000-character request_id) is a short, valid refusal")
    func oversizedReplyStaysValidJSON() throws {
        let w = JSONWriter(capacity: 4096)
        let longID = String(repeating: "x", count: 10_000)
        CommandReply(ok: true, message: "pong")
            .encode(into: w, request: CommandRequest(name: "ping", requestID: longID), time: .now())
        #expect(!w.overflowed)
        #expect(try Schemas.validator("command-reply").validate(json: w.string) == [], "\(w.string)")
        let reply = try #require(try JSONSerialization.jsonObject(with: Data(w.string.utf8)) as? [String: Any])
        #expect(reply["ok"] as? Bool == false)
        #expect((reply["message"] as? String ?? "").contains("too large"))
    }

    @Test("sustained sounds: start and end payloads carry phase; end names its start; schema rejects a bad phase")
    func eventPhases() throws {
        let v = try Schemas.validator("event")
        let w = JSONWriter(capacity: 4096)
        let onset = UTCTimestamp(nanosecondsSinceEpoch: 1_767_225_600_123_456_789)
        EventMessage(eventClass: "siren", onset: onset, durationMs: 500, peakDBFS: -12, confidence: 0.9, phase: .start)
            .encode(into: w, id: "s1-0123456789abcdef-3", sequence: 3, site: "test-site", sensor: "s1")
        let start = try #require(try JSONSerialization.jsonObject(with: Data(w.string.utf8)) as? [String: Any])
        #expect(v.validate(json: w.string) == [], "\(w.string)")
        #expect(start["phase"] as? String == "start")
        #expect(start["start_id"] == nil)
        EventMessage(eventClass: "siren", onset: onset, durationMs: 4_250, peakDBFS: -10, confidence: 0.9,
                     phase: .end, startID: "s1-0123456789abcdef-3")
            .encode(into: w, id: "s1-0123456789abcdef-4", sequence: 4, site: "test-site", sensor: "s1")
        let end = try #require(try JSONSerialization.jsonObject(with: Data(w.string.utf8)) as? [String: Any])
        #expect(v.validate(json: w.string) == [], "\(w.string)")
        #expect(end["phase"] as? String == "end")
        #expect(end["start_id"] as? String == "s1-0123456789abcdef-3")
        #expect(end["onset_ns"] as? Int == start["onset_ns"] as? Int)
        #expect((end["duration_ms"] as? NSNumber)?.doubleValue == 4_250)
        // The default is impulse; a start_id is written only on an end.
        EventMessage(eventClass: "gunshot", onset: onset, durationMs: 80, peakDBFS: -3, confidence: 1, startID: "x-0123456789abcdef-1")
            .encode(into: w, id: "s1-0123456789abcdef-5", sequence: 5, site: "test-site", sensor: "s1")
        #expect(w.string.contains(#""phase":"impulse""#) && !w.string.contains("start_id"), "\(w.string)")
        // Backward compatible: a payload without phase (session 1) still validates; an unknown phase does not.
        var old = end
        old.removeValue(forKey: "phase"); old.removeValue(forKey: "start_id")
        #expect(v.validate(json: String(decoding: try JSONSerialization.data(withJSONObject: old), as: UTF8.self)) == [])
        var bad = end
        bad["phase"] = "middle"
        #expect(v.validate(json: String(decoding: try JSONSerialization.data(withJSONObject: bad), as: UTF8.self)).contains { $0.contains("phase") })
    }

    @Test("status: capture, ptz and analysis objects are written and valid; bad values are rejected")
    func statusReports() throws {
        let v = try Schemas.validator("status")
        let w = JSONWriter(capacity: 4096)
        let counters = PublisherCounters(outbox: OutboxStats(), connections: 2, uptimeSeconds: 9)
        let capture = CaptureReport(source: .alsa, device: "hw:CARD=Array,DEV=0", state: .reopening, xruns: 3, reopens: 1,
                                    failedOpens: 4, frames: 160_000, framesDropped: 12, lastError: "snd_pcm_open: No such device")
        let ptz = PTZReport(enabled: true, wiring: "binary_code", sectors: 7, lastSector: 2, cooldownMs: 5_000,
                            accepted: 4, suppressed: 1, failures: 0)
        StatusMessage(mode: "events+ptz", softwareVersion: "0.2.0", audio: "device_lost", capture: capture, ptz: ptz,
                      analysis: AnalysisReport(hops: 1_000, queueDropped: 0))
            .encode(into: w, online: true, site: "test-site", sensor: "s1", bootID: "0123456789abcdef", time: .now(), counters: counters)
        #expect(v.validate(json: w.string) == [], "\(w.string)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(w.string.utf8)) as? [String: Any])
        let c = try #require(o["capture"] as? [String: Any])
        #expect(c["state"] as? String == "reopening" && c["xruns"] as? Int == 3 && c["reopens"] as? Int == 1)
        #expect(c["device"] as? String == "hw:CARD=Array,DEV=0" && c["last_error"] as? String == "snd_pcm_open: No such device")
        let p = try #require(o["ptz"] as? [String: Any])
        #expect(p["enabled"] as? Bool == true && p["last_sector"] as? Int == 2 && p["cooldown_ms"] as? Int == 5_000)
        #expect((o["analysis"] as? [String: Any])?["hops"] as? Int == 1_000)
        // Disabled PTZ is just {"enabled":false}; no capture error is null.
        StatusMessage(mode: "events", capture: CaptureReport(source: .file, device: "/tmp/a.wav", state: .open), ptz: .disabled)
            .encode(into: w, online: true, site: "test-site", sensor: "s1", bootID: "0123456789abcdef", time: .now(), counters: counters)
        #expect(v.validate(json: w.string) == [], "\(w.string)")
        #expect(w.string.contains(#""ptz":{"enabled":false}"#) && w.string.contains(#""last_error":null"#), "\(w.string)")
        var bad = o
        bad["capture"] = c.merging(["state": "sleeping"]) { $1 }
        #expect(v.validate(json: String(decoding: try JSONSerialization.data(withJSONObject: bad), as: UTF8.self)).contains { $0.contains("state") })
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
