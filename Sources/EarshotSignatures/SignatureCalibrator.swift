// `earshot learn --background`: tightens a learned entry until it stays quiet on
// recordings of the site's ordinary sound.
//
// A learned entry takes its thresholds from the examples alone (SignatureLearner:
// SNR ½ of the weakest example's, tolerances 2 σ, durations ½ of the shortest).
// On the corpus such entries fired 247 times per hour of street background. The
// calibrator runs the real DetectionEngine, with a table holding only that entry,
// over the background recordings and over the examples. It then walks a ladder
// of stricter versions of the entry. Level k (0 = as learned) raises min_snr_db by
// 3k dB (≤ 60), narrows every checked band tolerance and max_band_error_db by
// 0.9^k (≥ 3 dB and ≥ 1.5 dB), and for sustained entries lengthens min_duration_ms
// by 1.15^k, never past 90 % of the shortest example. It stops at the first level
// whose firings on the background are within the allowance and that still detects
// at least three quarters of the examples the untightened entry detected. When no
// level gets there, it takes the level with the fewest background firings that
// keeps that quota, and says so.
import EarshotDSP
import EarshotDetection

/// Tightens a learned `Signature` against background recordings (see the file header).
public struct SignatureCalibrator {
    /// One level of the ladder, measured.
    public struct Level: Sendable, Equatable {
        /// 0 = the entry as learned; each level is stricter than the one before.
        public var level: Int
        /// `.impulse` and `.start` events of the entry over all background recordings.
        public var backgroundFirings: Int
        /// Examples in which the entry fired at least once.
        public var examplesDetected: Int
    }

    /// What calibration chose.
    public struct Outcome: Sendable {
        /// The entry at the chosen level.
        public var signature: Signature
        /// The entry as learned (level 0), measured.
        public var learned: Level
        /// The chosen level, measured.
        public var chosen: Level
        /// The chosen level's firings are within the allowance.
        public var quiet: Bool
        /// Seconds of background audio the firings were counted over.
        public var backgroundSeconds: Double
    }

    /// The configuration the frames come from.
    public let config: AnalysisConfig
    /// Highest ladder level tried.
    public var maxLevel = 12

    public init(config: AnalysisConfig) { self.config = config }

    /// The entry at ladder `level` (0 returns `s` unchanged). `shortestExampleMs`
    /// caps the sustained minimum duration at 90 % of it.
    public static func tightened(_ s: Signature, level: Int, shortestExampleMs: Double?) -> Signature {
        guard level > 0 else { return s }
        var t = s
        let k = Double(level)
        let narrow = pow09(level)
        t.minSNR = Int16(min(60 * 256, Int(s.minSNR) + level * 3 * 256))
        for b in 0..<8 where s.bandTolerance[b] < Signature.ignoreBand {
            t.bandTolerance[b] = Int16(max(3 * 256, (Double(s.bandTolerance[b]) * narrow).rounded()))
        }
        t.maxBandError = Int16(max(384, (Double(s.maxBandError) * narrow).rounded()))
        if s.kind == .sustained {
            var longer = Double(s.minDurationMs) * (1 + 0.15 * k)
            if let shortest = shortestExampleMs { longer = min(longer, max(Double(s.minDurationMs), 0.9 * shortest)) }
            t.minDurationMs = Int32(longer.rounded())
            t.maxDurationMs = max(t.maxDurationMs, t.minDurationMs)
        }
        return t
    }

    /// Calibrates `s` (learned from `examples`) against `background`, allowing
    /// `allowedFirings` events over all of it.
    public func calibrate(_ s: Signature, examples: [[FeatureFrame]], background: [[FeatureFrame]],
                          allowedFirings: Int = 0, shortestExampleMs: Double? = nil) -> Outcome {
        let hopSeconds = Double(config.hopSamples) / Double(config.sampleRate)
        let seconds = Double(background.reduce(0) { $0 + $1.count }) * hopSeconds
        func measure(_ level: Int) -> (Signature, Level) {
            let t = Self.tightened(s, level: level, shortestExampleMs: shortestExampleMs)
            let fired = background.reduce(0) { $0 + firings(of: t, in: $1) }
            let detected = examples.filter { firings(of: t, in: $0) > 0 }.count
            return (t, Level(level: level, backgroundFirings: fired, examplesDetected: detected))
        }
        let (learnedSignature, learned) = measure(0)
        let quota = (learned.examplesDetected * 3 + 3) / 4
        var best = (learnedSignature, learned)
        if learned.backgroundFirings <= allowedFirings {
            return Outcome(signature: learnedSignature, learned: learned, chosen: learned, quiet: true,
                           backgroundSeconds: seconds)
        }
        for level in 1...max(1, maxLevel) {
            let (t, m) = measure(level)
            guard m.examplesDetected >= quota else { break }
            if m.backgroundFirings < best.1.backgroundFirings { best = (t, m) }
            if m.backgroundFirings <= allowedFirings {
                return Outcome(signature: t, learned: learned, chosen: m, quiet: true, backgroundSeconds: seconds)
            }
        }
        return Outcome(signature: best.0, learned: learned, chosen: best.1, quiet: false, backgroundSeconds: seconds)
    }

    /// `.impulse` and `.start` events of `s` alone over `frames` (a fresh engine, then finish).
    public func firings(of s: Signature, in frames: [FeatureFrame]) -> Int {
        var table = SignatureTable()
        _ = table.append(s)
        var engine = DetectionEngine(table: table, config: config)
        var count = 0
        for f in frames { engine.process(f) { if $0.phase != .end { count += 1 } } }
        engine.finish(atSample: Int64(frames.count) * Int64(config.hopSamples)) { if $0.phase != .end { count += 1 } }
        return count
    }

    static func pow09(_ n: Int) -> Double {
        var x = 1.0
        for _ in 0..<n { x *= 0.9 }
        return x
    }
}
