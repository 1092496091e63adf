// `earshot learn --classifier`: recordings → candidates → trained, quantised
// and calibrated classifier in a signature table.
//
// Examples: folders holding `labels.tsv` (tab-separated with a header: file,
// class, onset_s, offset_s; file relative to the folder), or `reference.txt`
// (the DCASE event list `make eval`'s mixer and `make augment` write: file,
// onset, offset, class, no header; several events per file allowed), or one
// sub-folder per class of WAV files with one event each. With labels, the
// first candidate opening within −0.5 … +1.0 s of a labelled onset is that
// class; other candidates overlapping an event (±0.5 s) are not used;
// candidates away from every event are "none". Without labels, a file's
// strongest candidate (largest SNR over background) is the class.
// Background: WAV files or folders of the site's ordinary sound; all their
// candidates are "none". Every 4th background file (sorted) and every 5th
// example are held back from training to set the thresholds and report recall.
import EarshotAudio
import EarshotDSP
import EarshotDetection
import EarshotPlatform
import EarshotSignatures
import EarshotText
#if canImport(Glibc)
import Glibc
#endif

/// Inputs of a classifier learning run.
public struct ClassifierLearningInput: Sendable {
    /// Example folders (labels.tsv or class sub-folders).
    public var exampleFolders: [String] = []
    /// Background recordings or folders of them.
    public var background: [String] = []
    /// False alarms per hour of background the thresholds may allow in total.
    public var allowPerHour: Double = 3
    /// Training hyper-parameters.
    public var options = ClassifierTrainingOptions()
    /// Gate the candidates are opened with.
    public var gate = CandidateGate()
    public init() {}
}

/// What a run measured, per class (on the held-back examples and background).
public struct ClassifierLearningReport: Sendable {
    public struct ClassLine: Sendable {
        public var name: String
        public var trainExamples: Int
        public var heldBackExamples: Int
        public var heldBackDetected: Int
        public var backgroundFalseAlarms: Int
        public var threshold: Double
    }
    public var lines: [ClassLine] = []
    public var trainNegatives = 0
    /// Labelled events in the examples, and how many of them opened a candidate.
    public var labelledEvents = 0
    public var eventsWithCandidate = 0
    public var calibrationHours = 0.0
    public var skippedFiles: [String] = []
}

/// Errors of a learning run, naming the file or folder.
public struct ClassifierLearningError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ d: String) { description = d }
}

public enum ClassifierLearning {
    /// One labelled event of a recording: class name and span in seconds.
    struct LabelledEvent { var className: String; var onset: Double; var offset: Double }
    /// A labelled recording: path and its events, or (class folders) the class of its strongest candidate.
    struct Labelled { var path: String; var events: [LabelledEvent]; var wholeFileClass: String? }

