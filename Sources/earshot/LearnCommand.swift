import EarshotOffline
import ArgumentParser
import EarshotAgent
import EarshotDSP
import EarshotDetection
import EarshotSignatures

/// `earshot learn`: builds or refines a table entry from labelled recordings.
struct LearnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn",
        abstract: "Build or refine a class's table entry from example recordings.",
        discussion: """
            Each FILE is a WAV recording holding one example of the class (the loudest \
            region above the file's background is taken as the event); a DIR gives its *.wav \
            files, walked recursively in sorted order as by earshot analyze. The entry's spectral \
            template, tonal frequencies, durations and thresholds are measured from the \
            examples; an existing entry of the same name in --table is refined (its kind, \
            thresholds and cooldown are kept). The whole table is written to --output \
            (default: stdout). Check the result with: earshot table check FILE.

            With --background (recordings of the street's ordinary sound, without the class), \
            the entry is run over them and made stricter step by step (higher SNR, narrower \
            band tolerances, longer minimum duration for sustained sounds) until it stays \
            quiet there (or fires at most --background-allow times per hour), as long as it \
            still detects three quarters of the examples it detected as learned. The firings \
            before and after are printed.

            Examples:
              earshot learn --class bus_door --output signatures.json door1.wav door2.wav
              earshot learn --class car_horn --table signatures.json --output signatures.json horn*.wav
              earshot learn --class bus_door --background street/ --output signatures.json door*.wav

            With --classifier, trains the table's learned decision stage instead: a small \
            integer network that decides the class of every candidate sound (a band standing \
            8 dB over its background) from 64 features of its first second. --examples folders \
            hold labels.tsv (file, class, onset_s, offset_s) or one sub-folder of WAV files per \
            class; --background recordings hold none of the classes and set the thresholds \
            (--background-allow false alarms per hour in total, default 3 with --classifier).
              earshot learn --classifier --examples augmented/events --background street/ --output signatures.json
            """)

    @Option(name: .customLong("class"), help: "Class name (snake_case); a built-in name refines that class.")
    var className: String = ""

    @OptionGroup(title: "Learned classifier (--classifier)")
    var classifierOptions: LearnClassifierOptions

    @Option(help: "Table to start from (default: the built-in table).")
    var table: String?

    @Option(help: "Where to write the new table (default: stdout).")
    var output: String?

    @Option(name: .customLong("background"),
            help: "A recording, or a folder of .wav recordings, of the site's ordinary sound without the class (repeatable).")
    var background: [String] = []

    @Option(name: .customLong("background-allow"),
            help: "Firings per hour of background the entry may keep (default 0).")
    var backgroundAllow: Double = 0

    @Argument(help: "WAV recordings, one example each, or folders of them (their *.wav files).")
    var files: [String] = []

    func validate() throws {
        if classifierOptions.classifier {
            try classifierOptions.validate(files: files, className: className, allow: backgroundAllow, background: background)
            return
        }
        if className.isEmpty { throw ValidationError("give --class NAME (or --classifier to train the learned stage)") }
        if files.isEmpty { throw ValidationError("give at least one example WAV file or folder") }
        let ok = className.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
        if className.isEmpty || className.utf8.count > 31 || !ok {
            throw ValidationError("--class '\(className)': use 1–31 characters of a–z, 0–9 and _")
        }
        if !backgroundAllow.isFinite || backgroundAllow < 0 || backgroundAllow > 3_600 {
            throw ValidationError("--background-allow \(backgroundAllow): give firings per hour, 0…3600")
        }
    }

    func run() throws {
        if classifierOptions.classifier {
            try classifierOptions.run(table: table, output: output, background: background, allow: backgroundAllow)
            return
        }
        var signatures = try table.map(loadOrExit) ?? DefaultSignatures.table
        var learner: SignatureLearner?
        var exampleFrames: [[FeatureFrame]] = []
        var examplePaths: [String] = []
        var failed = false
        for input in expandOfflineInputs(files) {
            let path: String
            switch input {
            case .file(let p): path = p
            case .note(let message):
                tableStderr("learn: \(message)\n")
                continue
            case .unusable(let reason):
                tableStderr("\(reason)\n")
                failed = true
                continue
            }
            do {
                let (config, frames) = try wavFrames(path)
                if learner == nil { learner = SignatureLearner(config: config) }
                guard config.sampleRate == learner!.config.sampleRate else {
                    tableStderr("\(path): sample rate \(config.sampleRate) Hz differs from the first example's " +
                          "\(learner!.config.sampleRate) Hz; learn from one rate at a time\n")
                    failed = true
                    continue
                }
                if let ex = learner!.add(frames: frames) {
                    exampleFrames.append(frames)
                    examplePaths.append(path)
                    tableStderr("\(path): event \(decimals(Double(ex.firstHop) / 100, 2))–" +
                          "\(decimals(Double(ex.lastHop + 1) / 100, 2)) s, peak " +
                          "\(decimals(ex.peakDBFS, 1)) dBFS over \(decimals(ex.backgroundDBFS, 1)) dBFS\n")
                } else {
                    tableStderr("\(path): no sound 6 dB above the background; skipped\n")
                }
            } catch {
                tableStderr("\(error)\n")
                failed = true
            }
        }
        guard let learner, !learner.examples.isEmpty else {
            tableStderr("learn: no usable example; nothing written\n")
            throw ExitCode(1)
        }
        let name = SignatureName(string: className)
        let base = signatures.index(named: name).map { signatures[$0] }
        var learned = learner.signature(name: className, refining: base)
        if !background.isEmpty {
            learned = try calibrated(learned, learner: learner, examples: exampleFrames, failed: &failed)
        }
        reportExamples(learned, learner: learner, frames: exampleFrames, paths: examplePaths)
        guard signatures.upsert(learned) else {
            tableStderr("learn: the table already holds \(SignatureTable.capacity) entries; remove one first\n")
            throw ExitCode(1)
        }
        let text = SignatureFile.encode(signatures)
        // Prove the written file loads (validation is the reader's job).
        do { _ = try SignatureFile.parse(text, fileName: output ?? "<stdout>") } catch {
            tableStderr("learn: the learned entry is invalid: \(error)\n")
            throw ExitCode(1)
        }
        if let output {
            do { try SignatureFile.save(signatures, to: output) } catch {
                tableStderr("\(error)\n")
                throw ExitCode(1)
            }
            tableStderr("\(output): \(base == nil ? "added" : "refined") entry \"\(className)\" from \(learner.examples.count) example(s)\n")
        } else {
            print(text, terminator: "")
        }
        if failed { throw ExitCode(1) }
    }
}

