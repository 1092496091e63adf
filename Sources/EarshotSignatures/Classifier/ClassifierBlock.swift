// The table file's optional "classifier" block: the learned decision stage
// (EarshotDetection's CandidateClassifier) as integers, plus its gate in dB and
// ms and its thresholds in logits. Written by `earshot learn --classifier`.
//
//   "classifier": {
//     "features": "earshot-candidate-v1",      feature set (CandidateFeatures)
//     "feature_count": 64, "hidden": 32,
//     "classes": ["none", "gunshot", …],        output 0 is always "none"
//     "kinds": ["none", "impulsive", "sustained", …],
//     "bin_hz": [16 × Hz, 0 = inactive],        the configuration it was trained with
//     "gate": {"on_snr_db": 8, "off_snr_db": 4, "jump_snr_db": 12,
//              "end_quiet_ms": 300, "rearm_quiet_ms": 100, "max_sustain_ms": 60000},
//     "input_offset": [64 ints], "input_scale": [64 ints],
//     "weights1": [hidden × 64 ints −127…127], "bias1": [hidden ints],
//     "hidden_multiplier": int, "hidden_shift": int 0…62,
//     "weights2": [outputs × hidden ints −127…127], "bias2": [outputs ints],
//     "logit_unit": int > 0, "thresholds": [outputs × logits, first 0] }
//
// Every value is checked: a truncated array, a wrong dimension, a fraction
// where an integer belongs, a number out of range (1e999, NaN written as a
// string) is refused with the field and the index named.
import EarshotDetection
import EarshotJSON

/// Reads and writes the "classifier" block of a signature-table file.
enum ClassifierBlock {
    static let featureSetName = "earshot-candidate-v\(CandidateClassifier.featureVersion)"
    static let fields = ["features", "feature_count", "hidden", "classes", "kinds", "bin_hz", "gate",
                         "input_offset", "input_scale", "weights1", "bias1", "hidden_multiplier",
                         "hidden_shift", "weights2", "bias2", "logit_unit", "thresholds"]
    static let gateFields = ["on_snr_db", "off_snr_db", "jump_snr_db", "end_quiet_ms", "rearm_quiet_ms", "max_sustain_ms"]

    struct Reader {
        let file: String
        let object: JSONObject
        /// Path of `object` in the file, prefixed to every field an error names.
        var prefix = "classifier."

        func fail(_ field: String, _ value: JSONValue?, _ reason: String) -> SignatureFileError {
            SignatureFileError(file: file, field: prefix + field,
                               value: value.map { SignatureFile.render($0) }, reason: reason)
        }

        func value(_ field: String) throws(SignatureFileError) -> JSONValue {
            guard let v = object[field] else { throw fail(field, nil, "missing (required in a classifier block)") }
            return v
        }

        func integer(_ field: String, _ v: JSONValue, _ range: ClosedRange<Int64>) throws(SignatureFileError) -> Int64 {
            guard let n = v.number else { throw fail(field, v, "must be an integer") }
            guard n.value.isFinite, let i = n.int64 else { throw fail(field, v, "must be an integer (no fraction or exponent)") }
            guard range.contains(i) else { throw fail(field, v, "out of range \(range.lowerBound)…\(range.upperBound)") }
            return i
        }

        func integer(_ field: String, _ range: ClosedRange<Int64>) throws(SignatureFileError) -> Int64 {
            try integer(field, try value(field), range)
        }

        func integers(_ field: String, count: Int, _ range: ClosedRange<Int64>) throws(SignatureFileError) -> [Int64] {
            let v = try value(field)
            guard let a = v.array else { throw fail(field, nil, "must be an array of \(count) integers") }
            guard a.count == count else {
                throw fail(field, nil, "has \(a.count) values; the dimensions need exactly \(count)")
            }
            var out: [Int64] = []
            out.reserveCapacity(count)
            for (i, x) in a.enumerated() { out.append(try integer("\(field)[\(i)]", x, range)) }
            return out
        }

        func numbers(_ field: String, count: Int, _ range: ClosedRange<Double>) throws(SignatureFileError) -> [Double] {
            let v = try value(field)
            guard let a = v.array, a.count == count else {
                throw fail(field, nil, "must be an array of exactly \(count) numbers")
            }
            var out: [Double] = []
            for (i, x) in a.enumerated() {
                guard let n = x.number, n.value.isFinite, range.contains(n.value) else {
                    throw fail("\(field)[\(i)]", x, "must be a number in \(range.lowerBound)…\(range.upperBound)")
                }
                out.append(n.value)
            }
            return out
        }

