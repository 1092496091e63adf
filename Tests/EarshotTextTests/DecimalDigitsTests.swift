// The shared decimal writer against Swift's own `String(UInt64)`, at the edges and
// through the builders that use it (JSONWriter, StatusText).
import EarshotText
import Testing

@Suite("Decimal digits")
struct DecimalDigitsTests {
    static func digits(_ v: UInt64) -> String {
        var bytes: [UInt8] = []
        DecimalDigits.write(v) { bytes.append($0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("0, powers of ten and their neighbours, UInt64.max: the same text as String(_:)")
    func edges() {
        var values: [UInt64] = [0, 1, 9, UInt64.max, UInt64.max - 1]
        var p: UInt64 = 10
        for _ in 1...19 {
            values += [p - 1, p, p + 1]
            if p <= UInt64.max / 10 { p *= 10 }
        }
        for v in values { #expect(Self.digits(v) == String(v), "\(v)") }
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<10_000 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let v = seed >> (seed & 63)
            #expect(Self.digits(v) == String(v))
        }
    }

    @Test("StatusText appends the same digits, signed values with a minus")
    func statusText() {
        var t = StatusText()
        t.append(UInt64.max); t.append(" "); t.append(Int64.min); t.append(" "); t.append(0)
        #expect(t.description == "\(UInt64.max) \(Int64.min) 0")
    }
}
