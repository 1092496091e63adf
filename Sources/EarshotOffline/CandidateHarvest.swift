// Collects the learned stage's candidates from recordings: what
// `earshot learn --classifier` trains on and calibrates with. The recording
// runs through the same AnalysisChain and DetectionEngine gate as `analyze`;
// each candidate gives its onset and its 64 features.
import EarshotAudio
import EarshotDSP
import EarshotDetection
import EarshotSignatures

/// One candidate found in a recording: onset in seconds and its features (Q8.8 units).
public struct HarvestedCandidate: Sendable {
    public var onsetSeconds: Double
    public var features: CandidateFeatures
}

/// Runs the candidate gate over WAV files.
public struct CandidateHarvest {
    /// The gate the candidates are opened with.
    public var gate = CandidateGate()

    public init(gate: CandidateGate = CandidateGate()) { self.gate = gate }

    /// Every candidate of the recording at `path`, in time order, and the
    /// configuration it was analysed with.
    /// - Throws: `WAVError` naming the file.
    public func candidates(in path: String) throws(WAVError) -> (config: AnalysisConfig, seconds: Double, candidates: [HarvestedCandidate]) {
        let source = try OfflineFrameSource(path: path)
        var table = SignatureTable()
        table.classifier = CandidateClassifier.gateOnly(gate, config: source.config)
        var engine = DetectionEngine(table: table, config: source.config)
        var out: [HarvestedCandidate] = []
        let rate = Double(Int(source.config.sampleRate))
        var seen: UInt64 = 0
        func collect() {
            guard engine.candidateDecisions != seen, let c = engine.lastCandidate else { return }
            seen = engine.candidateDecisions
            out.append(HarvestedCandidate(onsetSeconds: Double(c.onsetSample) / rate, features: c.features))
        }
        try source.forEachFrame { frame in
            engine.process(frame) { _ in }
            collect()
        }
        engine.finish(atSample: source.hopCount * Int64(source.hopSamples)) { _ in }
        collect()
        return (source.config, Double(source.reader.format.frameCount) / rate, out)
    }
}
