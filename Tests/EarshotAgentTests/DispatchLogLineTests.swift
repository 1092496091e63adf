// The dispatcher's fixed-buffer log line must print what the String-built line printed.
import EarshotAgent
import EarshotMQTT
import Foundation
import Testing

@Suite("Dispatcher log line")
struct DispatchLogLineTests {
    /// What the dispatcher printed before: `String(Double)` of x rounded to 2 decimals.
    static func reference(_ x: Double) -> String {
        guard x.isFinite else { return "nan" }
        return String((x * 100).rounded() / 100)
    }

    @Test("appendFixed2 matches String((x*100).rounded()/100) for dB, ms and confidences")
    func fixed2() {
        var values: [Double] = [0, -0.0, 1, -1, 0.5, 0.25, 0.125, 0.005, -0.004, 0.994, 0.996, 1.0 / 3, 12.345, -5.79,
                                61.63, 100, -120, 123_456.789, 99.995, .nan, .infinity, -.infinity]
        var seed: UInt64 = 0x1234_5678
        for _ in 0..<5000 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let u = Double(seed >> 11) / Double(1 << 53)
            values.append((u - 0.5) * 400)            // dB range
            values.append(u * 10_000)                   // durations, ms
            values.append(u)                            // confidence
        }
        let line = AgentLogLine(capacity: 64)
        for x in values {
            line.reset()
            line.appendFixed2(x)
            #expect(line.string == Self.reference(x), "x=\(x)")
        }
    }

    @Test("integers, strings, timestamps; one line per write")
    func pieces() {
        let line = AgentLogLine(capacity: 256)
        line.append("earshot: event id="); line.append("soak-"); line.append(UInt64(18_446_744_073_709_551_615))
        line.append(" s="); line.append(Int64.min); line.append(" t="); line.append(0 as Int)
        line.append(" onset="); line.append(UTCTimestamp(nanosecondsSinceEpoch: 1_767_225_600_123_456_789))
        #expect(line.string == "earshot: event id=soak-18446744073709551615 s=-9223372036854775808 t=0 onset="
                + UTCTimestamp(nanosecondsSinceEpoch: 1_767_225_600_123_456_789).rfc3339)
    }

    @Test("a line longer than the buffer is cut, never written past it")
    func truncation() {
        let line = AgentLogLine(capacity: 16)
        line.append("0123456789abcdefghijklmnop")
        #expect(line.count == 15)
        #expect(line.string == "0123456789abcde")
    }
}
