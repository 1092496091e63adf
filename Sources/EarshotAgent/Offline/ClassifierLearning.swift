// `earshot learn --classifier`: recordings → candidates → trained, quantised
// and calibrated classifier in a signature table.
//
// Examples: folders holding either `labels.tsv` (tab-separated with a header:
// file, class, onset_s, offset_s; file relative to the folder) or one
// sub-folder per class of WAV files with one event each. With labels, the
// first candidate opening within −0.5 … +1.0 s of a labelled onset is that
// class; other candidates overlapping the event (±0.5 s) are not used;
// candidates away from every event are "none". Without labels, a file's
// strongest candidate (largest SNR over background) is the class.
// Background: WAV files or folders of the site's ordinary sound; all their
// candidates are "none". Every 4th background file (sorted) and every 5th
// example are held back from training to set the thresholds and report recall.
import EarshotAudio
import EarshotDSP
import EarshotDetection
import EarshotSignatures
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
    public var calibrationHours = 0.0
    public var skippedFiles: [String] = []
}

/// Errors of a learning run, naming the file or folder.
public struct ClassifierLearningError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ d: String) { description = d }
}

public enum ClassifierLearning {
    /// A labelled recording: path, class name, event span in seconds (nil: strongest candidate).
    struct Labelled { var path: String; var className: String; var span: (Double, Double)? }

    /// Runs the whole pipeline and returns `base` with its classifier replaced.
    public static func learn(_ input: ClassifierLearningInput, base: SignatureTable,
                             log: (String) -> Void) throws(ClassifierLearningError) -> (SignatureTable, ClassifierLearningReport) {
        var report = ClassifierLearningReport()
        var labelled: [Labelled] = []
        for folder in input.exampleFolders { labelled += try examples(in: folder) }
        guard !labelled.isEmpty else { throw ClassifierLearningError("learn: no example recordings found in \(input.exampleFolders.joined(separator: ", "))") }
        var backgroundFiles: [String] = []
        for p in input.background { backgroundFiles += try wavPaths(p) }
        guard !backgroundFiles.isEmpty else { throw ClassifierLearningError("learn: --classifier needs --background recordings (the site's ordinary sound)") }

        // Classes in built-in order, then custom names alphabetically.
        var names = Array(Set(labelled.map(\.className)))
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
            let label = names.firstIndex(of: ex.className)! + 1
            let isHeldBack = n % 5 == 4
            var positive: Int?
            if let (on, off) = ex.span {
                positive = found.candidates.firstIndex { $0.onsetSeconds >= on - 0.5 && $0.onsetSeconds <= on + 1.0 }
                for (i, c) in found.candidates.enumerated() where i != positive {
                    let overlaps = c.onsetSeconds >= on - 0.5 && c.onsetSeconds <= off + 0.5
                    if !overlaps && !isHeldBack { train.append(ClassifierExample(c.features, label: 0)) }
                }
            } else {
                positive = found.candidates.indices.max { found.candidates[$0].features.values[32] < found.candidates[$1].features.values[32] }
            }
            guard let p = positive else { continue }
            if isHeldBack { heldBack.append((found.candidates[p].features, label)) } else {
                train.append(ClassifierExample(found.candidates[p].features, label: label))
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
        log("learn: \(train.count) training candidates (\(report.trainNegatives) none), \(heldBack.count) held-back examples, " +
            "\(calibration.count) held-back background candidates over \(decimals(report.calibrationHours, 2)) h")

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
        if let text = readText(labels) {
            var rows = text.split(separator: "\n", omittingEmptySubsequences: true).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
            guard let header = rows.first else { throw ClassifierLearningError("\(labels): empty; expected a header line file<TAB>class<TAB>onset_s<TAB>offset_s") }
            rows.removeFirst()
            func column(_ name: String) throws(ClassifierLearningError) -> Int {
                guard let i = header.firstIndex(of: name) else { throw ClassifierLearningError("\(labels): no column \"\(name)\" in the header") }
                return i
            }
            let (fi, ci, oi, ei) = (try column("file"), try column("class"), try column("onset_s"), try column("offset_s"))
            var out: [Labelled] = []
            for (n, r) in rows.enumerated() {
                guard r.count > max(fi, ci, oi, ei), let on = Double(r[oi]), let off = Double(r[ei]), on.isFinite, off >= on else {
                    throw ClassifierLearningError("\(labels): line \(n + 2): expected file, class and numeric onset_s ≤ offset_s")
                }
                out.append(Labelled(path: folder + "/" + r[fi], className: r[ci], span: (on, off)))
            }
            return out
        }
        var out: [Labelled] = []
        for sub in listDirectory(folder) where !sub.hasPrefix(".") && !sub.hasPrefix("_") && isDirectory(folder + "/" + sub) {
            for f in try wavPaths(folder + "/" + sub) { out.append(Labelled(path: f, className: sub, span: nil)) }
        }
        return out
    }

    /// The WAV files at `path` (a file, or a folder's *.wav sorted).
    static func wavPaths(_ path: String) throws(ClassifierLearningError) -> [String] {
        if !isDirectory(path) {
            guard access(path, R_OK) == 0 else { throw ClassifierLearningError("\(path): cannot read (\(String(cString: strerror(errno))))") }
            return [path]
        }
        return listDirectory(path).filter { $0.hasSuffix(".wav") }.sorted().map { path + "/" + $0 }
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func listDirectory(_ path: String) -> [String] {
        guard let d = opendir(path) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func readText(_ path: String) -> String? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func decimals(_ x: Double, _ places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let v = (x * scale).rounded() / scale
        return String(v)
    }
}
