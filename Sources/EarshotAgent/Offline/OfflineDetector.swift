// The only file of the offline pipeline that touches EarshotDetection.
// INTERIM: the detection engine's public API has not landed yet; until it
// does this adapter emits no events, so `earshot analyze` runs the whole
// front end (WAV + AnalysisChain) and prints nothing.
import EarshotDSP

/// Loads the signature table once; makes one detector per file.
struct OfflineDetectorSetup {
    init(tablePath: String?) throws(OfflineSetupError) {
        if let tablePath {
            throw OfflineSetupError("\(tablePath): signature tables are not supported by this build yet")
        }
    }

    func makeDetector(config: AnalysisConfig) -> OfflineDetector { OfflineDetector() }
}

/// Feature frames in, `OfflineEvent`s out (file name and rate filled by the caller).
struct OfflineDetector {
    mutating func process(_ frame: borrowing FeatureFrame, emit: (OfflineEvent) -> Void) {}
    mutating func finish(atSample: Int64, emit: (OfflineEvent) -> Void) {}
}
