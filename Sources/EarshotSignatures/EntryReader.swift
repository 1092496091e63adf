// Reads and validates one JSON entry into a `Signature`. Every error names
// the file, the entry, the field and the value, and says what is allowed.
import EarshotDetection
import EarshotJSON

struct EntryReader {
    let file: String
    let index: Int
    let raw: JSONValue
    var object = JSONObject()
    var entryName: String

    init(file: String, index: Int, raw: JSONValue) {
        self.file = file
        self.index = index
        self.raw = raw
        self.entryName = "#\(index + 1)"
    }

    func fail(_ field: String?, _ value: JSONValue?, _ reason: String) -> SignatureFileError {
        SignatureFileError(file: file, entry: entryName, field: field,
                           value: value.map { SignatureFile.render($0) }, reason: reason)
    }

    mutating func read() throws(SignatureFileError) -> Signature {
        guard let obj = raw.object else {
            throw fail(nil, nil, "must be an object {\"name\": …, \"kind\": …, …}")
        }
        object = obj
        var s = Signature()

        // Name first, so later errors can name the entry.
        guard let nameValue = obj["name"] else { throw fail("name", nil, "missing; every entry needs a snake_case name") }
        guard let name = nameValue.string else { throw fail("name", nameValue, "must be a string") }
        let allowed = name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
        guard !name.isEmpty, name.utf8.count <= 31, allowed else {
            throw fail("name", nameValue, "must be 1–31 characters of a–z, 0–9 and _")
        }
        entryName = name
        s.name = SignatureName(string: name)

        for key in obj.keys where !SignatureField.ordered.contains(key) {
            throw fail(key, nil, SignatureFile.unknownField(key, known: SignatureField.ordered))
        }
        for key in SignatureField.ordered where SignatureField.required.contains(key) && obj[key] == nil {
            throw fail(key, nil, "missing (required)")
        }

        let kindValue = obj["kind"]!
        switch kindValue.string {
        case "impulsive": s.kind = .impulsive
        case "sustained": s.kind = .sustained
        default: throw fail("kind", kindValue, "must be \"impulsive\" or \"sustained\"")
        }

        let template = try numbers("band_template_db", count: 8, range: -120...0)
        let tolerance = try numbers("band_tolerance_db", count: 8, range: 0...60)
        for k in 0..<8 {
            s.bandTemplate[k] = q88(template[k])
            s.bandTolerance[k] = q88(tolerance[k])
        }
        s.maxBandError = q88(try number("max_band_error_db", range: 0...60)!)

        if obj["tonal_hz"] != nil {
            let tones = try numbers("tonal_hz", count: nil, range: 1...24_000)
            guard tones.count <= 8 else { throw fail("tonal_hz", obj["tonal_hz"], "at most 8 frequencies") }
            for (j, f) in tones.enumerated() { s.tonalHz[j] = Int32(f.rounded()) }
        }
        if let x = try number("min_tonality_db", range: -60...20, nullable: true) { s.minTonality = q88(x) }
        if let x = try number("max_tonality_db", range: -60...20, nullable: true) { s.maxTonality = q88(x) }
        if s.minTonality != Signature.off && s.maxTonality != Signature.offMax && s.minTonality > s.maxTonality {
            throw fail("max_tonality_db", obj["max_tonality_db"], "must be ≥ min_tonality_db (\(db(s.minTonality)))")
        }
        if obj["sweep_bins"] != nil {
            let pair = try numbers("sweep_bins", count: 2, range: 0...16, integral: true)
            if pair[1] > 0 && pair[0] > pair[1] {
                throw fail("sweep_bins", obj["sweep_bins"], "[min, max] needs min ≤ max (or max 0 = no maximum)")
            }
            s.minSweepBins = Int8(pair[0])
            s.maxSweepBins = Int8(pair[1])
        }
        try readPitch(into: &s)
        if let x = try number("min_rise_db_per_ms", range: 0...100, nullable: true) { s.minRise = q88(x) }
        if let x = try number("min_crest_db", range: 0...60, nullable: true) { s.minCrest = q88(x) }
        s.minDurationMs = Int32(try number("min_duration_ms", range: 0...3_600_000, integral: true)!)
        s.maxDurationMs = Int32(try number("max_duration_ms", range: 10...3_600_000, integral: true)!)
        if s.maxDurationMs < s.minDurationMs {
            throw fail("max_duration_ms", obj["max_duration_ms"], "must be ≥ min_duration_ms (\(s.minDurationMs))")
        }
        if let x = try number("decay_db", range: 1...60) { s.decayDrop = q88(x) }
        if let x = try number("max_decay_ms", range: 0...3_600_000, integral: true) { s.maxDecayMs = Int32(x) }
        if let x = try number("max_hold_ms", range: 0...3_600_000, integral: true) { s.maxHoldMs = Int32(x) }
        if let x = try number("min_transients", range: 1...1_000, integral: true) { s.minTransients = Int16(x) }
        if obj["repetition_hz"] != nil {
            let pair = try numbers("repetition_hz", count: 2, range: 0...100)
            if pair[1] > 0 && pair[0] > pair[1] {
                throw fail("repetition_hz", obj["repetition_hz"], "[min, max] needs min ≤ max (or max 0 = no maximum)")
            }
            s.minRepetition = q88(pair[0])
            s.maxRepetition = q88(pair[1])
        }
        if let x = try number("gap_ms", range: 0...10_000, integral: true) { s.gapMs = Int32(x) }
        if let x = try number("min_match_fraction", range: 0...1) { s.minMatchFraction = q15Share(x) }
        if let x = try number("max_level_drop_db", range: 0...120) { s.maxLevelDrop = q88(x) }
        s.minSNR = q88(try number("min_snr_db", range: -20...100)!)
        if let x = try number("min_level_dbfs", range: -120...10, nullable: true) { s.minLevelDBFS = q88(x) }
        if let x = try number("min_level_db_spl", range: 0...127, nullable: true) { s.minLevelSPL = q88(x) }
        s.minConfidence = u16Confidence(try number("min_confidence", range: 0...1)!)
        s.cooldownMs = Int32(try number("cooldown_ms", range: 0...3_600_000, integral: true)!)
        return s
    }