    /// Runs the whole pipeline and returns `base` with its classifier replaced.
    public static func learn(_ input: ClassifierLearningInput, base: SignatureTable,
                             log: (String) -> Void) throws(ClassifierLearningError) -> (SignatureTable, ClassifierLearningReport) {
        var report = ClassifierLearningReport()
        var labelled: [Labelled] = []
        for folder in input.exampleFolders { labelled += try examples(in: folder) }
        guard !labelled.isEmpty else { throw ClassifierLearningError("learn: no example recordings found in \(input.exampleFolders.joined(separator: ", "))") }
        let backgroundFiles = try wavPaths(input.background, notes: &report.skippedFiles)
        guard !backgroundFiles.isEmpty else { throw ClassifierLearningError("learn: --classifier needs --background recordings (the site's ordinary sound)") }

        // Classes in built-in order, then custom names alphabetically.
        var names = Array(Set(labelled.flatMap { $0.events.map(\.className) + ($0.wholeFileClass.map { [$0] } ?? []) }))
        names.sort { (rank($0), $0) < (rank($1), $1) }
        guard names.count < CandidateClassifier.maxOutputs else {
            throw ClassifierLearningError("learn: \(names.count) classes; the classifier holds at most \(CandidateClassifier.maxOutputs - 1)")
        }
        var classes: [SoundClass] = []
        var kinds: [SignatureKind] = []
        for n in names {
            let named = base.index(named: SignatureName(string: n))
            guard let c = named.map({ base[$0].soundClass }) ?? SoundClass(builtinName: n) else {
                throw ClassifierLearningError("learn: class \"\(n)\" is neither built-in nor an entry of the table; add it with `earshot learn --class \(n)` first")
            }
            classes.append(c)
            kinds.append(named.map { base[$0].kind } ?? defaultKind(c))
        }

        let harvest = CandidateHarvest(gate: input.gate)
        var train: [ClassifierExample] = []
        var heldBack: [(CandidateFeatures, Int)] = []
        var config: AnalysisConfig?
        for (n, ex) in labelled.enumerated() {
            let found: (config: AnalysisConfig, seconds: Double, candidates: [HarvestedCandidate])
            do { found = try harvest.candidates(in: ex.path) } catch {
                report.skippedFiles.append("\(error)")
                continue
            }
            if config == nil { config = found.config }
            guard found.config.sampleRate == config!.sampleRate else {
                report.skippedFiles.append("\(ex.path): \(found.config.sampleRate) Hz; the first example is \(config!.sampleRate) Hz")
                continue
            }
            let isHeldBack = n % 5 == 4
            func keep(_ f: CandidateFeatures, _ label: Int) {
                if isHeldBack { if label > 0 { heldBack.append((f, label)) } } else {
                    train.append(ClassifierExample(f, label: label))
                }
            }
            if let whole = ex.wholeFileClass {
                let best = found.candidates.indices.max { found.candidates[$0].features.values[32] < found.candidates[$1].features.values[32] }
                if let b = best { keep(found.candidates[b].features, names.firstIndex(of: whole)! + 1) }
                report.labelledEvents += 1
                if best != nil { report.eventsWithCandidate += 1 }
                continue
            }
            var used = Set<Int>()
            for e in ex.events {
                report.labelledEvents += 1
                guard let p = found.candidates.indices.first(where: {
                    !used.contains($0) && found.candidates[$0].onsetSeconds >= e.onset - 0.5 && found.candidates[$0].onsetSeconds <= e.onset + 1.0
                }) else { continue }
                used.insert(p)
                report.eventsWithCandidate += 1
                keep(found.candidates[p].features, names.firstIndex(of: e.className)! + 1)
            }
            for (i, c) in found.candidates.enumerated() where !used.contains(i) {
                let overlaps = ex.events.contains { c.onsetSeconds >= $0.onset - 0.5 && c.onsetSeconds <= $0.offset + 0.5 }
                if !overlaps && !isHeldBack { train.append(ClassifierExample(c.features, label: 0)) }
            }
        }
        guard let config else { throw ClassifierLearningError("learn: no example could be read:\n" + report.skippedFiles.joined(separator: "\n")) }
        var calibration: [CandidateFeatures] = []
        for (n, path) in backgroundFiles.enumerated() {
            do {
                let found = try harvest.candidates(in: path)
                if n % 4 == 3 {
                    calibration += found.candidates.map(\.features)
                    report.calibrationHours += found.seconds / 3_600
                } else {
                    train += found.candidates.map { ClassifierExample($0.features, label: 0) }
                }
            } catch {
                report.skippedFiles.append("\(error)")
            }
        }
        report.trainNegatives = train.filter { $0.label == 0 }.count
        for (k, n) in names.enumerated() where !train.contains(where: { $0.label == k + 1 }) {
            throw ClassifierLearningError("learn: no candidate of class \"\(n)\" in its examples (too quiet over their background?)")
        }
        log("learn: \(report.eventsWithCandidate) of \(report.labelledEvents) labelled events open a candidate (the gate's recall ceiling)")
        log("learn: \(train.count) training candidates (\(report.trainNegatives) none), \(heldBack.count) held-back examples, " +
            "\(calibration.count) held-back background candidates over \(FixedDecimal.string(report.calibrationHours, 2)) h")

        var model = ClassifierTrainer.train(train, classes: classes, kinds: kinds,
                                            binHz: CandidateClassifier.binHz(for: config), gate: input.gate,
                                            options: input.options)
        ClassifierCalibration.setThresholds(&model, background: calibration, hours: max(report.calibrationHours, 1e-6),
                                            allowPerHour: input.allowPerHour)
        for (k, n) in names.enumerated() {
            let out = k + 1
            let mine = heldBack.filter { $0.1 == out }
            let hits = mine.filter { let v = model.classify($0.0); return v.reported && v.output == out }.count
            let fas = calibration.filter { let v = model.classify($0); return v.reported && v.output == out }.count
            report.lines.append(.init(name: n, trainExamples: train.filter { $0.label == out }.count,
                                      heldBackExamples: mine.count, heldBackDetected: hits, backgroundFalseAlarms: fas,
                                      threshold: Double(model.thresholds[out]) / Double(model.logitUnit)))
        }
        var table = base
        table.classifier = model
        return (table, report)
    }

