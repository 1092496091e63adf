import EarshotDetection
import Foundation
import Testing
@testable import EarshotSignatures

/// Each case edits one field of the default car_horn entry and checks that
/// the error names the file, the entry, the field and the value.
@Suite("Signature table validation")
struct TableValidationTests {
    /// The default table with `entry`'s JSON line for `field` replaced by `value` (nil: removed).
    static func edited(entry: String, field: String, value: String?) -> String {
        var lines = DefaultSignatures.json.components(separatedBy: "\n")
        var inEntry = false
        for i in lines.indices {
            if lines[i].contains("\"name\": \"\(entry)\"") { inEntry = true }
            if inEntry && lines[i].hasPrefix("      \"\(field)\":") {
                let comma = lines[i].hasSuffix(",") ? "," : ""
                if let value { lines[i] = "      \"\(field)\": \(value)\(comma)" } else { lines.remove(at: i) }
                break
            }
        }
        return lines.joined(separator: "\n")
    }

    static func error(_ text: String) -> SignatureFileError? {
        do { _ = try SignatureFile.parse(text, fileName: "signatures.json"); return nil } catch { return error }
    }

    struct Case: Sendable, CustomStringConvertible {
        var field: String
        var value: String?
        var expected: String
        var description: String { "\(field) = \(value ?? "<missing>")" }
    }

    /// car_horn's min_duration_ms in the default table (the max_duration case quotes it).
    static let carHornMinDurationMs = DefaultSignatures.table[DefaultSignatures.table.index(of: .carHorn)!].minDurationMs

