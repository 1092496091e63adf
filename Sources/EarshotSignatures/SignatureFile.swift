// The signature-table file: versioned JSON, one entry per class.
//
//   { "version": 1,
//     "entries": [ { "name": "car_horn", "kind": "sustained", … }, … ] }
//
// Field list, units and ranges: SignatureFields.swift (`earshot table show --fields`).
import EarshotDetection
import EarshotPlatform
import EarshotJSON

/// Reads, validates and writes signature-table files (JSON, "version": 1).
/// Units in the file: dB, dB/ms, ms, Hz, confidence in [0, 1].
public enum SignatureFile {
    /// Loads and validates the table at `path`.
    /// - Throws: `SignatureFileError` naming the file, entry, field and value.
    public static func load(path: String) throws(SignatureFileError) -> SignatureTable {
        let bytes = try TableFileIO.read(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SignatureFileError(file: path, reason: "not UTF-8 text; save the table as UTF-8 JSON")
        }
        return try parse(text, fileName: path)
    }

    /// Writes the canonical encoding of `table` to `path` atomically (a temporary file
    /// renamed over `path`), so a reader never sees half a table.
    /// - Throws: `SignatureFileError` naming the file and the system's reason.
    public static func save(_ table: SignatureTable, to path: String) throws(SignatureFileError) {
        try TableFileIO.replace(path, with: encode(table))
    }

    /// Parses and validates `text`; `fileName` is used in error messages.
    public static func parse(_ text: String, fileName: String) throws(SignatureFileError) -> SignatureTable {
        let root: JSONValue
        do {
            root = try JSONReader.parse(text)
        } catch {
            throw SignatureFileError(file: fileName, reason: "not valid JSON (\(error))")
        }
        guard let top = root.object else {
            throw SignatureFileError(file: fileName, reason: "the top level must be an object {\"version\": 1, \"entries\": [...]}")
        }
        for key in top.keys where key != "version" && key != "entries" && key != "classifier" {
            throw SignatureFileError(file: fileName, field: key,
                                     reason: unknownField(key, known: ["version", "entries", "classifier"], what: "unknown top-level field",
                                                          list: "expected \"version\", \"entries\" and optionally \"classifier\""))
        }
        guard let versionValue = top["version"] else {
            throw SignatureFileError(file: fileName, field: "version", reason: "missing; add \"version\": 1")
        }
        guard let version = versionValue.number, version.value == 1 else {
            throw SignatureFileError(file: fileName, field: "version", value: render(versionValue),
                                     reason: "unsupported; this build reads version \(SignatureTable.schemaVersion)")
        }
        guard let entries = top["entries"]?.array else {
            throw SignatureFileError(file: fileName, field: "entries", reason: "missing or not an array of entry objects")
        }
        guard entries.count <= SignatureTable.capacity else {
            throw SignatureFileError(file: fileName, field: "entries", value: "\(entries.count) entries",
                                     reason: "at most \(SignatureTable.capacity) entries fit; remove some")
        }
        var table = SignatureTable()
        var names = Set<String>()
        var customCount: UInt8 = 0
        for (index, raw) in entries.enumerated() {
            var reader = EntryReader(file: fileName, index: index, raw: raw)
            var s = try reader.read()
            let name = s.name.string
            if names.contains(name) {
                throw SignatureFileError(file: fileName, entry: name, field: "name", value: "\"\(name)\"",
                                         reason: "duplicate entry; each class appears once")
            }
            names.insert(name)
            if let builtin = SoundClass(builtinName: name) {
                s.soundClass = builtin
            } else {
                s.soundClass = .custom(customCount)
                customCount += 1
            }
            table.append(s)
        }
        if let block = top["classifier"] {
            let entries = table
            table.classifier = try ClassifierBlock.parse(block, file: fileName) { name in
                if let i = entries.index(named: SignatureName(string: name)) { return entries[i].soundClass }
                return SoundClass(builtinName: name)
            }
        }
        return table
    }

    /// Every entry field with its meaning, unit and range, in file order.
    public static var fieldHelp: [(field: String, meaning: String)] { SignatureField.help.map { ($0.0, $0.1) } }

    /// The canonical JSON text of `table` (stable key order, one entry per
    /// block, arrays on one line). `parse(encode(t)) == t`.
    public static func encode(_ table: SignatureTable) -> String {
        var out = "{\n  \"version\": \(SignatureTable.schemaVersion),\n  \"entries\": ["
        for i in 0..<table.count {
            out += i == 0 ? "\n" : ",\n"
            out += encodeEntry(table[i])
        }
        out += table.count == 0 ? "]" : "\n  ]"
        if let model = table.classifier {
            out += ",\n  \"classifier\": " + ClassifierBlock.encode(model) { table.className(of: $0) }
        }
        return out + "\n}\n"
    }

