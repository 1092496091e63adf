// Configuration-time resolution of one table entry against an AnalysisConfig:
// tonal frequencies → Goertzel bin indices, milliseconds → hops, dB SPL → dBFS.
import EarshotDSP

/// One entry's settings in the units the per-frame code uses (hops, bin
/// masks, Q8.8 dBFS). Built at engine init, never per frame.
public struct EntryPlan: Sendable {
    /// False when the entry cannot run with this configuration (its tonal
    /// frequencies match no configured bin, or its level threshold needs a
    /// calibration the engine does not have).
    public internal(set) var isActive = false
    /// Goertzel bins whose tonality counts for this entry (bit b = bin b).
    public internal(set) var binMask: UInt16 = 0
    /// Bands checked by the spectral match (tolerance < 60 dB).
    var checkedBands = SIMD8<Int16>(repeating: 0)
    var checkedCount: Int32 = 0
    /// Bands whose SNR counts (template ≥ −10 dB), 1 = counts.
    var mainBands = SIMD8<Int16>(repeating: 0)
    var minDurationHops: Int64 = 0
    var maxDurationHops: Int64 = 0
    var gapHops: Int64 = 0
    var cooldownHops: Int64 = 0
    var maxDecayHops: Int64 = 0
    var maxHoldHops: Int64 = 0
    /// Effective minimum loudest-hop level, Q8.8 dBFS (Signature.off = none).
    var minLevel: Int16 = Signature.off

    init() {}

    /// Resolves `s` for frames made with `config`; `binBand` maps bins to bands.
    init(_ s: Signature, config: AnalysisConfig, binBand: SIMD16<Int8>, splOffset: Int16?) {
        let hopMs = Double(Int(config.hopSamples)) * 1_000 / Double(Int(config.sampleRate))
        func hops(_ ms: Int32) -> Int64 {
            Widen.int64(Int32(max(0, (Double(Int(ms)) / hopMs).rounded(.up))))
        }
        minDurationHops = hops(s.minDurationMs)
        maxDurationHops = max(hops(s.maxDurationMs), 1)
        gapHops = hops(s.gapMs)
        cooldownHops = hops(s.cooldownMs)
        maxDecayHops = hops(s.maxDecayMs)
        maxHoldHops = hops(s.maxHoldMs)

        var active = true
        // Tonal bins: nearest configured bin within ±12 % of each frequency.
        var mask: UInt16 = 0
        var wanted = 0
        for j in 0..<8 where s.tonalHz[j] > 0 {
            wanted += 1
            let f = Double(Int(s.tonalHz[j]))
            var best = -1
            var bestErr = 0.12
            for b in 0..<16 where binBand[b] >= 0 {
                let err = abs(Double(config.binFrequencies[b]) - f) / f
                if err <= bestErr { best = b; bestErr = err }
            }
            if best >= 0 { mask |= UInt16(1) &<< UInt16(best) }
        }
        if wanted == 0 {
            for b in 0..<16 where binBand[b] >= 0 { mask |= UInt16(1) &<< UInt16(b) }
        }
        let needsTone = s.minTonality != Signature.off || s.maxTonality != Signature.offMax || s.minSweepBins > 0
        if needsTone && mask == 0 { active = false }
        binMask = mask

        for k in 0..<8 {
            if s.bandTolerance[k] < Signature.ignoreBand { checkedBands[k] = 1; checkedCount += 1 }
            if s.bandTemplate[k] >= -10 * 256 { mainBands[k] = 1 }
        }

        if let splOffset, s.minLevelSPL != Signature.off {
            minLevel = Saturate.toInt16(Int32(s.minLevelSPL) &- Int32(splOffset))
        } else if s.minLevelDBFS != Signature.off {
            minLevel = s.minLevelDBFS
        } else if s.minLevelSPL != Signature.off {
            // Calibration needed to honour a dB SPL threshold: without it, the entry is off.
            active = false
        }
        isActive = active
    }
}

extension DetectionEngine {
    /// Maps bins to octave bands and resolves every entry (init only).
    mutating func configure() {
        let nyquist = Double(Int(config.sampleRate)) / 2
        let n = Int(max(0, min(16, config.binCount)))
        for b in 0..<16 {
            let f = Double(config.binFrequencies[b])
            guard b < n, f > 0, f < nyquist else { binBand[b] = -1; continue }
            // Band k spans 62.5·2^k · 2^(±1/2) Hz; the top band takes everything above.
            var k = 0
            var upper = 62.5 * 1.4142135623730951
            while k < 7 && f >= upper { k += 1; upper *= 2 }
            binBand[b] = Int8(k)
        }
        for b in 0..<16 where binBand[b] >= 0 {
            var r: Int8 = 0
            for c in 0..<16 where binBand[c] >= 0 {
                let fc = config.binFrequencies[c], fb = config.binFrequencies[b]
                if fc < fb || (fc == fb && c < b) { r += 1 }
            }
            binRank[b] = r
        }
        stageReportsLoudImpulses = false
        let rate = Widen.int64(config.sampleRate)
        claimToleranceSamples = Widen.int64(Self.claimToleranceMs) &* rate / 1_000
        claimWaitHops = (Widen.int64(Self.claimWaitMs) &* rate / 1_000 &+ hopSamples &- 1) / max(1, hopSamples)
        if let model = table.classifier, model.isUsable {
            stageActive = model.binHz == CandidateClassifier.binHz(for: config)
        }
        for i in 0..<table.count {
            plans[i] = EntryPlan(table[i], config: config, binBand: binBand, splOffset: splOffset)
            if stageActive && classifierClaims(table[i].soundClass.rawValue) { plans[i].isActive = false }
            if stageActive && table[i].soundClass == .loudImpulse && plans[i].isActive {
                plans[i].isActive = false
                stageReportsLoudImpulses = true
            }
        }
    }

    /// True when the table's classifier reports the class with raw value `raw`.
    func classifierClaims(_ raw: UInt8) -> Bool {
        guard let model = table.classifier else { return false }
        for k in 1..<max(1, model.outputCount) where model.classes[k].rawValue == raw { return true }
        return false
    }

    /// Whether entry `i` can fire with this configuration (see `EntryPlan.isActive`).
    public func isActive(entry i: Int) -> Bool { i < table.count && plans[i].isActive }
}
