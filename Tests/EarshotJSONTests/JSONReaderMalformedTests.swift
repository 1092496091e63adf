import Testing
@testable import EarshotJSON

/// Malformed input: each case is refused at the expected line and column, saying what was expected.
@Suite("JSON reader: malformed input")
struct JSONReaderMalformedTests {
    struct Case: Sendable, CustomStringConvertible {
        var text: String
        var line: Int
        var column: Int
        var message: String  // expected substring of the message
        var description: String { text.debugDescription }
    }

    static let cases: [Case] = [
        .init(text: "", line: 1, column: 1, message: "expected a value (object, array, string, number, true, false or null), found end of input"),
        .init(text: "   \n  ", line: 2, column: 3, message: "found end of input"),
        .init(text: "[1,]", line: 1, column: 4, message: "(trailing commas are not allowed), found ']'"),
        .init(text: "{\"a\": 1,}", line: 1, column: 9, message: "expected a member name after ',' (trailing commas are not allowed)"),
        .init(text: "{'a': 1}", line: 1, column: 2, message: "expected a member name in double quotes or '}', found '''"),
        .init(text: "{\"a\" 1}", line: 1, column: 6, message: "expected ':' after member name \"a\", found '1'"),
        .init(text: "{\"a\": 1 \"b\": 2}", line: 1, column: 9, message: "expected ',' or '}' after the value of \"a\", found '\"'"),
        .init(text: "[1 2]", line: 1, column: 4, message: "expected ',' or ']' after array element 1, found '2'"),
        .init(text: "[1, // c\n2]", line: 1, column: 5, message: "found '/'"),
        .init(text: "{\"a\": 1, \"a\": 2}", line: 1, column: 10, message: "duplicate member name \"a\""),
        .init(text: "01", line: 1, column: 2, message: "leading zeros are not allowed, found '1'"),
        .init(text: "-", line: 1, column: 2, message: "expected a digit after '-', found end of input"),
        .init(text: "+1", line: 1, column: 1, message: "found '+'"),
        .init(text: ".5", line: 1, column: 1, message: "found '.'"),
        .init(text: "1.", line: 1, column: 3, message: "expected a digit after '.'"),
        .init(text: "1.e5", line: 1, column: 3, message: "expected a digit after '.', found 'e'"),
        .init(text: "1e", line: 1, column: 3, message: "expected a digit in the exponent"),
        .init(text: "1e+", line: 1, column: 4, message: "expected a digit in the exponent"),
        .init(text: "1e400", line: 1, column: 1, message: "beyond the range of a 64-bit float"),
        .init(text: "-1e309", line: 1, column: 1, message: "beyond the range of a 64-bit float"),
        .init(text: "NaN", line: 1, column: 1, message: "found 'N'"),
        .init(text: "Infinity", line: 1, column: 1, message: "found 'I'"),
        .init(text: "nan", line: 1, column: 2, message: "expected null, found 'a'"),
        .init(text: "tru", line: 1, column: 4, message: "expected true, found end of input"),
        .init(text: "True", line: 1, column: 1, message: "found 'T'"),
        .init(text: "\"abc", line: 1, column: 5, message: "expected '\"' to end the string, found end of input"),
        .init(text: "\"a\tb\"", line: 1, column: 3, message: "control characters must be escaped"),
        .init(text: "\"a\nb\"", line: 1, column: 3, message: "found a line break"),
        .init(text: #""\x""#, line: 1, column: 3, message: "after '\\', found 'x'"),
        .init(text: #""\u12""#, line: 1, column: 6, message: "expected 4 hexadecimal digits after \\u, found '\"'"),
        .init(text: #""\uZZZZ""#, line: 1, column: 4, message: "expected 4 hexadecimal digits"),
        .init(text: #""\ud83d""#, line: 1, column: 2, message: "unpaired high surrogate"),
        .init(text: #""\ud83dx""#, line: 1, column: 2, message: "unpaired high surrogate"),
        .init(text: #""\ud83d\u0041""#, line: 1, column: 8, message: "expected a low surrogate"),
        .init(text: #""\ude00""#, line: 1, column: 2, message: "unpaired low surrogate"),
        .init(text: "[1] 2", line: 1, column: 5, message: "expected end of input after the JSON value, found '2'"),
        .init(text: "{\n  \"é\": [\n    1,\n    ]\n}", line: 4, column: 5, message: "trailing commas"),
        .init(text: "[\"é\" x]", line: 1, column: 6, message: "found 'x'"),
        .init(text: "[\u{FEFF}]", line: 1, column: 2, message: "found '\u{FEFF}'"),
    ]

    @Test("refused with line, column and what was expected", arguments: cases)
    func malformed(_ c: Case) throws {
        do {
            let v = try JSONReader.parse(c.text)
            Issue.record("accepted as \(v)")
        } catch {
            #expect(error.line == c.line, "\(error)")
            #expect(error.column == c.column, "\(error)")
            #expect(error.message.contains(c.message), "\(error)")
            #expect(error.description == "line \(c.line), column \(c.column): \(error.message)")
        }
    }

    static let badUTF8: [[UInt8]] = [
        [0x22, 0xC3, 0x28, 0x22],        // lead byte without continuation
        [0x22, 0x80, 0x22],              // stray continuation byte
        [0x22, 0xC0, 0x80, 0x22],        // overlong NUL
        [0x22, 0xE0, 0x80, 0x80, 0x22],  // overlong 3-byte form
        [0x22, 0xED, 0xA0, 0x80, 0x22],  // UTF-8-encoded surrogate U+D800
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // beyond U+10FFFF
        [0x22, 0xF0, 0x9F, 0x98],        // truncated at end of input
        [0xFF],                          // outside any string
    ]

    @Test("invalid UTF-8 is refused, in strings and outside them", arguments: badUTF8)
    func invalidUTF8(_ bytes: [UInt8]) throws {
        #expect(throws: JSONError.self) { try JSONReader.parse(bytes) }
    }

    @Test("well-formed 2-, 3- and 4-byte UTF-8 in bytes is accepted")
    func validUTF8Bytes() throws {
        #expect(try JSONReader.parse([0x22, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0x22]).string == "é€😀")
    }

    @Test("hostile nesting is refused without exhausting the stack")
    func deepNesting() throws {
        do {
            _ = try JSONReader.parse(String(repeating: "[", count: 200_000))
            Issue.record("accepted")
        } catch {
            #expect(error.column == 65)
            #expect(error.message.hasPrefix("nesting deeper than 64 levels"))
        }
    }
}