    static func encodeEntry(_ s: Signature) -> String {
        func num(_ x: Double) -> String {
            x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
        }
        func dbOrNull(_ q: Int16, off: Int16) -> String { q == off ? "null" : num(db(q)) }
        func list(_ xs: [Double]) -> String { "[" + xs.map(num).joined(separator: ", ") + "]" }
        let tonal = (0..<8).map { Double(s.tonalHz[$0]) }.filter { $0 > 0 }
        let values: [String: String] = [
            "name": "\"\(s.name.string)\"",
            "kind": s.kind == .impulsive ? "\"impulsive\"" : "\"sustained\"",
            "band_template_db": list((0..<8).map { db(s.bandTemplate[$0]) }),
            "band_tolerance_db": list((0..<8).map { db(s.bandTolerance[$0]) }),
            "max_band_error_db": num(db(s.maxBandError)),
            "tonal_hz": list(tonal),
            "min_tonality_db": dbOrNull(s.minTonality, off: Signature.off),
            "max_tonality_db": dbOrNull(s.maxTonality, off: Signature.offMax),
            "sweep_bins": list([Double(s.minSweepBins), Double(s.maxSweepBins)]),
            "pitch_hz": list([Double(s.pitchMinHz), Double(s.pitchMaxHz)]),
            "min_pitch_prominence_db": num(db(s.minPitchProminence)),
            "pitch_step_hz": num(Double(s.pitchStepHz)),
            "min_pitch_continuity": num(shortestDecimal(s.minPitchContinuity, scale: 32_768, decode: q15Share)),
            "min_pitch_moving": num(shortestDecimal(s.minPitchMoving, scale: 32_768, decode: q15Share)),
            "min_pitch_span": s.minPitchSpan == 0 ? "null" : num(db(s.minPitchSpan)),
            "min_rise_db_per_ms": dbOrNull(s.minRise, off: Signature.off),
            "min_crest_db": dbOrNull(s.minCrest, off: Signature.off),
            "min_duration_ms": num(Double(s.minDurationMs)),
            "max_duration_ms": num(Double(s.maxDurationMs)),
            "decay_db": num(db(s.decayDrop)),
            "max_decay_ms": num(Double(s.maxDecayMs)),
            "max_hold_ms": num(Double(s.maxHoldMs)),
            "min_transients": num(Double(s.minTransients)),
            "repetition_hz": list([db(s.minRepetition), db(s.maxRepetition)]),
            "gap_ms": num(Double(s.gapMs)),
            "min_match_fraction": num(shortestDecimal(s.minMatchFraction, scale: 32_768, decode: q15Share)),
            "max_level_drop_db": num(db(s.maxLevelDrop)),
            "min_snr_db": num(db(s.minSNR)),
            "min_level_dbfs": dbOrNull(s.minLevelDBFS, off: Signature.off),
            "min_level_db_spl": dbOrNull(s.minLevelSPL, off: Signature.off),
            "min_confidence": num(shortestDecimal(s.minConfidence, scale: 65_535, decode: u16Confidence)),
            "cooldown_ms": num(Double(s.cooldownMs)),
        ]
        let lines = SignatureField.ordered.map { "      \"\($0)\": \(values[$0]!)" }
        return "    {\n" + lines.joined(separator: ",\n") + "\n    }"
    }

    /// The reason for an unknown field `key`: `what`, the closest of `known` when it
    /// looks like a typo (`; did you mean "min_duration_ms"?`, as the configuration
    /// reader says it), then `list` (default: `known fields: …`).
    static func unknownField(_ key: String, known: [String], what: String = "unknown field", list: String? = nil) -> String {
        let list = list ?? "known fields: " + known.joined(separator: ", ")
        guard let hint = NameSuggestion.closest(key, in: known) else { return "\(what); \(list)" }
        return "\(what); did you mean \"\(hint)\"? " + list.prefix(1).uppercased() + list.dropFirst()
    }

    /// A file value as the user wrote it (numbers by their literal), for error messages.
    static func render(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n.literal
        case .string(let s): return "\"\(s)\""
        case .array(let a): return "[" + a.map(render).joined(separator: ", ") + "]"
        case .object: return "{…}"
        }
    }
}
