// `earshot learn`: builds or refines a table entry from labelled examples.
//
// Per example (the feature frames of one recording):
//   1. background = 10th percentile of levelZ; the peak = the loudest hop;
//   2. the event region = the hops around the peak whose levelZ stays above
//      max(peak − 25 dB, background + 6 dB), bridging dips of ≤ 50 ms;
//   3. the core = region hops within 10 dB of the peak.
// Over all examples:
//   - band_template_db = mean over core hops of (band − loudest band), per band;
//     band_tolerance_db = max(4, 2 × standard deviation), ≤ 20; bands whose
//     template is below −35 dB are ignored (tolerance 60, noise-dominated);
//   - tonal_hz = the bins whose mean tonality over core hops is ≥ −4 dB
//     (up to 8, strongest first); then min_tonality_db = −4 and sweep_bins =
//     [1, distinct strongest bins seen + 1]; with no tonal bin and mean
//     tonality ≤ −6 dB, max_tonality_db = −3 (steady noise);
//   - kind = impulsive when every region is < 300 ms (else sustained);
//   - min/max_duration_ms = ½ × shortest, 2 × longest region (+100 ms);
//   - min_rise_db_per_ms = ½ × the smallest rise at the onsets (impulsive, when the chain reports rise);
//   - min_snr_db = ½ × the smallest peak band SNR, clamped to 6…30 dB.
// Refining an existing entry keeps its kind, thresholds and cooldown, averages
// the templates (old and new weighted equally), takes the wider tolerances and
// the union of durations and tonal bins.
import EarshotDSP
import EarshotDetection

/// What the learner measured in one example.
public struct LearnedExample: Sendable, Equatable {
    /// Region in hops [first, last] and its duration in ms.
    public var firstHop: Int
    public var lastHop: Int
    public var durationMs: Double
    /// Peak levelZ (dBFS) and the background estimate (dBFS).
    public var peakDBFS: Double
    public var backgroundDBFS: Double
}

/// Accumulates examples of one class and produces its `Signature`.
public struct SignatureLearner {
    /// The configuration the frames were analysed with (bin frequencies, hop).
    public let config: AnalysisConfig
    /// Measurements per example, in the order added.
    public private(set) var examples: [LearnedExample] = []

    var relative: [[Double]] = []          // per core hop: 8 relative band levels (dB)
    var tonality: [[Double]] = []          // per core hop: 16 bin tonalities (dB)
    var dominant: [Set<Int>] = []          // per example: strongest-tonal-bin set over core hops
    var rises: [Double] = []               // per example: largest rise at the region start (dB/ms)
    var snrs: [Double] = []                // per example: peak band SNR (dB), or level over background

    var hopMs: Double { Double(config.hopSamples) * 1_000 / Double(config.sampleRate) }

    public init(config: AnalysisConfig) { self.config = config }

    /// Adds one recording's frames. Returns nil (and adds nothing) when the
    /// recording has no hop 6 dB above its background.
    @discardableResult
    public mutating func add(frames: [FeatureFrame]) -> LearnedExample? {
        guard !frames.isEmpty else { return nil }
        let levels = frames.map { Double($0.levelZ) / 256 }
        let sorted = levels.sorted()
        let background = sorted[sorted.count / 10]
        let peakIndex = levels.indices.max { levels[$0] < levels[$1] }!
        let peak = levels[peakIndex]
        guard peak >= background + 6 else { return nil }
        let threshold = max(peak - 25, background + 6)
        let gap = max(1, Int((50 / hopMs).rounded()))
        var first = peakIndex, last = peakIndex
        var i = peakIndex - 1, quiet = 0
        while i >= 0 {
            if levels[i] >= threshold { first = i; quiet = 0 } else { quiet += 1; if quiet > gap { break } }
            i -= 1
        }
        i = peakIndex + 1; quiet = 0
        while i < levels.count {
            if levels[i] >= threshold { last = i; quiet = 0 } else { quiet += 1; if quiet > gap { break } }
            i += 1
        }
        let binBand = Self.binBands(config)
        var seen = Set<Int>()
        var bestSNR = -Double.infinity
        for h in first...last where levels[h] >= peak - 10 {
            let f = frames[h]
            let top = (0..<8).map { Double(f.bandLevel[$0]) / 256 }.max()!
            relative.append((0..<8).map { Double(f.bandLevel[$0]) / 256 - top })
            var t = [Double](repeating: -120, count: 16)
            var best = -1
            for b in 0..<16 where binBand[b] >= 0 {
                t[b] = Double(f.binPower[b]) / 256 - Double(f.bandLevel[binBand[b]]) / 256
                if best < 0 || t[b] > t[best] { best = b }
            }
            tonality.append(t)
            if best >= 0 && t[best] >= -4 { seen.insert(best) }
            let snr = (0..<8).map { Double(f.bandSNR[$0]) / 256 }.max()!
            bestSNR = max(bestSNR, snr > 0 ? snr : levels[h] - background)
        }
        dominant.append(seen)
        snrs.append(bestSNR)
        let onsetWindow = frames[max(0, first - 1)...min(frames.count - 1, first + 2)]
        rises.append(onsetWindow.map { Double($0.riseRate) / 256 }.max() ?? 0)
        let example = LearnedExample(firstHop: first, lastHop: last, durationMs: Double(last - first + 1) * hopMs,
                                     peakDBFS: peak, backgroundDBFS: background)
        examples.append(example)
        return example
    }

