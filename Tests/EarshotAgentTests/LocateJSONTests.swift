// `earshot locate`'s JSON line: awkward file names and non-finite numbers still parse,
// and normal values read as they always did.
import EarshotDSP
import Foundation
import Testing
@testable import EarshotAgent

@Suite("earshot locate: JSON line")
struct LocateJSONTests {
    static func event(file: String, azimuthDeg: Double = 123.4567, elevationDeg: Double? = 12.3456) -> LocatedEvent {
        var b = BearingEstimate()
        b.azimuthDeg = azimuthDeg
        b.elevationDeg = elevationDeg
        b.confidence = 0.87654
        b.coherence = 0.5
        b.residualSamples = 0.12345
        b.pairs = 6
        b.segments = 3
        b.valid = true
        return LocatedEvent(file: file, onsetSample: 48_000, onsetSeconds: 1.0000005, trigger: "onset", bearing: b)
    }

    @Test("a file name with a quote, a backslash and a newline, and a NaN bearing: parses, bearing null")
    func awkwardFileAndNaN() throws {
        let file = "rec/a \"q\" \\ b\nc.wav"
        let line = LocateJSON.line(Self.event(file: file, azimuthDeg: .nan, elevationDeg: nil))
        #expect(!line.contains("\n"))
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(obj["file"] as? String == file)
        #expect(obj["bearing_deg"] is NSNull)
        #expect(obj["elevation_deg"] is NSNull)
        #expect(obj["segments"] as? Int == 3)
    }

    @Test("normal values give the same text as before JSONWriter")
    func exactText() {
        #expect(LocateJSON.line(Self.event(file: "rec/a.wav")) == #"{"file":"rec/a.wav","onset_s":1.000001,"onset_sample":48000,"trigger":"onset","valid":true,"bearing_deg":123.457,"elevation_deg":12.346,"bearing_confidence":0.8765,"coherence":0.5000,"residual_samples":0.1235,"pairs":6,"method":"sustained","segments":3}"#)
    }
}