        func strings(_ field: String) throws(SignatureFileError) -> [String] {
            let v = try value(field)
            guard let a = v.array else { throw fail(field, v, "must be an array of strings") }
            var out: [String] = []
            for (i, x) in a.enumerated() {
                guard let s = x.string else { throw fail("\(field)[\(i)]", x, "must be a string") }
                out.append(s)
            }
            return out
        }
    }

    /// Parses the block; `className` resolves names to classes (built-in or the table's own).
    static func parse(_ raw: JSONValue, file: String,
                      className: (String) -> SoundClass?) throws(SignatureFileError) -> CandidateClassifier {
        guard let obj = raw.object else {
            throw SignatureFileError(file: file, field: "classifier", reason: "must be an object (see `earshot table show --fields`)")
        }
        let r = Reader(file: file, object: obj)
        for key in obj.keys where !fields.contains(key) {
            throw r.fail(key, nil, SignatureFile.unknownField(key, known: fields))
        }
        var m = CandidateClassifier()
        let features = try r.value("features")
        guard features.string == featureSetName else {
            throw r.fail("features", features, "this build computes \"\(featureSetName)\"; retrain with `earshot learn --classifier`")
        }
        m.featureCount = Int(try r.integer("feature_count", Int64(CandidateFeatures.count)...Int64(CandidateFeatures.count)))
        m.hiddenCount = Int(try r.integer("hidden", 1...Int64(CandidateClassifier.maxHidden)))
        let names = try r.strings("classes")
        guard names.count >= 2, names.count <= CandidateClassifier.maxOutputs else {
            throw r.fail("classes", nil, "needs \"none\" and 1…\(CandidateClassifier.maxOutputs - 1) classes (has \(names.count) names)")
        }
        guard names[0] == "none" else { throw r.fail("classes[0]", .string(names[0]), "must be \"none\"") }
        m.outputCount = names.count
        let kinds = try r.strings("kinds")
        guard kinds.count == names.count else {
            throw r.fail("kinds", nil, "has \(kinds.count) values; \"classes\" has \(names.count)")
        }
        var seen = Set<String>()
        for k in 1..<names.count {
            guard let c = className(names[k]) else {
                throw r.fail("classes[\(k)]", .string(names[k]), "unknown class; use a built-in name or one of the table's entries")
            }
            guard seen.insert(names[k]).inserted else { throw r.fail("classes[\(k)]", .string(names[k]), "listed twice") }
            m.classes[k] = c
            switch kinds[k] {
            case "impulsive": m.kinds[k] = .impulsive
            case "sustained": m.kinds[k] = .sustained
            default: throw r.fail("kinds[\(k)]", .string(kinds[k]), "must be \"impulsive\" or \"sustained\"")
            }
        }
        let bins = try r.numbers("bin_hz", count: 16, 0...24_000)
        for b in 0..<16 { m.binHz[b] = Float(bins[b]) }
        m.gate = try parseGate(try r.value("gate"), r)
        let f = m.featureCount, h = m.hiddenCount, o = m.outputCount
        let offsets = try r.integers("input_offset", count: f, -1_000_000...1_000_000)
        let scales = try r.integers("input_scale", count: f, 0...100_000_000)
        for i in 0..<f { m.inputOffset[i] = Int32(offsets[i]); m.inputScale[i] = Int32(scales[i]) }
        let w1 = try r.integers("weights1", count: h * f, -127...127)
        for n in 0..<(h * f) { m.weights1[n] = Int8(w1[n]) }
        let b1 = try r.integers("bias1", count: h, -1_000_000_000...1_000_000_000)
        for j in 0..<h { m.bias1[j] = Int32(b1[j]) }
        m.hiddenMultiplier = Int32(try r.integer("hidden_multiplier", 1...Int64(Int32.max)))
        m.hiddenShift = Int32(try r.integer("hidden_shift", 0...62))
        let w2 = try r.integers("weights2", count: o * h, -127...127)
        for n in 0..<(o * h) { m.weights2[n] = Int8(w2[n]) }
        let b2 = try r.integers("bias2", count: o, -1_000_000_000...1_000_000_000)
        for k in 0..<o { m.bias2[k] = Int32(b2[k]) }
        m.logitUnit = Int32(try r.integer("logit_unit", 1...1_000_000_000))
        let thresholds = try r.numbers("thresholds", count: o, -1_000...1_000)
        for k in 0..<o { m.thresholds[k] = quantizedThreshold(thresholds[k], unit: m.logitUnit) }
        return m
    }

    static func quantizedThreshold(_ logits: Double, unit: Int32) -> Int32 {
        Int32(max(-2_000_000_000, min(2_000_000_000, (logits * Double(unit)).rounded())))
    }

