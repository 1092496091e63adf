// The offline pipeline: WAV → hops → AnalysisChain → detection → events.
import EarshotAudio
import EarshotDSP

/// What one analysed file produced.
public struct OfflineFileSummary: Sendable, Equatable {
    /// The file's format.
    public var format: WAVFormat
    /// Hops analysed (10 ms each).
    public var hops: Int64
    /// Events emitted.
    public var events: Int
}

/// Runs files through the analysis chain and the detection engine. One
/// analyzer serves many files; each file gets a fresh chain and engine
/// designed for its sample rate.
public struct OfflineAnalyzer {
    /// Front-end options (channel selection, read size, calibration).
    public var options: OfflineFrameOptions
    let detectorSetup: OfflineDetectorSetup
    /// Pristine chains and detectors per sample rate (designed once, copied per file).
    private let designs = DesignCache()

    /// Prepares an analyzer. `tablePath` nil uses the default signature table.
    /// `splOffsetDB` is the dB SPL that reads as 0 dBFS (from a board file's
    /// microphone calibration); nil reports dBFS only.
    /// - Throws: `OfflineSetupError` if the table file cannot be loaded.
    public init(tablePath: String? = nil, splOffsetDB: Double? = nil,
                options: OfflineFrameOptions = OfflineFrameOptions()) throws(OfflineSetupError) {
        self.options = options
        self.detectorSetup = try OfflineDetectorSetup(tablePath: tablePath, splOffsetDB: splOffsetDB)
    }

    /// Analyses one file, calling `emit` for each event in onset order of
    /// detection. `progress(hopsDone, hopCount)` as in `OfflineFrameSource`.
    /// `displayName` is the name events carry (default: `path`).
    /// - Throws: `WAVError` naming the file and the reason.
    public func analyze(path: String, displayName: String? = nil,
                        progress: ((Int64, Int64) -> Void)? = nil,
                        emit: (OfflineEvent) -> Void) throws(WAVError) -> OfflineFileSummary {
        let source = try OfflineFrameSource(path: path, options: options)
        let (chain, pristineDetector) = designs.design(for: source.config, setup: detectorSetup)
        var detector = pristineDetector
        let name = displayName ?? path
        let rate = source.reader.format.sampleRate
        var count = 0
        var hops: Int64 = 0
        try source.forEachFrame(designed: chain, progress: progress) { frame in
            hops += 1
            detector.process(frame) { e in
                count += 1
                emit(e.withFile(name, sampleRate: rate))
            }
        }
        detector.finish(atSample: hops * Int64(source.hopSamples)) { e in
            count += 1
            emit(e.withFile(name, sampleRate: rate))
        }
        return OfflineFileSummary(format: source.reader.format, hops: hops, events: count)
    }
}

/// The analyzer could not be set up (e.g. the signature table is invalid).
public struct OfflineSetupError: Error, Sendable, CustomStringConvertible {
    /// One-line message naming the file, entry or field.
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension OfflineEvent {
    func withFile(_ file: String, sampleRate: Int) -> OfflineEvent {
        var e = self
        e.file = file
        e.sampleRate = sampleRate
        return e
    }
}

/// Designed-but-unused chains and detectors by configuration. Value copies of
/// a pristine `AnalysisChain`/`DetectionEngine` start from the same state as
/// freshly designed ones (all their state is inline).
private final class DesignCache {
    private var entries: [(AnalysisConfig, AnalysisChain, OfflineDetector)] = []

    func design(for config: AnalysisConfig, setup: OfflineDetectorSetup) -> (AnalysisChain, OfflineDetector) {
        if let e = entries.first(where: { $0.0 == config }) { return (e.1, e.2) }
        let e = (config, AnalysisChain(config: config), setup.makeDetector(config: config))
        entries.append(e)
        return (e.1, e.2)
    }
}
