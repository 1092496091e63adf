// What the learned stage sees of a candidate: 64 numbers summarising the
// feature frames of its first `CandidateFeatures.windowHops` hops (1 s at the
// default 10 ms hop), accumulated hop by hop (no frame ring). Units are Q8.8:
// dB × 256 for levels, fraction × 256 for shares, count × 256 for counts.
//
//   0–7    band profile at the loudest hop: band − loudest band (dB, ≥ −60)
//   8–15   the same profile averaged over the window
//   16–23  band SNR over background at the loudest hop (dB, 0…60)
//   24–31  band SNR averaged over the window
//   32     loudest hop's levelZ over the background at the start (dB, 0…80)
//   33     position of the loudest hop in the window (fraction)
//   34–40  levelZ relative to the loudest hop, averaged over hops [0,3) [3,6)
//          [6,12) [12,25) [25,50) [50,75) [75,100) of the window (dB, ≥ −60)
//   41     steepest envelope rise (dB/ms, ≤ 60)
//   42, 43 crest factor mean and maximum (dB)
//   44     onsets detected in the window (count)
//   45     share of hops within 6 dB of the loudest
//   46     share of hops ≥ 6 dB over the starting background
//   47     mean |levelZ step| between hops (dB)
//   48     share of hops with clipped samples
//   49–56  tonality (Goertzel bin − its octave band, dB, ≥ −40) averaged over
//          the window, the larger of each pair of bins in frequency order
//   57     mean tonality of the strongest bin per Goertzel block (dB)
//   58     share of blocks that are tonal (strongest bin ≥ −4 dB)
//   59     distinct strongest bins over tonal blocks (count)
//   60     share of consecutive tonal blocks whose strongest bin changes
//   61     mean |step| of the strongest bin's frequency rank between tonal blocks (count)
//   62     reversals of the pitch direction (count)  — a siren's wail/yelp
//   63     pitch range: highest − lowest rank of the strongest bin (count)
import EarshotDSP

/// The candidate feature vector (see the file header for each value's meaning and unit).
public struct CandidateFeatures: Equatable, Sendable {
    /// Number of features.
    public static let count = 64
    /// Hops summarised per candidate (1 s at a 10 ms hop).
    public static let windowHops = 100
    /// The values, Q8.8 feature units.
    public var values = InlineArray<64, Int32>(repeating: 0)
    public init() {}

    public static func == (a: CandidateFeatures, b: CandidateFeatures) -> Bool {
        for i in 0..<count where a.values[i] != b.values[i] { return false }
        return true
    }
}

/// Accumulates one candidate's window hop by hop and produces its features.
@usableFromInline struct CandidateAccumulator: Sendable {
    static let segmentEnds: InlineArray<7, Int32> = [3, 6, 12, 25, 50, 75, 100]
    var hops: Int32 = 0
    var startBackground: Int16 = FeatureFrame.floor
    var peakLevel: Int16 = FeatureFrame.floor
    var peakHop: Int32 = 0
    var peakRelative = SIMD8<Int32>(repeating: 0)
    var peakSNR = SIMD8<Int32>(repeating: 0)
    var sumRelative = SIMD8<Int32>(repeating: 0)
    var sumSNR = SIMD8<Int32>(repeating: 0)
    var segmentSum = InlineArray<7, Int32>(repeating: 0)
    var maxRise: Int32 = 0
    var sumCrest: Int32 = 0
    var maxCrest: Int32 = 0
    var onsets: Int32 = 0
    var above: Int32 = 0
    var levelSteps: Int32 = 0
    var previousLevel: Int16 = FeatureFrame.floor
    var clippedHops: Int32 = 0
    var levels = InlineArray<100, Int16>(repeating: FeatureFrame.floor)
    var sumTonality = SIMD16<Int32>(repeating: 0)
    // Pitch track over Goertzel blocks.
    var blocks: Int32 = 0
    var sumTopTonality: Int32 = 0
    var tonalBlocks: Int32 = 0
    var seenRanks: UInt16 = 0
    var lastRank: Int32 = -1
    var lastDirection: Int32 = 0
    var changes: Int32 = 0
    var pairs: Int32 = 0
    var sumStep: Int32 = 0
    var reversals: Int32 = 0
    var lowRank: Int32 = 99
    var highRank: Int32 = -1

    /// True once `windowHops` hops were added.
    var isComplete: Bool { hops >= Int32(CandidateFeatures.windowHops) }