extension LearnCommand {
    /// The feature frames of one WAV file, and the configuration they were analysed with.
    func wavFrames(_ path: String) throws -> (AnalysisConfig, [FeatureFrame]) {
        let source = try OfflineFrameSource(path: path)
        var frames: [FeatureFrame] = []
        try source.forEachFrame { frames.append($0) }
        return (source.config, frames)
    }

    /// Says on which of its own examples the written entry fires, and names the others.
    func reportExamples(_ s: Signature, learner: SignatureLearner, frames: [[FeatureFrame]], paths: [String]) {
        let calibrator = SignatureCalibrator(config: learner.config)
        let silent = zip(frames, paths).filter { calibrator.firings(of: s, in: $0.0) == 0 }.map(\.1)
        tableStderr("learn: \(className): the entry fires on \(frames.count - silent.count) of its \(frames.count) example(s)\n")
        if !silent.isEmpty {
            tableStderr("learn: \(className): silent on \(silent.joined(separator: ", ")). A recording that starts " +
                        "with the sound gives the detector no street level to measure it against: keep a second or " +
                        "more of the ordinary sound before the event\n")
        }
    }

    /// The entry tightened against the --background recordings (SignatureCalibrator).
    func calibrated(_ s: Signature, learner: SignatureLearner, examples: [[FeatureFrame]],
                    failed: inout Bool) throws -> Signature {
        var frames: [[FeatureFrame]] = []
        for input in expandOfflineInputs(background) {
            switch input {
            case .unusable(let reason):
                tableStderr("\(reason)\n")
                failed = true
            case .note(let message):
                tableStderr("learn: \(message)\n")
            case .file(let path):
                do {
                    let (config, f) = try wavFrames(path)
                    guard config.sampleRate == learner.config.sampleRate else {
                        tableStderr("\(path): sample rate \(config.sampleRate) Hz differs from the examples' " +
                                    "\(learner.config.sampleRate) Hz; skipped\n")
                        failed = true
                        continue
                    }
                    frames.append(f)
                } catch {
                    tableStderr("\(error)\n")
                    failed = true
                }
            }
        }
        guard !frames.isEmpty else {
            tableStderr("learn: --background gave no usable recording; nothing written\n")
            throw ExitCode(1)
        }
        let calibrator = SignatureCalibrator(config: learner.config)
        let hopSeconds = Double(learner.config.hopSamples) / Double(learner.config.sampleRate)
        let hours = Double(frames.reduce(0) { $0 + $1.count }) * hopSeconds / 3_600
        let allowed = Int((backgroundAllow * hours).rounded(.down))
        let outcome = calibrator.calibrate(s, examples: examples, background: frames, allowedFirings: allowed,
                                           shortestExampleMs: learner.examples.map(\.durationMs).min())
        let a = outcome.learned, b = outcome.chosen
        tableStderr("learn: \(className): \(decimals(outcome.backgroundSeconds, 1)) s of background: " +
                    "\(a.backgroundFirings) firing(s) as learned, \(b.backgroundFirings) at strictness \(b.level) " +
                    "(min_snr_db \(decimals(Double(s.minSNR) / 256, 1)) → \(decimals(Double(outcome.signature.minSNR) / 256, 1)), " +
                    "min_duration_ms \(s.minDurationMs) → \(outcome.signature.minDurationMs)); " +
                    "examples detected \(a.examplesDetected)/\(examples.count) → \(b.examplesDetected)/\(examples.count)\n")
        if !outcome.quiet {
            tableStderr("learn: \(className): could not get within \(allowed) background firing(s) without losing " +
                        "more than a quarter of the examples; the entry written is the quietest that keeps them. " +
                        "Add examples, or check that the background holds no \(className)\n")
        }
        return outcome.signature
    }
}

/// `x` with exactly `digits` decimals (0…6), rounded half away from zero, no exponent
/// (what `String(format: "%.Nf")` printed, without Foundation).
func decimals(_ x: Double, _ digits: Int) -> String {
    guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
    var scale: Int64 = 1
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(x) * Double(scale)).rounded()
    guard scaled < 9e18 else { return String(x) }
    let units = Int64(scaled)
    let sign = x < 0 && units != 0 ? "-" : ""
    guard digits > 0 else { return sign + String(units) }
    let frac = String(units % scale)
    return sign + String(units / scale) + "." + String(repeating: "0", count: digits - frac.count) + frac
}