    static func parseGate(_ v: JSONValue, _ r: Reader) throws(SignatureFileError) -> CandidateGate {
        guard let obj = v.object else { throw r.fail("gate", v, "must be an object {\"on_snr_db\": …}") }
        for key in obj.keys where !gateFields.contains(key) {
            throw r.fail("gate." + key, nil, SignatureFile.unknownField(key, known: gateFields))
        }
        let g = Reader(file: r.file, object: obj, prefix: r.prefix + "gate.")
        func db(_ name: String, _ range: ClosedRange<Double>) throws(SignatureFileError) -> Int16 {
            let x = try g.value(name)
            guard let n = x.number, n.value.isFinite, range.contains(n.value) else {
                throw g.fail(name, x, "must be a number of dB in \(range.lowerBound)…\(range.upperBound)")
            }
            return Int16((n.value * 256).rounded())
        }
        func ms(_ name: String, _ range: ClosedRange<Int64>) throws(SignatureFileError) -> Int64 {
            try g.integer(name, range)
        }
        var gate = CandidateGate()
        gate.onSNR = try db("on_snr_db", 1...60)
        gate.offSNR = try db("off_snr_db", 0...60)
        gate.jumpSNR = try db("jump_snr_db", 1...60)
        guard gate.offSNR <= gate.onSNR else {
            throw r.fail("gate.off_snr_db", obj["off_snr_db"], "must not exceed on_snr_db")
        }
        gate.endQuietHops = Int32(try ms("end_quiet_ms", 10...60_000) / 10)
        gate.rearmQuietHops = Int32(try ms("rearm_quiet_ms", 10...60_000) / 10)
        gate.maxSustainHops = try ms("max_sustain_ms", 100...3_600_000) / 10
        return gate
    }

    /// Canonical text of the block (key order as `fields`, arrays on one line), indented for the table file.
    static func encode(_ m: CandidateClassifier, className: (SoundClass) -> String) -> String {
        func ints<T: BinaryInteger>(_ n: Int, _ at: (Int) -> T) -> String {
            "[" + (0..<n).map { String(at($0)) }.joined(separator: ", ") + "]"
        }
        func num(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
        let f = m.featureCount, h = m.hiddenCount, o = m.outputCount
        let names = ["\"none\""] + (1..<o).map { "\"\(className(m.classes[$0]))\"" }
        let kinds = ["\"none\""] + (1..<o).map { m.kinds[$0] == .sustained ? "\"sustained\"" : "\"impulsive\"" }
        let g = m.gate
        let gate = "{\"on_snr_db\": \(num(Double(g.onSNR) / 256)), \"off_snr_db\": \(num(Double(g.offSNR) / 256)), "
            + "\"jump_snr_db\": \(num(Double(g.jumpSNR) / 256)), \"end_quiet_ms\": \(g.endQuietHops * 10), "
            + "\"rearm_quiet_ms\": \(g.rearmQuietHops * 10), \"max_sustain_ms\": \(g.maxSustainHops * 10)}"
        let values: [String: String] = [
            "features": "\"\(featureSetName)\"",
            "feature_count": String(f),
            "hidden": String(h),
            "classes": "[" + names.joined(separator: ", ") + "]",
            "kinds": "[" + kinds.joined(separator: ", ") + "]",
            "bin_hz": "[" + (0..<16).map { num(Double(m.binHz[$0])) }.joined(separator: ", ") + "]",
            "gate": gate,
            "input_offset": ints(f) { m.inputOffset[$0] },
            "input_scale": ints(f) { m.inputScale[$0] },
            "weights1": ints(h * f) { m.weights1[$0] },
            "bias1": ints(h) { m.bias1[$0] },
            "hidden_multiplier": String(m.hiddenMultiplier),
            "hidden_shift": String(m.hiddenShift),
            "weights2": ints(o * h) { m.weights2[$0] },
            "bias2": ints(o) { m.bias2[$0] },
            "logit_unit": String(m.logitUnit),
            "thresholds": "[" + (0..<o).map { k in
                shortestThreshold(m.thresholds[k], unit: m.logitUnit)
            }.joined(separator: ", ") + "]",
        ]
        return "{\n" + fields.map { "    \"\($0)\": \(values[$0]!)" }.joined(separator: ",\n") + "\n  }"
    }

    /// The shortest decimal (≤ 9 places) that reads back to the stored threshold.
    static func shortestThreshold(_ q: Int32, unit: Int32) -> String {
        let x = Double(q) / Double(unit)
        for places in 0...9 {
            var scale = 1.0
            for _ in 0..<places { scale *= 10 }
            let candidate = (x * scale).rounded() / scale
            if quantizedThreshold(candidate, unit: unit) == q {
                return places == 0 ? String(Int(candidate)) : String(candidate)
            }
        }
        return String(x)
    }
}
