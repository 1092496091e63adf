import Testing
@testable import EarshotJSON

/// Well-formed documents: every kind of value, escapes, surrogate pairs, number spellings.
@Suite("JSON reader: valid documents")
struct JSONReaderValidTests {
    @Test("scalars at top level, with surrounding whitespace and a byte-order mark")
    func scalars() throws {
        #expect(try JSONReader.parse("true") == .bool(true))
        #expect(try JSONReader.parse(" \t\r\n false \n") == .bool(false))
        #expect(try JSONReader.parse("null") == .null)
        #expect(try JSONReader.parse(#""a""#) == .string("a"))
        #expect(try JSONReader.parse("\u{FEFF}[]") == .array([]))
        #expect(try JSONReader.parse("{}") == .object(JSONObject()))
    }

    @Test("objects keep members in document order; lookup by name")
    func objectOrder() throws {
        let v = try JSONReader.parse(#"{"z": 1, "a": [true, null], "m": {"k": "v"}}"#)
        let o = try #require(v.object)
        #expect(o.keys == ["z", "a", "m"])
        #expect(o["a"] == .array([.bool(true), .null]))
        #expect(o["m"]?.object?["k"]?.string == "v")
        #expect(o["missing"] == nil)
        #expect(o["z"]?.number?.value == 1)
    }

    @Test("escapes: the eight short forms and \\u, including surrogate pairs")
    func escapes() throws {
        let v = try JSONReader.parse(#""\"\\\/\b\f\n\r\t|\u0041\u00e9\u20AC\ud83d\ude00\u0000""#)
        let expected = "\"\\/\u{08}\u{0C}\n\r\t|Aé€😀\u{0}"
        #expect(v.string == expected)
        // Raw multi-byte UTF-8 passes through unchanged.
        #expect(try JSONReader.parse("\"Saint-Étienne 🚨\"").string == "Saint-Étienne 🚨")
        // U+10FFFF from its surrogate pair: 0x10000 + (0x3FF << 10) + 0x3FF.
        #expect(try JSONReader.parse(#""\uDBFF\uDFFF""#).string?.unicodeScalars.first?.value == 0x10FFFF)
    }

    struct NumberCase: Sendable, CustomStringConvertible {
        var literal: String
        var value: Double
        var description: String { literal }
    }

    // Values written as Swift literals (the compiler's parser is the independent reference).
    static let numbers: [NumberCase] = [
        .init(literal: "0", value: 0), .init(literal: "-0", value: -0.0), .init(literal: "7", value: 7),
        .init(literal: "-12", value: -12), .init(literal: "2.50", value: 2.5), .init(literal: "1e3", value: 1000),
        .init(literal: "1E+3", value: 1000), .init(literal: "25e-1", value: 2.5), .init(literal: "-0.125", value: -0.125),
        .init(literal: "0.1", value: 0.1), .init(literal: "1.7976931348623157e308", value: 1.7976931348623157e308),
        .init(literal: "5e-324", value: .leastNonzeroMagnitude), .init(literal: "1e-400", value: 0),
        .init(literal: "123456789012345678901234567890", value: 123456789012345678901234567890.0),
    ]

    @Test("numbers: value correctly rounded, literal kept as written", arguments: numbers)
    func number(_ c: NumberCase) throws {
        let n = try #require(try JSONReader.parse(c.literal).number)
        #expect(n.value == c.value)
        #expect(n.value.sign == c.value.sign)
        #expect(n.literal == c.literal)
    }

    @Test("integer literals keep their exact value beyond 2^53")
    func exactIntegers() throws {
        let n = try #require(try JSONReader.parse("9007199254740993").number)
        #expect(n.int64 == 9_007_199_254_740_993)
        #expect(n.value == 9_007_199_254_740_992)  // nearest Double
        #expect(try JSONReader.parse("-9223372036854775808").number?.int64 == Int64.min)
        #expect(try JSONReader.parse("9223372036854775808").number?.int64 == nil)  // beyond Int64
        #expect(try JSONReader.parse("3.0").number?.int64 == nil)
        #expect(try JSONReader.parse("3e0").number?.isIntegerLiteral == false)
    }

    @Test("nesting up to maxDepth is accepted")
    func depthLimit() throws {
        let deep = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try JSONReader.parse(deep).array?.count == 1)
        let deeper = String(repeating: "{\"a\":", count: 10) + "1" + String(repeating: "}", count: 10)
        #expect(throws: JSONError.self) { try JSONReader.parse(deeper, maxDepth: 9) }
        #expect(try JSONReader.parse(deeper, maxDepth: 10).object?.count == 1)
    }
}
