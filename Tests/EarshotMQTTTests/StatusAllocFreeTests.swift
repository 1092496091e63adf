// The status detail is a fixed buffer (StatusText): the JSON it produces must be the very
// bytes the String detail produced, and cuts must keep UTF-8 whole. That the status path
// allocates nothing is measured with the real malloc counter: StatusAllocationTests
// (EarshotAgentTests) runs `earshot-soak --status-allocs`, and `make soak` counts it for 24 h.
import EarshotText
@testable import EarshotMQTT
import EarshotTestSupport
import Foundation
import Testing

@Suite("Status detail in a fixed buffer")
struct StatusAllocFreeTests {
    static let texts = [
        "replay /tmp/a.wav frames=16000; ptz=disabled; hops=100 queue_dropped=0 uptime_s=3",
        "capture lost xruns=1 reopens=0 failed_opens=2 stalls=0 frames=0 dropped=0 last_error=snd_pcm_open(\"hw:1\"): No such device",
        "quote\" backslash\\ newline\n tab\t control\u{01} é € 🎺",
        "",
    ]

    /// The object `{"detail":<text>}` written through the String API (the encoding before StatusText).
    static func viaString(_ text: String) -> String {
        let w = JSONWriter(capacity: 4096)
        w.beginObject(); w.key("detail"); w.string(text); w.endObject()
        return w.string
    }

    @Test("StatusText detail encodes byte for byte like the String detail", arguments: texts)
    func sameBytes(text: String) throws {
        let t = StatusText(text)
        #expect(!t.truncated && t.count == text.utf8.count && t.description == text)
        let w = JSONWriter(capacity: 4096)
        w.beginObject(); w.key("detail"); t.withUTF8 { w.string(utf8: $0) }; w.endObject()
        #expect(w.string == Self.viaString(text))
        // Built piecewise (as the agent does) it is the same text.
        var pieces = StatusText()
        for part in text.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            if part.offset > 0 { pieces.append(" ") }
            pieces.append(String(part.element))
        }
        #expect(pieces == t)
    }

    @Test("whole status: StatusText detail equals the payload a String-built detail gave, and validates")
    func wholeStatus() throws {
        let counters = PublisherCounters(outbox: OutboxStats(), connections: 1, uptimeSeconds: 42)
        let time = UTCTimestamp(nanosecondsSinceEpoch: 1_767_225_600_123_456_789)
        let text = Self.texts[1]
        let message = StatusMessage(mode: "events+ptz", softwareVersion: "0.3.0", audio: "device_lost",
                                    clock: ClockSync(synchronised: true, estimatedErrorMicroseconds: 250), detail: StatusText(text),
                                    capture: CaptureReport(source: .alsa, device: "hw:1", state: .reopening, failedOpens: 2),
                                    ptz: PTZReport(enabled: true, wiring: "line_per_sector", sectors: 4, cooldownMs: 5_000),
                                    analysis: AnalysisReport(hops: 100, queueDropped: 0))
        let w = JSONWriter(capacity: 4096)
        message.encode(into: w, online: true, site: "main-st", sensor: "box-7", bootID: "00ff00ff00ff00ff", time: time, counters: counters)
        var noDetail = message
        noDetail.detail = nil
        let r = JSONWriter(capacity: 4096)
        noDetail.encode(into: r, online: true, site: "main-st", sensor: "box-7", bootID: "00ff00ff00ff00ff", time: time, counters: counters)
        // Reference: the detail member appended last, written from the String.
        let reference = String(r.string.dropLast()) + "," + Self.viaString(text).dropFirst()
        #expect(w.string == reference)
        #expect(try Schemas.validator("status").validate(json: w.string) == [], "\(w.string)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(w.string.utf8)) as? [String: Any])
        #expect(o["detail"] as? String == text)
    }

    @Test("a text past 512 bytes is cut at a character boundary and ends with …", arguments: [0, 1, 2, 3])
    func truncation(prefix: Int) throws {
        // 508 ASCII bytes + `prefix` more, then 4-byte emoji: the emoji never fits whole after 509.
        let head = String(repeating: "a", count: 505 + prefix)
        var t = StatusText(head)
        t.append("🎺🎺")
        t.append(UInt64(12345))
        #expect(t.truncated)
        #expect(t.count <= StatusText.capacity)
        let s = t.description
        #expect(s.hasSuffix("…"), "\(s.suffix(8))")
        #expect(s.utf8.count == t.count, "valid UTF-8: no replacement character")
        #expect(!s.contains("\u{FFFD}"))
        #expect(s.hasPrefix(head))
        let w = JSONWriter(capacity: 4096)
        w.beginObject(); w.key("detail"); t.withUTF8 { w.string(utf8: $0) }; w.endObject()
        let o = try #require(try JSONSerialization.jsonObject(with: Data(w.string.utf8)) as? [String: Any])
        #expect(o["detail"] as? String == s)
    }

    @Test("numbers: decimal like String(describing:)", arguments: [Int64.min, -1, 0, 7, 10, 99, 1_000_000, Int64.max])
    func numbers(value: Int64) {
        var t = StatusText()
        t.append(value)
        t.append(" ")
        t.append(UInt64(bitPattern: value))
        #expect(t.description == "\(value) \(UInt64(bitPattern: value))")
    }

    @Test("publisher.update(status:) with a StatusText detail reaches a real broker, valid", .timeLimit(.minutes(1)))
    func publishToBroker() throws {
        let (broker, outbox) = try startBrokerWithOutbox()
        defer { broker.stop(); removeDirectory(outbox) }
        let sub = try MosquittoSubscriber.started(port: broker.port, filters: ["earshot/v1/test-site/s1/status"])
        defer { sub.stop() }
        let publisher = try MQTTPublisher(configuration: testConfiguration(port: broker.port, outbox: outbox))
        try publisher.start()
        defer { publisher.stop(flushTimeoutMs: 500) }
        #expect(publisher.waitUntilConnected(timeoutMs: 5000) == nil)
        let device = "/tmp/replay-" + String(repeating: "y", count: 20) + ".wav"
        func status(_ i: UInt64) -> StatusMessage {
            var d = StatusText()
            d.append("replay "); d.append(device); d.append(" frames="); d.append(i)
            return StatusMessage(mode: "events", softwareVersion: "0.3.0", audio: "ok", detail: d,
                                 capture: CaptureReport(source: .file, device: device, state: .open, frames: i), ptz: .disabled,
                                 analysis: AnalysisReport(hops: Int64(i), queueDropped: 0))
        }
        for i in UInt64(0)...40 { publisher.update(status: status(i)) }
        #expect(sub.wait(timeout: 5) { m in m.contains { ($0.json?["detail"] as? String)?.hasSuffix("frames=40") == true } },
                "\(sub.messages.suffix(2).map(\.payload))")
        let schema = try Schemas.validator("status")
        for m in sub.messages.suffix(5) { #expect(schema.validate(json: m.payload) == [], "\(m.payload)") }
    }
}
