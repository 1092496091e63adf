import Foundation
import Testing
@testable import EarshotJSON

/// Random documents written by the test, read by `JSONReader` and by Foundation's
/// `JSONSerialization` (the independent reference): both must agree on every value.
@Suite("JSON reader: agrees with JSONSerialization")
struct JSONReaderDifferentialTests {
    /// SplitMix64: a seeded generator, so a failure reproduces.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let pieces: [String] = ["a", "Z", " ", "é", "€", "😀", "\"", "\\", "/", "\n", "\t", "\u{1}", "\u{1F}", "x y"]

    /// A random string and its JSON spelling (escaped at random: short forms, \u, or raw).
    static func randomString(_ g: inout SplitMix) -> (String, String) {
        var value = "", text = "\""
        for _ in 0..<Int.random(in: 0...6, using: &g) {
            let p = pieces.randomElement(using: &g)!
            value += p
            for s in p.unicodeScalars {
                let useU = Bool.random(using: &g)
                switch s {
                case "\"": text += useU ? "\\u0022" : "\\\""
                case "\\": text += useU ? "\\u005C" : "\\\\"
                case "\n": text += useU ? "\\u000a" : "\\n"
                case "\t": text += useU ? "\\u0009" : "\\t"
                case _ where s.value < 0x20: text += "\\u00" + (s.value < 0x10 ? "0" : "") + String(s.value, radix: 16)
                case _ where s.value >= 0x10000 && useU:
                    let v = s.value - 0x10000
                    text += "\\u" + String(0xD800 + (v >> 10), radix: 16) + "\\u" + String(0xDC00 + (v & 0x3FF), radix: 16, uppercase: true)
                default: text += String(s)
                }
            }
        }
        return (value, text + "\"")
    }

    /// A random number literal and the Double the test expects (Swift's own Double(String)).
    static func randomNumber(_ g: inout SplitMix) -> String {
        switch Int.random(in: 0..<4, using: &g) {
        case 0: return String(Int.random(in: -1_000_000...1_000_000, using: &g))
        case 1: return String(Double.random(in: -1e6...1e6, using: &g))
        case 2: return "\(Int.random(in: 1...9, using: &g)).\(Int.random(in: 0...999, using: &g))e\(Int.random(in: -30...30, using: &g))"
        default: return String(Int.random(in: -9...9, using: &g))
        }
    }

    static func randomDocument(_ g: inout SplitMix, depth: Int) -> String {
        let ws = [" ", "", "\n", "\t", "\r\n "]
        func w(_ g: inout SplitMix) -> String { ws.randomElement(using: &g)! }
        switch Int.random(in: 0..<(depth > 3 ? 4 : 6), using: &g) {
        case 0: return randomString(&g).1
        case 1: return randomNumber(&g)
        case 2: return ["true", "false"].randomElement(using: &g)!
        case 3: return "null"
        case 4:
            let n = Int.random(in: 0...4, using: &g)
            return "[" + w(&g) + (0..<n).map { _ in randomDocument(&g, depth: depth + 1) }.joined(separator: "," + w(&g)) + "]"
        default:
            var used = Set<String>()
            var members: [String] = []
            for _ in 0..<Int.random(in: 0...4, using: &g) {
                let (k, text) = randomString(&g)
                if !used.insert(k).inserted { continue }
                members.append(text + w(&g) + ":" + w(&g) + randomDocument(&g, depth: depth + 1))
            }
            return "{" + w(&g) + members.joined(separator: w(&g) + ",") + w(&g) + "}"
        }
    }

    /// Compares our value with Foundation's (numbers by value; booleans are char-typed NSNumbers there).
    static func same(_ a: JSONValue, _ b: Any) -> Bool {
        switch a {
        case .null: return b is NSNull
        case .bool(let x):
            guard let n = b as? NSNumber, String(cString: n.objCType) == "c" else { return false }
            return n.boolValue == x
        case .number(let x):
            guard let n = b as? NSNumber else { return false }
            return n.doubleValue == x.value || abs(n.doubleValue - x.value) <= abs(x.value) * 1e-15
        case .string(let s): return (b as? String) == s
        case .array(let xs):
            guard let ys = b as? [Any], ys.count == xs.count else { return false }
            return zip(xs, ys).allSatisfy { same($0, $1) }
        case .object(let o):
            guard let d = b as? [String: Any], d.count == o.count else { return false }
            return zip(o.keys, o.values).allSatisfy { k, v in d[k].map { same(v, $0) } ?? false }
        }
    }

    @Test("2000 random documents read to the same values")
    func randomDocuments() throws {
        var g = SplitMix(state: 0x5EED_0005)
        for i in 0..<2000 {
            let text = Self.randomDocument(&g, depth: 0)
            let ours = try JSONReader.parse(text)
            let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            #expect(Self.same(ours, theirs), "document \(i): \(text)")
        }
    }

    @Test("number literals: the value is Swift's correctly rounded Double of the literal")
    func numberValues() throws {
        var g = SplitMix(state: 42)
        for _ in 0..<2000 {
            let literal = Self.randomNumber(&g)
            let n = try #require(try JSONReader.parse(literal).number)
            #expect(n.value == Double(literal)!, "\(literal)")
            #expect(n.literal == literal)
        }
    }
}
