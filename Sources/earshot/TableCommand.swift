import ArgumentParser
import EarshotDSP
import EarshotDetection
import EarshotSignatures

/// `earshot table show|check`: the signature table.
struct TableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "table",
        abstract: "Show or check a signature table (the sound classes earshot recognises).",
        discussion: """
            The table is a JSON file {"version": 1, "entries": [...]} with one entry per class. \
            Start from the built-in one: earshot table show > signatures.json, edit it, \
            check it with earshot table check signatures.json, then pass --table to analyze/run.
            """,
        subcommands: [Show.self, Check.self])

    /// Prints a table in canonical form (the built-in table without FILE).
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the built-in table, or FILE in canonical form.",
            discussion: "Examples:\n  earshot table show > signatures.json\n  earshot table show --fields")

        @Argument(help: "Table file (default: the table built into earshot).")
        var file: String?

        @Flag(help: "Print the meaning, unit and range of every entry field instead.")
        var fields = false

        func run() throws {
            if fields {
                for (key, text) in SignatureFile.fieldHelp {
                    print(key + String(repeating: " ", count: max(0, 20 - key.count)) + " " + text)
                }
                return
            }
            guard let file else { print(DefaultSignatures.json, terminator: ""); return }
            print(SignatureFile.encode(try loadOrExit(file)), terminator: "")
        }
    }

    /// Validates a table and reports what each entry resolves to.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate FILE; exit 2 (configuration) with one line naming entry, field and value if it is invalid.",
            discussion: """
                Also reports, for 16 kHz and 48 kHz analysis, entries whose tonal frequencies \
                match no configured Goertzel bin (within ±12 %) or that need a calibration \
                (min_level_db_spl without min_level_dbfs): such entries never fire.
                """)

        @Argument(help: "Table file to check.")
        var file: String

        func run() throws {
            let table = try loadOrExit(file)
            var names: [String] = []
            for i in 0..<table.count { names.append(table[i].name.string) }
            print("\(file): ok, \(table.count) entries: \(names.joined(separator: ", "))")
            let gate = AnalysisConfig().pitchGateSnrDb
            for i in 0..<table.count where table[i].pitchMaxHz > 0 && Double(table[i].minSNR) / 256 < gate {
                print("\(file): entry \"\(names[i])\": min_snr_db \(Double(table[i].minSNR) / 256) is below the pitch " +
                      "estimator's gate (\(gate) dB over background in 500 Hz–2 kHz): hops in between carry no pitch")
            }
            for rate: Int32 in [16_000, 48_000] {
                let engine = DetectionEngine(table: table, config: AnalysisConfig(sampleRate: rate))
                for i in 0..<table.count where !engine.isActive(entry: i) {
                    print("\(file): entry \"\(names[i])\": inactive at \(rate) Hz without calibration " +
                          "(no tonal_hz within ±12 % of a Goertzel bin, or min_level_db_spl needs a calibrated board)")
                }
            }
        }
    }
}

/// Loads `path` or prints the one-line error on stderr and exits 2 (configuration, as every command).
func loadOrExit(_ path: String) throws -> SignatureTable {
    do { return try SignatureFile.load(path: path) } catch {
        tableStderr("\(error)\n")
        throw ExitCode(2)
    }
}

/// Writes `text` to standard error (table and learn commands).
func tableStderr(_ text: String) {
    writeStderr(text)
}
