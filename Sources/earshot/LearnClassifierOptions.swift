import EarshotOffline
import ArgumentParser
import EarshotAgent
import EarshotDetection
import EarshotSignatures

/// `earshot learn --classifier`: options and run of the learned-stage training.
struct LearnClassifierOptions: ParsableArguments {
    @Flag(help: "Train the table's learned classifier (all classes of --examples) instead of one entry.")
    var classifier = false

    @Option(help: "Folder of examples: labels.tsv, or one sub-folder of WAV files per class (repeatable).")
    var examples: [String] = []

    @Option(help: "Hidden units of the classifier (1…48).")
    var hidden = 32

    @Option(help: "Training passes over the candidates.")
    var epochs = 60

    @Option(help: "Seed of the initial weights and shuffles (same seed, same data → same table).")
    var seed: UInt64 = 14

    @Option(name: .customLong("gate-snr"), help: "dB a band must stand over its background to open a candidate (the gate; 1…60).")
    var gateSNR: Double = 8

    @Option(name: .customLong("gate-jump"), help: "dB rise within 4 hops (40 ms) that opens a candidate while the street is still loud from the last one (1…60).")
    var gateJump: Double = 12

    func validate(files: [String], className: String, allow: Double, background: [String]) throws {
        if !className.isEmpty { throw ValidationError("--classifier learns every class of --examples; drop --class \(className)") }
        if !files.isEmpty { throw ValidationError("--classifier takes --examples FOLDER, not files: \(files[0])") }
        if examples.isEmpty { throw ValidationError("--classifier needs --examples FOLDER") }
        if background.isEmpty { throw ValidationError("--classifier needs --background recordings of the site's ordinary sound") }
        if hidden < 1 || hidden > CandidateClassifier.maxHidden { throw ValidationError("--hidden \(hidden): give 1…\(CandidateClassifier.maxHidden)") }
        if epochs < 1 || epochs > 10_000 { throw ValidationError("--epochs \(epochs): give 1…10000") }
        if !gateSNR.isFinite || gateSNR < 1 || gateSNR > 60 { throw ValidationError("--gate-snr \(gateSNR): give dB, 1…60") }
        if !gateJump.isFinite || gateJump < 1 || gateJump > 60 { throw ValidationError("--gate-jump \(gateJump): give dB, 1…60") }
        if !allow.isFinite || allow < 0 || allow > 3_600 { throw ValidationError("--background-allow \(allow): give false alarms per hour, 0…3600") }
    }

    func run(table: String?, output: String?, background: [String], allow: Double) throws {
        let base = try table.map(loadOrExit) ?? DefaultSignatures.table
        var input = ClassifierLearningInput()
        input.exampleFolders = examples
        input.background = background
        input.allowPerHour = allow > 0 ? allow : 3
        input.options.hidden = hidden
        input.options.epochs = epochs
        input.options.seed = seed
        input.gate.onSNR = Int16((gateSNR * 256).rounded())
        input.gate.jumpSNR = Int16((gateJump * 256).rounded())
        input.gate.offSNR = min(input.gate.offSNR, Int16((gateSNR / 2 * 256).rounded()))
        let (learned, report): (SignatureTable, ClassifierLearningReport)
        do {
            (learned, report) = try ClassifierLearning.learn(input, base: base) { tableStderr($0 + "\n") }
        } catch {
            tableStderr("\(error)\n")
            throw ExitCode(1)
        }
        for s in report.skippedFiles { tableStderr("skipped: \(s)\n") }
        for l in report.lines {
            tableStderr("learn: \(l.name): \(l.trainExamples) trained, held back \(l.heldBackDetected)/\(l.heldBackExamples) detected, " +
                        "\(l.backgroundFalseAlarms) false alarms in held-back background, threshold \(l.threshold) logits\n")
        }
        let text = SignatureFile.encode(learned)
        do { _ = try SignatureFile.parse(text, fileName: output ?? "<stdout>") } catch {
            tableStderr("learn: the learned classifier is invalid: \(error)\n")
            throw ExitCode(1)
        }
        if let output {
            do { try SignatureFile.save(learned, to: output) } catch {
                tableStderr("\(error)\n")
                throw ExitCode(1)
            }
            tableStderr("\(output): classifier with \(report.lines.count) classes\n")
        } else {
            print(text, terminator: "")
        }
    }
}
