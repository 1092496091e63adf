// The allocation-free event encoding (id and start_id written piecewise) must produce the
// very bytes of the String-id encoding: the payload contract does not change.
import EarshotText
@testable import EarshotMQTT
import EarshotTestSupport
import Foundation
import Testing

@Suite("Payload encoding without Strings")
struct PayloadAllocFreeEncodingTests {
    @Test("piecewise id equals the String id, byte for byte", arguments: [UInt64(1), 9, 10, 4711, UInt64.max])
    func impulseID(sequence: UInt64) {
        let viaString = JSONWriter(capacity: 4096), piecewise = JSONWriter(capacity: 4096)
        let id = "box-7" + "-" + "00ff00ff00ff00ff" + "-" + String(sequence)
        sampleEvent().encode(into: viaString, id: id, sequence: sequence, site: "main-st", sensor: "box-7")
        sampleEvent().encode(into: piecewise, sequence: sequence, bootID: "00ff00ff00ff00ff", site: "main-st", sensor: "box-7")
        #expect(!piecewise.overflowed)
        #expect(piecewise.string == viaString.string)
        #expect(piecewise.string.contains("\"id\":\"\(id)\""))
    }

    @Test("an end's startSequence is published as start_id {sensor}-{boot}-{seq} and validates")
    func endStartID() throws {
        var end = sampleEvent()
        end.phase = .end
        end.startSequence = 41
        let piecewise = JSONWriter(capacity: 4096), viaString = JSONWriter(capacity: 4096)
        end.encode(into: piecewise, sequence: 42, bootID: "0123456789abcdef", site: "s", sensor: "n1")
        var byString = end
        byString.startSequence = nil
        byString.startID = "n1-0123456789abcdef-41"
        byString.encode(into: viaString, id: "n1-0123456789abcdef-42", sequence: 42, site: "s", sensor: "n1")
        #expect(piecewise.string == viaString.string)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(piecewise.string.utf8)) as? [String: Any])
        #expect(object["start_id"] as? String == "n1-0123456789abcdef-41")
        #expect(object["id"] as? String == "n1-0123456789abcdef-42")
        #expect(try Schemas.validator("event").validate(json: piecewise.string) == [], "\(piecewise.string)")
    }

    @Test("start_id only on an end; an explicit startID wins over startSequence")
    func startIDRules() {
        let w = JSONWriter(capacity: 4096)
        var start = sampleEvent()
        start.phase = .start
        start.startSequence = 3
        start.encode(into: w, sequence: 4, bootID: "b", site: "s", sensor: "n")
        #expect(!w.string.contains("start_id"))
        var end = sampleEvent()
        end.phase = .end
        end.startSequence = 3
        end.startID = "other-id"
        end.encode(into: w, sequence: 5, bootID: "b", site: "s", sensor: "n")
        #expect(w.string.contains("\"start_id\":\"other-id\""))
    }

    @Test("stringPieces escapes like string()")
    func piecesEscape() {
        let a = JSONWriter(capacity: 256), b = JSONWriter(capacity: 256)
        let text = "q\"b\\n\nc\u{01}é"
        a.string(text + "-" + "12")
        b.stringPieces { w in w.appendEscaped(text); w.appendRaw(0x2D); w.appendDecimal(12) }
        #expect(a.string == b.string)
    }
}

@Suite("Event bearing fields")
struct PayloadBearingEncodingTests {
    @Test("bearing_deg stays in [0, 360) after rounding; elevation and confidence only with a bearing", arguments: [
        (359.96, 0.0), (-0.04, 0.0), (-90.0, 270.0), (720.25, 0.3), (123.44, 123.4),
    ])
    func bearing(input: Double, published: Double) throws {
        var e = sampleEvent()
        e.bearingDegrees = input
        e.elevationDegrees = 12.34
        e.bearingConfidence = 0.8765
        let w = JSONWriter(capacity: 4096)
        e.encode(into: w, sequence: 1, bootID: "b", site: "s", sensor: "n")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(w.string.utf8)) as? [String: Any])
        let b = try #require((o["bearing_deg"] as? NSNumber)?.doubleValue)
        #expect(abs(b - published) < 1e-9, "\(w.string)")
        #expect((o["elevation_deg"] as? NSNumber)?.doubleValue == 12.3)
        #expect((o["bearing_confidence"] as? NSNumber)?.doubleValue == 0.877)
        e.bearingDegrees = nil
        e.encode(into: w, sequence: 1, bootID: "b", site: "s", sensor: "n")
        #expect(!w.string.contains("elevation_deg") && !w.string.contains("bearing_confidence") && !w.string.contains("bearing_deg"))
    }
}