    /// The learned entry named `name`; refines `base` when given.
    public func signature(name: String, refining base: Signature? = nil) -> Signature {
        var s = base ?? Signature()
        s.name = SignatureName(string: name)
        if let c = SoundClass(builtinName: name) { s.soundClass = c }
        let n = Double(relative.count)
        guard n > 0 else { return s }

        // Spectral template.
        for k in 0..<8 {
            let mean = relative.map { $0[k] }.reduce(0, +) / n
            let sd = (relative.map { ($0[k] - mean) * ($0[k] - mean) }.reduce(0, +) / n).squareRoot()
            var template = mean
            var tolerance = min(20, max(4, 2 * sd))
            if let base {
                template = (template + db(base.bandTemplate[k])) / 2
                tolerance = max(tolerance, db(base.bandTolerance[k]))
            }
            if template < -35 { tolerance = 60 }
            s.bandTemplate[k] = q88(max(-120, min(0, template)))
            s.bandTolerance[k] = q88(min(60, tolerance))
        }
        if base == nil { s.maxBandError = 5 * 256 }

        // Tonality.
        let binBand = Self.binBands(config)
        var meanTone: [(bin: Int, db: Double)] = []
        for b in 0..<16 where binBand[b] >= 0 {
            meanTone.append((b, tonality.map { $0[b] }.reduce(0, +) / n))
        }
        let tonal = meanTone.filter { $0.db >= -4 }.sorted { $0.db > $1.db }.prefix(8)
        var hz = Set((0..<8).map { Int(s.tonalHz[$0]) }.filter { base != nil && $0 > 0 })
        for t in tonal { hz.insert(Int(config.binFrequencies[t.bin].rounded())) }
        let sortedHz = hz.sorted().prefix(8)
        s.tonalHz = SIMD8(repeating: 0)
        for (j, f) in sortedHz.enumerated() { s.tonalHz[j] = Int32(f) }
        let loudestTone = meanTone.map(\.db).max() ?? -120
        if !tonal.isEmpty {
            if base == nil || s.minTonality == Signature.off { s.minTonality = -4 * 256 }
            s.maxTonality = Signature.offMax
            let distinct = dominant.map(\.count).max() ?? 1
            s.minSweepBins = 1
            s.maxSweepBins = Int8(min(16, max(Int(s.maxSweepBins), distinct + 1)))
        } else if base == nil {
            s.minTonality = Signature.off
            s.maxTonality = loudestTone <= -6 ? -3 * 256 : Signature.offMax
            s.minSweepBins = 0
            s.maxSweepBins = 0
        }

        // Temporal shape.
        let durations = examples.map(\.durationMs)
        if base == nil { s.kind = durations.allSatisfy { $0 < 300 } ? .impulsive : .sustained }
        var minMs = Int32((durations.min()! / 2).rounded())
        var maxMs = Int32((durations.max()! * 2 + 100).rounded())
        if let base { minMs = min(minMs, base.minDurationMs); maxMs = max(maxMs, base.maxDurationMs) }
        s.minDurationMs = minMs
        s.maxDurationMs = max(10, maxMs)
        if s.kind == .impulsive, let rise = rises.min(), rise > 0 {
            let learned = q88(rise / 2)
            s.minRise = base.map { $0.minRise == Signature.off ? learned : min($0.minRise, learned) } ?? learned
        }
        if base == nil {
            s.minSNR = q88(max(6, min(30, (snrs.min() ?? 12) / 2)))
            s.gapMs = 100
            s.minConfidence = 26_214   // 0.4
            s.cooldownMs = 1_000
            s.decayDrop = 20 * 256
            s.maxLevelDrop = s.kind == .sustained ? 12 * 256 : 60 * 256
        }
        return s
    }

    /// Octave band of each configured Goertzel bin (−1 inactive); same rule as the engine.
    static func binBands(_ config: AnalysisConfig) -> [Int] {
        let nyquist = Double(config.sampleRate) / 2
        return (0..<16).map { b in
            let f = Double(config.binFrequencies[b])
            guard b < Int(config.binCount), f > 0, f < nyquist else { return -1 }
            var k = 0
            var upper = 62.5 * 1.4142135623730951
            while k < 7 && f >= upper { k += 1; upper *= 2 }
            return k
        }
    }
}

extension SignatureTable {
    /// Replaces the entry named like `signature`, or appends it (custom class
    /// ids are assigned in order). Returns false when the table is full.
    @discardableResult
    public mutating func upsert(_ signature: Signature) -> Bool {
        if let i = index(named: signature.name) { self[i] = signature; return true }
        var s = signature
        if SoundClass(builtinName: s.name.string) == nil {
            var used = Set<UInt8>()
            for i in 0..<count { used.insert(self[i].soundClass.rawValue) }
            var n: UInt8 = 0
            while used.contains(SoundClass.custom(n).rawValue) { n += 1 }
            s.soundClass = .custom(n)
        }
        return append(s)
    }
}