    /// The pitch-track rules (sustained entries only).
    func readPitch(into s: inout Signature) throws(SignatureFileError) {
        if object["pitch_hz"] != nil {
            let pair = try numbers("pitch_hz", count: 2, range: 0...8_000, integral: true)
            if pair[1] > 0 && !(pair[0] > 0 && pair[0] < pair[1]) {
                throw fail("pitch_hz", object["pitch_hz"], "[min, max] needs 0 < min < max (or [0, 0] = no pitch rule)")
            }
            if pair[1] > 0 && s.kind != .sustained {
                throw fail("pitch_hz", object["pitch_hz"], "a pitch rule needs \"kind\": \"sustained\"")
            }
            s.pitchMinHz = Int16(pair[0])
            s.pitchMaxHz = Int16(pair[1])
        }
        if let x = try number("min_pitch_prominence_db", range: 0...60) { s.minPitchProminence = q88(x) }
        if let x = try number("pitch_step_hz", range: 1...1_000, integral: true) { s.pitchStepHz = Int16(x) }
        if let x = try number("min_pitch_continuity", range: 0...1) { s.minPitchContinuity = q15Share(x) }
        if let x = try number("min_pitch_moving", range: 0...1) { s.minPitchMoving = q15Share(x) }
        if let x = try number("min_pitch_span", range: 1...8, nullable: true) { s.minPitchSpan = q88(x) }
    }

    /// A number field; nil when absent (or null and `nullable`).
    func number(_ key: String, range: ClosedRange<Double>, integral: Bool = false,
                nullable: Bool = false) throws(SignatureFileError) -> Double? {
        guard let v = object[key] else { return nil }
        if v.isNull {
            if nullable { return nil }
            throw fail(key, v, "must be a number (null is not allowed here)")
        }
        return try check(key, v, v, range: range, integral: integral, what: "")
    }

    /// An array of numbers, optionally of fixed length.
    func numbers(_ key: String, count: Int?, range: ClosedRange<Double>,
                 integral: Bool = false) throws(SignatureFileError) -> [Double] {
        let v = object[key]!
        guard let a = v.array else {
            throw fail(key, v, count.map { "must be an array of \($0) numbers" } ?? "must be an array of numbers")
        }
        if let count, a.count != count {
            throw fail(key, v, "must have exactly \(count) values (has \(a.count))")
        }
        var out: [Double] = []
        for (i, e) in a.enumerated() {
            out.append(try check(key, v, e, range: range, integral: integral, what: "value \(i + 1) "))
        }
        return out
    }

    func check(_ key: String, _ whole: JSONValue, _ v: JSONValue, range: ClosedRange<Double>, integral: Bool,
               what: String) throws(SignatureFileError) -> Double {
        guard let n = v.number else {
            throw fail(key, whole, what + "must be a number")
        }
        let d = n.value
        func show(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
        if !d.isFinite || d < range.lowerBound {
            throw fail(key, whole, what + "must be ≥ \(show(range.lowerBound))")
        }
        if d > range.upperBound {
            throw fail(key, whole, what + "must be ≤ \(show(range.upperBound))")
        }
        if integral && d != d.rounded() {
            throw fail(key, whole, what + "must be a whole number")
        }
        return d
    }
}
