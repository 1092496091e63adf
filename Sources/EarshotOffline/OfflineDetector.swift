// The only file of the offline pipeline that touches EarshotDetection and
// EarshotSignatures: loads the table, runs the DetectionEngine, converts its
// fixed-point events into report units.
import EarshotDSP
import EarshotDetection
import EarshotSignatures

/// Loads the signature table once; makes one detector per file.
struct OfflineDetectorSetup {
    let table: SignatureTable
    /// dB SPL at 0 dBFS, Q8.8 dB, when calibrated.
    let splOffset: Int16?

    /// `tablePath` nil: the default table shipped with earshot.
    init(tablePath: String?, splOffsetDB: Double?) throws(OfflineSetupError) {
        splOffset = splOffsetDB.map { Int16(max(-32_768, min(32_767, ($0 * 256).rounded()))) }
        guard let tablePath else {
            table = DefaultSignatures.table
            return
        }
        do {
            table = try SignatureFile.load(path: tablePath)
        } catch {
            throw OfflineSetupError("\(error)")
        }
    }

    /// A fresh engine for frames produced with `config`.
    func makeDetector(config: AnalysisConfig) -> OfflineDetector {
        OfflineDetector(engine: DetectionEngine(table: table, config: config, splOffset: splOffset), table: table)
    }
}

/// Feature frames in, `OfflineEvent`s out (file name and rate filled by the
/// caller). Reports `.impulse` and `.end` events, which carry onset and
/// offset; the early-alert `.start` of sustained sounds is not reported.
struct OfflineDetector {
    var engine: DetectionEngine
    let table: SignatureTable

    mutating func process(_ frame: borrowing FeatureFrame, emit: (OfflineEvent) -> Void) {
        let table = self.table
        engine.process(frame) { e in
            if e.phase != .start { emit(Self.convert(e, table: table)) }
        }
    }

    mutating func finish(atSample: Int64, emit: (OfflineEvent) -> Void) {
        let table = self.table
        engine.finish(atSample: atSample) { e in
            if e.phase != .start { emit(Self.convert(e, table: table)) }
        }
    }

    static func convert(_ e: Event, table: SignatureTable) -> OfflineEvent {
        OfflineEvent(file: "", className: table.className(of: e), onsetSample: e.onsetSample,
                     offsetSample: e.offsetSample, sampleRate: 0,
                     peakDBFS: Double(Int(e.peakLevel)) / 256,
                     peakDBSPL: e.isCalibrated ? Double(Int(e.peakLevelSPL)) / 256 : nil,
                     confidence: Double(Int(e.confidence)) / 65_535)
    }
}