    static func rank(_ name: String) -> Int {
        SoundClass(builtinName: name).map { Int($0.rawValue) } ?? 1_000
    }

    static func defaultKind(_ c: SoundClass) -> SignatureKind {
        c == .gunshot || c == .explosion || c == .glassBreak || c == .loudImpulse ? .impulsive : .sustained
    }

    /// Example recordings of one folder.
    static func examples(in folder: String) throws(ClassifierLearningError) -> [Labelled] {
        let labels = folder + "/labels.tsv"
        if let text = try readText(labels) {
            var rows = text.split(separator: "\n", omittingEmptySubsequences: true).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
            guard let header = rows.first else { throw ClassifierLearningError("\(labels): empty; expected a header line file<TAB>class<TAB>onset_s<TAB>offset_s") }
            rows.removeFirst()
            func column(_ name: String) throws(ClassifierLearningError) -> Int {
                guard let i = header.firstIndex(of: name) else { throw ClassifierLearningError("\(labels): no column \"\(name)\" in the header") }
                return i
            }
            let (fi, ci, oi, ei) = (try column("file"), try column("class"), try column("onset_s"), try column("offset_s"))
            var triples: [(String, LabelledEvent)] = []
            for (n, r) in rows.enumerated() {
                guard r.count > max(fi, ci, oi, ei), let on = Double(r[oi]), let off = Double(r[ei]), on.isFinite, off >= on else {
                    throw ClassifierLearningError("\(labels): line \(n + 2): expected file, class and numeric onset_s ≤ offset_s")
                }
                triples.append((r[fi], LabelledEvent(className: r[ci], onset: on, offset: off)))
            }
            return grouped(triples, folder: folder)
        }
        let reference = folder + "/reference.txt"
        if let text = try readText(reference) {
            var triples: [(String, LabelledEvent)] = []
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
                let r = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                if r.count == 1 { continue }                       // a file with no event
                guard r.count == 4, let on = Double(r[1]), let off = Double(r[2]), on.isFinite, off >= on else {
                    throw ClassifierLearningError("\(reference): line \(n + 1): expected file<TAB>onset<TAB>offset<TAB>class (DCASE), onset ≤ offset")
                }
                triples.append((r[0], LabelledEvent(className: r[3], onset: on, offset: off)))
            }
            return grouped(triples, folder: folder)
        }
        var out: [Labelled] = []
        // One sub-folder per class: a file's class is the first folder below `folder`
        // (files directly in `folder` and folders named "_…" hold no class).
        var notes: [String] = []
        let base = folder.hasSuffix("/") ? folder : folder + "/"
        for f in try wavPaths([folder], notes: &notes) where f.hasPrefix(base) {
            let parts = f.dropFirst(base.count).split(separator: "/", omittingEmptySubsequences: true)
            guard parts.count >= 2, !parts[0].hasPrefix("_") else { continue }
            out.append(Labelled(path: f, events: [], wholeFileClass: String(parts[0])))
        }
        return out
    }

    /// Rows (file relative to `folder`, event) → one `Labelled` per file, in first-seen order.
    static func grouped(_ rows: [(String, LabelledEvent)], folder: String) -> [Labelled] {
        var order: [String] = []
        var events: [String: [LabelledEvent]] = [:]
        for (f, e) in rows {
            if events[f] == nil { order.append(f) }
            events[f, default: []].append(e)
        }
        return order.map { Labelled(path: folder + "/" + $0, events: events[$0]!, wholeFileClass: nil) }
    }

    /// The WAV files of `paths` (files as given, folders walked as `earshot analyze`
    /// walks them); a path that cannot be used is an error, the walk's notes
    /// (dangling links, directories named *.wav) go to `notes`.
    static func wavPaths(_ paths: [String], notes: inout [String]) throws(ClassifierLearningError) -> [String] {
        var files: [String] = []
        for input in expandOfflineInputs(paths) {
            switch input {
            case .file(let f): files.append(f)
            case .note(let message): notes.append(message)
            case .unusable(let reason): throw ClassifierLearningError(reason)
            }
        }
        return files
    }

    /// The text of `path`, nil when there is no such file (the folder has another layout).
    static func readText(_ path: String) throws(ClassifierLearningError) -> String? {
        guard access(path, F_OK) == 0 else { return nil }
        do { return String(decoding: try FileAccess.read(path, maxBytes: 64 << 20), as: UTF8.self) } catch {
            throw ClassifierLearningError("\(error)")
        }
    }
}