    /// Adds one hop. `tonality` per bin (Q8.8 dB, `Signature.off` inactive),
    /// `rank` = frequency rank per bin (−1 inactive), `newBlock` = the Goertzel
    /// block was refreshed in this hop.
    mutating func add(_ f: FeatureFrame, tonality: SIMD16<Int16>, rank: SIMD16<Int8>, newBlock: Bool) {
        if hops == 0 { startBackground = f.backgroundZ }
        var top = FeatureFrame.floor
        for k in 0..<8 where f.bandLevel[k] > top { top = f.bandLevel[k] }
        var rel = SIMD8<Int32>(repeating: 0)
        var snr = SIMD8<Int32>(repeating: 0)
        for k in 0..<8 {
            rel[k] = max(-60 * 256, Int32(f.bandLevel[k]) &- Int32(top))
            snr[k] = max(0, min(60 * 256, Int32(f.bandSNR[k])))
        }
        sumRelative &+= rel
        sumSNR &+= snr
        if hops == 0 || f.levelZ > peakLevel {
            peakLevel = f.levelZ
            peakHop = hops
            peakRelative = rel
            peakSNR = snr
        }
        levels[Int(hops)] = f.levelZ
        maxRise = max(maxRise, min(60 * 256, Int32(f.riseRate)))
        sumCrest &+= Int32(f.crest)
        maxCrest = max(maxCrest, Int32(f.crest))
        if f.onsetOffset >= 0 { onsets &+= 1 }
        if hops > 0 { levelSteps &+= abs(Int32(f.levelZ) &- Int32(previousLevel)) }
        previousLevel = f.levelZ
        if f.clippedSamples > 0 { clippedHops &+= 1 }
        for b in 0..<16 where rank[b] >= 0 {
            sumTonality[b] &+= max(-40 * 256, Int32(tonality[b]))
        }
        if newBlock { addBlock(tonality: tonality, rank: rank) }
        hops &+= 1
    }

    mutating func addBlock(tonality: SIMD16<Int16>, rank: SIMD16<Int8>) {
        var best = -1
        for b in 0..<16 where rank[b] >= 0 && (best < 0 || tonality[b] > tonality[best]) { best = b }
        guard best >= 0 else { return }
        blocks &+= 1
        let t = max(-40 * 256, Int32(tonality[best]))
        sumTopTonality &+= t
        guard t >= -4 * 256 else { return }
        tonalBlocks &+= 1
        let r = Int32(rank[best])
        seenRanks |= UInt16(1) &<< UInt16(r)
        lowRank = min(lowRank, r)
        highRank = max(highRank, r)
        if lastRank >= 0 {
            pairs &+= 1
            let step = r &- lastRank
            if step != 0 {
                changes &+= 1
                sumStep &+= abs(step)
                let direction: Int32 = step > 0 ? 1 : -1
                if lastDirection != 0 && direction != lastDirection { reversals &+= 1 }
                lastDirection = direction
            }
        }
        lastRank = r
    }

    /// The feature vector of the hops added so far.
    func features(rank: SIMD16<Int8>) -> CandidateFeatures {
        var out = CandidateFeatures()
        let n = max(1, hops)
        for k in 0..<8 {
            out.values[k] = peakRelative[k]
            out.values[8 &+ k] = sumRelative[k] / n
            out.values[16 &+ k] = peakSNR[k]
            out.values[24 &+ k] = sumSNR[k] / n
        }
        out.values[32] = max(0, min(80 * 256, Int32(peakLevel) &- Int32(startBackground)))
        out.values[33] = peakHop &* 256 / n
        var segmentStart: Int32 = 0
        var within6: Int32 = 0
        var overBackground: Int32 = 0
        for s in 0..<7 {
            let end = min(Self.segmentEnds[s], hops)
            var sum: Int32 = 0
            var count: Int32 = 0
            var i = segmentStart
            while i < end {
                let d = max(-60 * 256, Int32(levels[Int(i)]) &- Int32(peakLevel))
                sum &+= d
                count &+= 1
                if d >= -6 * 256 { within6 &+= 1 }
                if Int32(levels[Int(i)]) &- Int32(startBackground) >= 6 * 256 { overBackground &+= 1 }
                i &+= 1
            }
            out.values[34 &+ s] = count > 0 ? sum / count : -60 * 256
            segmentStart = Self.segmentEnds[s]
        }
        out.values[41] = maxRise
        out.values[42] = sumCrest / n
        out.values[43] = maxCrest
        out.values[44] = onsets &* 256
        out.values[45] = within6 &* 256 / n
        out.values[46] = overBackground &* 256 / n
        out.values[47] = hops > 1 ? levelSteps / (hops &- 1) : 0
        out.values[48] = clippedHops &* 256 / n
        // Tonality per pair of bins in frequency order (ranks 2p, 2p+1).
        for p in 0..<8 {
            var best: Int32 = -40 * 256
            for b in 0..<16 where rank[b] >= 0 && Int(rank[b]) / 2 == p { best = max(best, sumTonality[b] / n) }
            out.values[49 &+ p] = best
        }
        out.values[57] = blocks > 0 ? sumTopTonality / blocks : -40 * 256
        out.values[58] = blocks > 0 ? tonalBlocks &* 256 / blocks : 0
        out.values[59] = Int32(seenRanks.nonzeroBitCount) &* 256
        out.values[60] = pairs > 0 ? changes &* 256 / pairs : 0
        out.values[61] = pairs > 0 ? sumStep &* 256 / pairs : 0
        out.values[62] = reversals &* 256
        out.values[63] = highRank >= 0 ? (highRank &- lowRank) &* 256 : 0
        return out
    }
}
