// EarshotText: the one JSON escaping, the one fixed-decimal formatter (with the outputs the
// agent's text formats had before they shared it), decimal digits, inline status text.
import EarshotText
import Testing

@Suite struct TextTests {
    @Test(arguments: [
        (0.5, 0, "1"), (-0.5, 0, "-1"), (1.005, 2, "1.00"), (2.675, 2, "2.68"), (-0.004, 2, "0.00"),
        (-0.006, 2, "-0.01"), (123.456, 1, "123.5"), (-7.0, 3, "-7.000"), (0.0, 4, "0.0000"),
        (1_234_567.891, 6, "1234567.891000"), (Double.nan, 2, "0"), (Double.infinity, 1, "1e308"),
        (-Double.infinity, 1, "-1e308"), (-0.0, 2, "0.00"), (-1.005, 2, "-1.00"), (-2.5, 0, "-3"),
        (1e19, 0, "1e308"), (-1e19, 0, "-1e308"), (0.123456789, 9, "0.123457"), (1.25, -1, "1"),
    ])
    func fixedDecimalString(_ value: Double, _ places: Int, _ expected: String) {
        #expect(FixedDecimal.string(value, places) == expected)
    }

    @Test func writerNumbersAreTheFormattersAndNullWhenNotFinite() {
        let w = JSONWriter(capacity: 256)
        w.beginArray()
        w.number(-0.125, decimals: 2); w.number(3, decimals: 0); w.number(.nan); w.number(9.5e18, decimals: 0)
        w.number(0.1234567, decimals: 9)
        w.endArray()
        #expect(w.string == "[-0.13,3,null,null,0.123457]")
        #expect(FixedDecimal.string(-0.125, 2) == "-0.13")
    }

    @Test func quotedEscapesLikeTheWriter() {
        let s = "a\"b\\c\nd\re\tf\u{01}g\u{1F}é 🚨"
        #expect(JSONEscaping.quoted(s) == #""a\"b\\c\nd\re\tf\u0001g\u001fé 🚨""#)
        let w = JSONWriter(capacity: 256)
        w.string(s)
        #expect(w.string == JSONEscaping.quoted(s))
    }

    @Test func decimalDigits() {
        var out: [UInt8] = []
        for v: UInt64 in [0, 7, 10, 1_000_000, UInt64.max] {
            DecimalDigits.write(v) { out.append($0) }
            out.append(0x20)
        }
        #expect(String(decoding: out, as: UTF8.self) == "0 7 10 1000000 18446744073709551615 ")
    }

    @Test func statusTextComposesAndCutsAtACharacterBoundary() {
        var t = StatusText("audio ")
        t.append(Int64(-42)); t.append(" dB")
        #expect(t.description == "audio -42 dB")
        #expect(!t.truncated)
        var long = StatusText()
        for _ in 0..<300 { long.append("é") }   // 600 bytes of 2-byte characters
        #expect(long.truncated)
        #expect(long.count <= StatusText.capacity)
        #expect(long.description.hasSuffix("…"))
        #expect(long.description.unicodeScalars.allSatisfy { $0 == "é" || $0 == "…" })
    }

    @Test func writerOverflowIsFlaggedNotWrittenPast() {
        let w = JSONWriter(capacity: 8)
        w.beginObject(); w.key("name"); w.string("too long"); w.endObject()
        #expect(w.overflowed)
        #expect(w.count == 8)
    }
}

/// `JSONWriter.document` and the optional number: the CLI's JSON lines are written through them.
@Suite struct JSONDocumentTests {
    @Test func documentIsTheWrittenText() {
        let text = JSONWriter.document(capacity: 64) { w in
            w.beginObject(); w.key("a"); w.number(1.5, decimals: 1); w.key("b"); w.number(nil, decimals: 2)
            w.key("c"); w.number(Double?(.nan), decimals: 2); w.key("d"); w.number(Double?(-2), decimals: 2); w.endObject()
        }
        #expect(text == #"{"a":1.5,"b":null,"c":null,"d":-2.00}"#)
    }

    @Test func boundsCoverTheWorstCase() {
        let worst = String(repeating: "\u{01}", count: 10) + "é"
        let w = JSONWriter(capacity: JSONWriter.maxStringBytes(worst))
        w.string(worst)
        #expect(!w.overflowed)
        #expect(w.count == 10 * 6 + 2 + 2)
        let one = JSONWriter(capacity: JSONWriter.maxNumberBytes)
        one.number(-8.99e12, decimals: 6)   // 19 digits, sign and point: FixedDecimal's largest
        #expect(!one.overflowed)
        let big = JSONWriter(capacity: JSONWriter.maxNumberBytes)
        big.int(Int64.min)
        #expect(!big.overflowed)
    }

    @Test func documentTooSmallTrapsRatherThanTruncating() async {
        await #expect(processExitsWith: .failure) {
            _ = JSONWriter.document(capacity: 4) { w in w.beginObject(); w.key("name"); w.string("long"); w.endObject() }
        }
    }
}
