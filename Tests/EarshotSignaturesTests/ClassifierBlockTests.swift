// The table file's "classifier" block: training on synthetic clusters, the
// round trip, and refusals that name the field.
import EarshotDSP
import EarshotDetection
import Foundation
import Testing
@testable import EarshotSignatures

@Suite struct ClassifierBlockTests {
    /// Three clusters in feature space: none around 0, gunshot high on 0…7, siren high on 57…63.
    static func examples(_ n: Int, seed: UInt64) -> [ClassifierExample] {
        var rng = SplitMix64(state: seed)
        var out: [ClassifierExample] = []
        for i in 0..<n {
            let label = i % 3
            var x = (0..<64).map { _ in (rng.unit() - 0.5) * 2_000 }
            if label == 1 { for k in 0..<8 { x[k] += 3_000 } }
            if label == 2 { for k in 57..<64 { x[k] += 3_000 } }
            x[10] = 77                                   // a constant feature must be ignored
            out.append(ClassifierExample(features: x, label: label))
        }
        return out
    }

    static func trainedTable() -> SignatureTable {
        var options = ClassifierTrainingOptions()
        options.epochs = 40
        options.hidden = 8
        var model = ClassifierTrainer.train(examples(300, seed: 1), classes: [.gunshot, .siren],
                                            kinds: [.impulsive, .sustained],
                                            binHz: CandidateClassifier.binHz(for: AnalysisConfig()),
                                            gate: CandidateGate(), options: options)
        model.thresholds[1] = 3 * model.logitUnit / 2
        var table = DefaultSignatures.table
        table.classifier = model
        return table
    }

    static func features(_ e: ClassifierExample) -> CandidateFeatures {
        var f = CandidateFeatures()
        for i in 0..<64 { f.values[i] = Int32(e.features[i].rounded()) }
        return f
    }

    @Test func trainsQuantisesAndSeparatesClusters() {
        let model = Self.trainedTable().classifier!
        #expect(model.isUsable)
        #expect(model.inputScale[10] == 0)
        let test = Self.examples(150, seed: 99)
        var right = 0
        for e in test {
            let v = model.classify(Self.features(e))
            let said = v.margin >= 0 ? v.output : 0
            if said == e.label { right += 1 }
        }
        #expect(right >= 140, "integer model right on \(right)/150 unseen examples")
    }

    @Test func sameSeedSameModel() {
        #expect(Self.trainedTable() == Self.trainedTable())
    }

    @Test func roundTrip() throws {
        let table = Self.trainedTable()
        let text = SignatureFile.encode(table)
        let back = try SignatureFile.parse(text, fileName: "t.json")
        #expect(back == table)
        #expect(SignatureFile.encode(back) == text)
        #expect(back.classifier!.thresholds[1] == table.classifier!.thresholds[1])
    }

    /// `text` with the classifier field `field`'s value replaced by `value`.
    static func replacing(_ field: String, with value: String, in text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix("    \"\(field)\": ") else { return String(line) }
            let comma = line.hasSuffix(",") ? "," : ""
            return "    \"\(field)\": \(value)\(comma)"
        }
        return lines.joined(separator: "\n")
    }

    static func refusal(_ text: String) -> String {
        do { _ = try SignatureFile.parse(text, fileName: "bad.json"); return "accepted" } catch { return error.description }
    }

    @Test func refusesBadBlocksNamingTheField() {
        let text = SignatureFile.encode(Self.trainedTable())
        let m = Self.trainedTable().classifier!
        let w1 = (0..<(m.hiddenCount * 64)).map { String(m.weights1[$0]) }
        // Truncated weights.
        let truncated = Self.replacing("weights1", with: "[" + w1.dropLast().joined(separator: ", ") + "]", in: text)
        #expect(Self.refusal(truncated).contains("field \"classifier.weights1\""))
        #expect(Self.refusal(truncated).contains("exactly \(m.hiddenCount * 64)"))
        // Wrong dimensions: hidden says 9, arrays hold 8.
        #expect(Self.refusal(Self.replacing("hidden", with: "9", in: text)).contains("classifier.weights1"))
        // A fraction, an out-of-range weight, an overflowing number, NaN written as a string.
        let fraction = Self.replacing("weights1", with: "[0.5, " + w1.dropFirst().joined(separator: ", ") + "]", in: text)
        #expect(Self.refusal(fraction).contains("classifier.weights1[0]"))
        let big = Self.replacing("weights1", with: "[300, " + w1.dropFirst().joined(separator: ", ") + "]", in: text)
        #expect(Self.refusal(big).contains("out of range -127…127"))
        // 1e999 is refused by the JSON reader itself (beyond Double), naming line and column;
        // 1e12 is a number but no Int32 logit unit.
        #expect(Self.refusal(Self.replacing("logit_unit", with: "1e999", in: text)).contains("not valid JSON"))
        #expect(Self.refusal(Self.replacing("logit_unit", with: "1000000000000", in: text)).contains("classifier.logit_unit"))
        #expect(Self.refusal(Self.replacing("thresholds", with: "[0, \"NaN\", 1]", in: text)).contains("classifier.thresholds[1]"))
        #expect(Self.refusal(Self.replacing("classes", with: "[\"none\", \"banana\", \"siren\"]", in: text)).contains("classifier.classes[1]"))
        #expect(Self.refusal(Self.replacing("features", with: "\"earshot-candidate-v0\"", in: text)).contains("classifier.features"))
        #expect(Self.refusal(Self.replacing("gate", with: "{\"on_snr_db\": 8}", in: text)).contains("classifier.gate"))
        // A block cut off in the middle of the file is not JSON.
        let cut = String(text.prefix(text.count * 2 / 3))
        #expect(Self.refusal(cut).contains("not valid JSON"))
    }
}
