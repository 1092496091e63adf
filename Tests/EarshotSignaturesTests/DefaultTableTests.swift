import EarshotDetection
import Foundation
import Testing
@testable import EarshotSignatures

@Suite("Default signature table")
struct DefaultTableTests {
    @Test("parses, has the ten built-in classes in order, and is in canonical form")
    func defaultTable() throws {
        let table = try SignatureFile.parse(DefaultSignatures.json, fileName: "<default>")
        #expect(table.count == 10)
        for i in 0..<10 {
            #expect(table[i].soundClass == SoundClass(rawValue: UInt8(i)))
            #expect(table[i].name.string == table[i].soundClass.builtinName?.description)
        }
        #expect(SignatureFile.encode(table) == DefaultSignatures.json)
    }

    @Test("ONVIF names where ONVIF has a class")
    func onvif() {
        #expect(SoundClass.gunshot.onvifName?.description == "gun_shot")
        #expect(SoundClass.glassBreak.onvifName?.description == "glass_breaking")
        #expect(SoundClass.scream.onvifName?.description == "scream")
        #expect(SoundClass.tireScreech.onvifName?.description == "tire_screech")
        #expect(SoundClass.carHorn.onvifName == nil)
    }

    @Test("sustained classes are the five the issue names, impulsive the rest")
    func kinds() {
        let table = DefaultSignatures.table
        let sustained = (0..<table.count).filter { table[$0].kind == .sustained }.map { table[$0].name.string }
        #expect(Set(sustained) == ["scream", "power_tool", "car_horn", "aerosol_spray", "siren", "tire_screech"])
    }
}

@Suite("Signature table round trip")
struct TableRoundTripTests {
    @Test("parse(encode(t)) == t for the default table and an edited one")
    func roundTrip() throws {
        var table = DefaultSignatures.table
        var s = table[5]
        s.minDurationMs = 321
        s.bandTemplate[2] = -7 * 256 - 128       // −7.5 dB
        s.tonalHz = SIMD8(410, 515, 0, 0, 0, 0, 0, 0)
        s.minConfidence = 45_875                 // 0.7 after rounding to 4 decimals
        s.minLevelSPL = 95 * 256
        table[5] = s
        var custom = table[0]
        custom.name = SignatureName(string: "hammer_drill")
        custom.soundClass = .custom(0)
        custom.minRepetition = 15 * 256
        custom.maxRepetition = 40 * 256
        table.append(custom)
        let text = SignatureFile.encode(table)
        let back = try SignatureFile.parse(text, fileName: "t.json")
        #expect(back == table)
        #expect(SignatureFile.encode(back) == text)
        #expect(back.className(of: .custom(0)) == "hammer_drill")
        #expect(text.contains("\"min_duration_ms\": 321"))
        #expect(text.contains("\"tonal_hz\": [410, 515]"))
    }

    @Test("every stored min_match_fraction and min_confidence survives encode → parse (fuzz-short found 1/32 768 written as 0)")
    func fractionsRoundTrip() throws {
        for q in Int16(0)...Int16.max {
            let file = shortestDecimal(q, scale: 32_768, decode: q15Share)
            #expect(q15Share(Double("\(file)")!) == q, "min_match_fraction \(q)/32768 written as \(file)")
            #expect(String(file).count <= 8, "min_match_fraction \(q)/32768 written as \(file)")
        }
        for q in UInt16(0)...UInt16.max {
            let file = shortestDecimal(q, scale: 65_535, decode: u16Confidence)
            #expect(u16Confidence(Double("\(file)")!) == q, "min_confidence \(q)/65535 written as \(file)")
        }
        // Through the whole file, at the values the fixed four decimals lost.
        var table = DefaultSignatures.table
        for (share, confidence) in [(Int16(1), UInt16(1)), (3, 7), (22_937, 45_874), (32_767, 65_534)] {
            table[0].minMatchFraction = share
            table[0].minConfidence = confidence
            #expect(try SignatureFile.parse(SignatureFile.encode(table), fileName: "t.json") == table)
        }
        #expect(SignatureFile.encode(DefaultSignatures.table).contains("\"min_confidence\": 0.6,"))
    }

    @Test("load(path:) reads a file written to disk")
    func loadFile() throws {
        let path = "/tmp/earshot-signatures-\(UInt32.random(in: 0...UInt32.max)).json"
        try DefaultSignatures.json.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try SignatureFile.load(path: path) == DefaultSignatures.table)
        #expect(throws: SignatureFileError.self) { try SignatureFile.load(path: path + ".missing") }
    }
}
