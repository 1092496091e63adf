import EarshotConfig
import Testing
@testable import EarshotAgent

@Suite("TOML subset parser")
struct TOMLParserTests {
    @Test func parsesEverySupportedConstruct() throws {
        let text = """
            # leading comment
            title = "Earshot \\"box\\"\\t\\u00E9"   # trailing comment
            path = 'C:\\raw\\no-escapes'
            "quoted key" = 1_000_000
            'literal key' = -42
            pi = 3.141_5
            big = 6.02e23
            small = -1.5E-3
            yes = true
            no = false
            bare-key_2 = +7

            [audio]
            rate = 48_000
            nested = [[1, 2.5, -3], [0.0, 0.1, 0.2]]
            multi = [
              "a",   # comment inside
              "b",

            ]
            empty = []

            [audio.sub]
            x = 1
            dotted.inner.k = "v"

            [[preset]]
            number = 1

            [[preset]]
            number = 2
            [preset.extra]
            z = 0
            """
        let doc = try TOMLDocument(parsing: text, file: "t.toml")
        let r = doc.root
        #expect(r["title"] == .string("Earshot \"box\"\t\u{E9}"))
        #expect(r["path"] == .string("C:\\raw\\no-escapes"))
        #expect(r["quoted key"] == .integer(1_000_000))
        #expect(r["literal key"] == .integer(-42))
        #expect(r["pi"] == .float(3.1415))
        #expect(r["big"] == .float(6.02e23))
        #expect(r["small"] == .float(-0.0015))
        #expect(r["yes"] == .boolean(true))
        #expect(r["no"] == .boolean(false))
        #expect(r["bare-key_2"] == .integer(7))
        #expect(r.value(at: ["audio", "rate"]) == .integer(48_000))
        #expect(r.value(at: ["audio", "nested"]) == .array([
            .array([.integer(1), .float(2.5), .integer(-3)]),
            .array([.float(0), .float(0.1), .float(0.2)]),
        ]))
        #expect(r.value(at: ["audio", "multi"]) == .array([.string("a"), .string("b")]))
        #expect(r.value(at: ["audio", "empty"]) == .array([]))
        #expect(r.value(at: ["audio", "sub", "x"]) == .integer(1))
        #expect(r.value(at: ["audio", "sub", "dotted", "inner", "k"]) == .string("v"))
        guard case .array(let presets) = r["preset"] else { Issue.record("preset is not an array"); return }
        #expect(presets.count == 2)
        guard case .table(let second) = presets[1] else { Issue.record("preset[1] is not a table"); return }
        #expect(second["number"] == .integer(2))
        #expect(second.value(at: ["extra", "z"]) == .integer(0))
        #expect(r.keys == ["title", "path", "quoted key", "literal key", "pi", "big", "small", "yes", "no", "bare-key_2", "audio", "preset"])
    }

    /// `make fuzz` (target config) overflowed the stack on a file of '[' bytes.
    @Test func deeplyNestedArraysAreRefusedNotAStackOverflow() throws {
        for text in ["x = " + String(repeating: "[", count: 200_000), String(repeating: "[", count: 200_000)] {
            #expect(throws: TOMLError.self) { _ = try TOMLDocument(parsing: text, file: "deep.toml") }
        }
        let ok = try TOMLDocument(parsing: "x = " + String(repeating: "[", count: 32) + String(repeating: "]", count: 32), file: "t.toml")
        #expect(ok.root.value(at: ["x"]) != nil)
    }

    @Test func acceptsCRLFAndImplicitParentThenParentHeader() throws {
        let doc = try TOMLDocument(parsing: "[a.b]\r\nx = 1\r\n[a]\r\ny = 2\r\n", file: "t.toml")
        #expect(doc.root.value(at: ["a", "b", "x"]) == .integer(1))
        #expect(doc.root.value(at: ["a", "y"]) == .integer(2))
    }

    /// Each syntax-error class, with the line and column the message must name.
    @Test(arguments: [
        ("a = 1\nb = \"open\n", 2, 5, "unterminated string"),
        ("a = 1\na = 2\n", 2, 1, "duplicate key `a`"),
        ("[t]\n[t]\n", 2, 1, "defined twice"),
        ("x = 1 2\n", 1, 7, "expected end of line"),
        ("x = \n", 1, 5, "expected a value"),
        ("x 1\n", 1, 3, "expected '='"),
        ("x = {a = 1}\n", 1, 5, "inline tables"),
        ("x = \"\"\"a\"\"\"\n", 1, 5, "multi-line strings"),
        ("x = 1979-05-27\n", 1, 5, "dates and times"),
        ("x = 0x1F\n", 1, 5, "hexadecimal"),
        ("x = 1__0\n", 1, 5, "'_' must sit between two digits"),
        ("x = 012\n", 1, 5, "leading zeros"),
        ("x = 1.\n", 1, 5, "digits after '.'"),
        ("x = inf\n", 1, 5, "inf and nan"),
        ("x = 99999999999999999999\n", 1, 5, "out of range"),
        ("x = \"a\\q\"\n", 1, 7, "invalid escape \\q"),
        ("x = [1, 2\n", 2, 1, "unterminated array"),
        ("x = [1 2]\n", 1, 8, "expected ',' or ']'"),
        ("[t\n", 1, 3, "expected ']'"),
        ("[[t]\n", 1, 5, "expected ']]'"),
        ("a = 1\n[a]\n", 2, 1, "cannot also be a table"),
        ("a.b = 1\n[a]\n", 2, 1, "already created by dotted keys"),
        ("x = maybe\n", 1, 5, "expected a value"),
        ("= 1\n", 1, 1, "expected a key"),
        ("x = " + String(repeating: "[", count: 33) + "\n", 1, 37, "nested deeper than 32"),
    ] as [(String, Int, Int, String)])
    func syntaxErrorsNameFileLineColumn(_ input: String, _ line: Int, _ column: Int, _ words: String) {
        do {
            _ = try TOMLDocument(parsing: input, file: "boards/x.toml")
            Issue.record("accepted invalid input: \(input)")
        } catch {
            #expect(error.description.hasPrefix("boards/x.toml:\(line):\(column): "), "\(error.description)")
            #expect(error.description.contains(words), "\(error.description)")
        }
    }

    @Test func configErrorKeepsSyntaxPosition() {
        do {
            _ = try BoardConfig.parse("name = \"x\"\n[audio]\nrate = 16_000_\n", file: "boards/pi4.toml")
            Issue.record("accepted")
        } catch {
            #expect(error.description.hasPrefix("boards/pi4.toml:3:8: invalid number `16_000_`"), "\(error.description)")
        }
    }

    @Test func valueTextRoundTrips() throws {
        let values: [TOMLValue] = [.string("a\"b\\c\n\u{1}é"), .integer(-5), .float(0.1), .float(1e300), .boolean(true),
                                   .array([.array([.float(-0.0405), .integer(0)])])]
        for v in values {
            let doc = try TOMLDocument(parsing: "k = \(v.tomlText)\n", file: "t")
            #expect(doc.root["k"] == v)
        }
    }
}