    static let cases: [Case] = [
        Case(field: "min_duration_ms", value: "-5",
             expected: #"signatures.json: entry "car_horn": field "min_duration_ms" = -5: must be ≥ 0"#),
        Case(field: "max_duration_ms", value: "100",
             expected: #"signatures.json: entry "car_horn": field "max_duration_ms" = 100: must be ≥ min_duration_ms ("#
                 + "\(carHornMinDurationMs))"),
        Case(field: "kind", value: "\"loud\"",
             expected: #"signatures.json: entry "car_horn": field "kind" = "loud": must be "impulsive" or "sustained""#),
        Case(field: "band_template_db", value: "[0, 0, 0]",
             expected: #"signatures.json: entry "car_horn": field "band_template_db" = [0, 0, 0]: must have exactly 8 values (has 3)"#),
        Case(field: "band_template_db", value: "[0, 0, 0, 5, 0, 0, 0, 0]",
             expected: #"signatures.json: entry "car_horn": field "band_template_db" = [0, 0, 0, 5, 0, 0, 0, 0]: value 4 must be ≤ 0"#),
        Case(field: "band_tolerance_db", value: "\"wide\"",
             expected: #"signatures.json: entry "car_horn": field "band_tolerance_db" = "wide": must be an array of 8 numbers"#),
        Case(field: "min_confidence", value: "1.5",
             expected: #"signatures.json: entry "car_horn": field "min_confidence" = 1.5: must be ≤ 1"#),
        Case(field: "min_snr_db", value: nil,
             expected: #"signatures.json: entry "car_horn": field "min_snr_db": missing (required)"#),
        Case(field: "cooldown_ms", value: "2.5",
             expected: #"signatures.json: entry "car_horn": field "cooldown_ms" = 2.5: must be a whole number"#),
        Case(field: "tonal_hz", value: "[400, 0]",
             expected: #"signatures.json: entry "car_horn": field "tonal_hz" = [400, 0]: value 2 must be ≥ 1"#),
        Case(field: "sweep_bins", value: "[3, 2]",
             expected: #"signatures.json: entry "car_horn": field "sweep_bins" = [3, 2]: [min, max] needs min ≤ max (or max 0 = no maximum)"#),
        Case(field: "pitch_hz", value: "[2500, 400]",
             expected: #"signatures.json: entry "car_horn": field "pitch_hz" = [2500, 400]: [min, max] needs 0 < min < max (or [0, 0] = no pitch rule)"#),
        Case(field: "pitch_hz", value: "[0, 2500]",
             expected: #"signatures.json: entry "car_horn": field "pitch_hz" = [0, 2500]: [min, max] needs 0 < min < max (or [0, 0] = no pitch rule)"#),
        Case(field: "pitch_hz", value: "[400, 9000]",
             expected: #"signatures.json: entry "car_horn": field "pitch_hz" = [400, 9000]: value 2 must be ≤ 8000"#),
        Case(field: "pitch_step_hz", value: "0",
             expected: #"signatures.json: entry "car_horn": field "pitch_step_hz" = 0: must be ≥ 1"#),
        Case(field: "min_pitch_continuity", value: "1.5",
             expected: #"signatures.json: entry "car_horn": field "min_pitch_continuity" = 1.5: must be ≤ 1"#),
        Case(field: "min_pitch_moving", value: "-0.1",
             expected: #"signatures.json: entry "car_horn": field "min_pitch_moving" = -0.1: must be ≥ 0"#),
        Case(field: "min_pitch_span", value: "0.5",
             expected: #"signatures.json: entry "car_horn": field "min_pitch_span" = 0.5: must be ≥ 1"#),
        Case(field: "min_pitch_prominence_db", value: "null",
             expected: #"signatures.json: entry "car_horn": field "min_pitch_prominence_db" = null: must be a number (null is not allowed here)"#),
        Case(field: "min_tonality_db", value: "true",
             expected: #"signatures.json: entry "car_horn": field "min_tonality_db" = true: must be a number"#),
        Case(field: "gap_ms", value: "null",
             expected: #"signatures.json: entry "car_horn": field "gap_ms" = null: must be a number (null is not allowed here)"#),
        Case(field: "min_level_db_spl", value: "140",
             expected: #"signatures.json: entry "car_horn": field "min_level_db_spl" = 140: must be ≤ 127"#),
        Case(field: "name", value: "\"Car Horn\"",
             expected: ##"signatures.json: entry "#6": field "name" = "Car Horn": must be 1–31 characters of a–z, 0–9 and _"##),
        Case(field: "name", value: "\"siren\"",
             expected: #"signatures.json: entry "siren": field "name" = "siren": duplicate entry; each class appears once"#),
    ]

    @Test("each bad field is reported with entry, field and value", arguments: cases)
    func badField(_ c: Case) throws {
        let e = try #require(Self.error(Self.edited(entry: "car_horn", field: c.field, value: c.value)))
        #expect(e.description == c.expected)
        #expect(e.file == "signatures.json")
        #expect(e.field == c.field)
    }

    @Test("a pitch rule on an impulsive entry is refused; the shipped siren's rule reads back in detector units")
    func pitchRule() throws {
        let e = try #require(Self.error(Self.edited(entry: "gunshot", field: "pitch_hz", value: "[400, 2500]")))
        #expect(e.description == #"signatures.json: entry "gunshot": field "pitch_hz" = [400, 2500]: a pitch rule needs "kind": "sustained""#)
        let table = DefaultSignatures.table
        let siren = table[try #require(table.index(of: .siren))]
        #expect(siren.pitchMinHz == 400 && siren.pitchMaxHz == 2_500)
        #expect(siren.minPitchProminence == 12 * 256 && siren.pitchStepHz == 40 && siren.minDurationMs == 2_500)
        #expect(siren.minPitchContinuity == 30_474 && siren.minPitchMoving == 4_915 && siren.minPitchSpan == 307)
        // Entries without the keys (tables written before them) take "no pitch rule".
        let older = try SignatureFile.parse(Self.edited(entry: "car_horn", field: "pitch_hz", value: nil), fileName: "t.json")
        #expect(older[try #require(older.index(of: .carHorn))].pitchMaxHz == 0)
    }

    @Test("unknown fields are refused (typos do not silently fall back to defaults)")
    func unknownField() throws {
        let d = Self.carHornMinDurationMs
        let text = DefaultSignatures.json.replacingOccurrences(of: "\"min_duration_ms\": \(d),\n      \"max_duration_ms\": 6000,",
                                                               with: "\"min_duraton_ms\": \(d),\n      \"max_duration_ms\": 6000,")
        let e = try #require(Self.error(text))
        #expect(e.entry == "car_horn")
        #expect(e.field == "min_duraton_ms")
        #expect(e.description.hasPrefix(#"signatures.json: entry "car_horn": field "min_duraton_ms": unknown field"#))
    }

    @Test("file-level errors: bad JSON, wrong version, too many entries")
    func fileLevel() throws {
        let bad = try #require(Self.error("{\"version\": 1, \"entries\": ["))
        #expect(bad.description.hasPrefix("signatures.json: not valid JSON"))
        let v2 = try #require(Self.error(DefaultSignatures.json.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 2")))
        #expect(v2.description == #"signatures.json: field "version" = 2: unsupported; this build reads version 1"#)
        let table = DefaultSignatures.table
        var many = SignatureTable()
        for i in 0..<16 {
            var s = table[i % 10]
            s.name = SignatureName(string: "c\(i)")
            many.append(s)
        }
        let text = SignatureFile.encode(many)
        #expect(try SignatureFile.parse(text, fileName: "x").count == 16)
        let seventeen = text.replacingOccurrences(of: "  \"entries\": [\n",
            with: "  \"entries\": [\n" + SignatureFile.encodeEntry({ var s = table[0]; s.name = SignatureName(string: "c16"); return s }()) + ",\n")
        let e = try #require(Self.error(seventeen))
        #expect(e.description == #"signatures.json: field "entries" = 17 entries: at most 16 entries fit; remove some"#)
    }
}
