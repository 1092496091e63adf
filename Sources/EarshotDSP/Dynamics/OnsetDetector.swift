// Onset detector: envelope rise rate in dB/ms on a pre-emphasised signal,
// sample position of the onset, and crest factor per hop.

/// Detects sharp onsets (gunshot, glass, slam): the short-term envelope of
/// the pre-emphasised signal rising faster than a configured rate.
///
/// **Method.** Pre-emphasis `e[n] = (x[n] − x[n−D])/2`, D = round(fs/16 000)
/// (1 at 16 kHz, 3 at 48 kHz: the same 62.5 µs difference, so the response
/// below 8 kHz is the same at every rate: −6 dB at 2.5 kHz, −22 dB at
/// 200 Hz) removes the low-frequency rumble whose waveform a 1 ms envelope
/// would otherwise follow (false onsets in traffic noise). `EnvelopeFollower` (attack/release) on e². Every `stride` samples
/// (fs/4000: 0.25 ms) a checkpoint converts the envelope to Q8.8 dBFS and
/// compares it with the checkpoint `window` earlier (32-entry ring). An onset
/// fires when the rise ≥ riseDbPerMs × window (ms), the level ≥
/// `minimumLevel`, and the refractory period since the previous onset (and
/// since `init`) has passed, so one impulse gives one onset. The onset
/// position is the first checkpoint of the rise, refined to the first sample
/// in it whose e² exceeds 4× (+6 dB) the envelope before it.
///
/// **Formats.** Samples Q15; e fits Int32 (|e| ≤ 32768) and e² ≤ 2^30
/// (Q30 power, see `EnvelopeFollower`). Levels Q8.8 dBFS in Int32. Crest:
/// peak² · n and Σx² in UInt64 (≤ 2^30 · 2^32), Q8.8 dB.
public struct OnsetDetector {
    /// Size of the checkpoint ring (window ≤ ringSize − 1 checkpoints).
    public static let ringSize = 32

    /// Samples between checkpoints.
    public let stride: Int
    /// Window in checkpoints over which the rise is measured.
    public let window: Int
    /// Rise over the window that fires, Q8.8 dB.
    public let thresholdQ8_8: Int32
    /// Lowest envelope level (pre-emphasised, Q8.8 dBFS) at which onsets fire.
    public let minimumLevelQ8_8: Int32
    /// Samples after an onset (and after `init`) during which none fires.
    public let refractorySamples: Int

    @usableFromInline var follower: EnvelopeFollower
    @usableFromInline let windowMsInverseQ16: Int64   // 1 / window length in ms, Q16
    /// Pre-emphasis lag D in samples (1…4).
    public let lag: Int
    // Rings indexed at run time are InlineArrays, not SIMD vectors: a
    // dynamic SIMD element store round-trips the whole vector through the
    // stack (a failed store-to-load forward per checkpoint).
    @usableFromInline var history = InlineArray<4, Int32>(repeating: 0)   // last D samples (ring)
    @usableFromInline var historyIndex = 0
    @usableFromInline var phase = 0
    @usableFromInline var checkpoints: Int64 = 0
    @usableFromInline var levels = InlineArray<32, Int32>(repeating: Int32(FeatureFrame.floor))
    @usableFromInline var jumps = InlineArray<32, Int32>(repeating: -1)
    @usableFromInline var jump: Int32 = -1
    @usableFromInline var refractoryLeft: Int
    @usableFromInline var samples: Int64 = 0
    @usableFromInline var onsetSample: Int64 = -1
    @usableFromInline var onsets: Int64 = 0
    // Per-hop accumulators (reset by `endHop`).
    @usableFromInline var hopPeak: Int32 = 0
    @usableFromInline var hopSum: UInt64 = 0
    @usableFromInline var hopCount: Int32 = 0
    @usableFromInline var hopSteepest: Int32 = Int32.min

    /// Designs the detector (configuration time).
    /// - Parameters:
    ///   - sampleRate: Hz (8 000 … 48 000).
    ///   - riseDbPerMs: envelope rise rate that marks an onset, dB/ms (> 0).
    ///   - windowMs: span over which the rise is measured, ms (0.25 … 7.75;
    ///     rounded to whole 0.25 ms checkpoints).
    ///   - attackMs, releaseMs: envelope time constants, ms.
    ///   - refractoryMs: dead time after an onset, ms.
    ///   - minimumLevelDBFS: quietest pre-emphasised envelope that may fire, dBFS.
    public init(sampleRate: Int32, riseDbPerMs: Double = 1.5, windowMs: Double = 1,
                attackMs: Double = 1, releaseMs: Double = 50, refractoryMs: Double = 50,
                minimumLevelDBFS: Double = -80) {
        precondition(sampleRate >= 4_000 && sampleRate <= 64_000, "OnsetDetector: sampleRate must be 4000…64000 Hz")
        precondition(riseDbPerMs > 0, "OnsetDetector: riseDbPerMs must be > 0")
        precondition(refractoryMs >= 0, "OnsetDetector: refractoryMs must be ≥ 0")
        let fs = Double(Int(sampleRate))
        let s = max(1, Int(sampleRate) / 4_000)
        let w = Int((windowMs * fs / 1_000 / Double(s)).rounded())
        precondition(w >= 1 && w < OnsetDetector.ringSize, "OnsetDetector: windowMs must span 1…31 checkpoints of 0.25 ms")
        let windowMsActual = Double(w * s) * 1_000 / fs
        stride = s
        window = w
        lag = max(1, Int((fs / 16_000).rounded()))
        thresholdQ8_8 = Int32((riseDbPerMs * windowMsActual * 256).rounded())
        minimumLevelQ8_8 = Int32((minimumLevelDBFS * 256).rounded())
        refractorySamples = Int((refractoryMs * fs / 1_000).rounded())
        refractoryLeft = refractorySamples
        windowMsInverseQ16 = Int64((65_536 / windowMsActual).rounded())
        follower = EnvelopeFollower(sampleRate: sampleRate, attackMs: attackMs, releaseMs: releaseMs)
    }

    /// Feeds Q15 samples (any count, 0 allowed); state carries across calls.
    /// Returns the offset in samples, within this block, of the first onset
    /// detected during the call (0 if that onset began in an earlier block),
    /// or −1 when none fired. `lastOnsetSample` holds the exact position.
    @inlinable
    public mutating func process(_ block: UnsafeBufferPointer<Int16>) -> Int {
        let blockStart = samples
        var result = -1
        for x in block {
            let v = Int32(x)
            let e = (v &- history[historyIndex]) &>> 1   // |e| ≤ 32768
            history[historyIndex] = v
            historyIndex = historyIndex &+ 1 == lag ? 0 : historyIndex &+ 1
            let p = Widen.product(e, e)                    // ≤ 2^30
            let before = follower.meanSquare
            _ = follower.step(power: p)
            if jump < 0 && (p &<< 6) > (before &<< 2) && p > 0 { jump = Int32(truncatingIfNeeded: phase) }
            let m = v < 0 ? 0 &- v : v
            if m > hopPeak { hopPeak = m }
            hopSum &+= UInt64(bitPattern: Widen.product(v, v))
            hopCount &+= 1
            samples &+= 1
            phase &+= 1
            if phase == stride {
                if checkpoint() && result < 0 {
                    let offset = onsetSample &- blockStart
                    result = offset < 0 ? 0 : Int(truncatingIfNeeded: offset)
                }
            }
        }
        return result
    }

    /// Closes a checkpoint; returns true when an onset fired.
    @inlinable
    mutating func checkpoint() -> Bool {
        let level = Int32(EnvelopeFollower.dBFS(meanSquare: follower.meanSquare))
        let closing = jump
        jump = -1
        phase = 0
        return closeCheckpoint(level: level, jump: closing)
    }

    /// The checkpoint logic for a checkpoint whose envelope read `level`
    /// (Q8.8 dBFS, `EnvelopeFollower.dBFS` of the follower's mean square) and
    /// whose +6 dB jump was at `jump` samples into it (−1 if none). Callers
    /// that defer checkpoints must close them in order.
    @inlinable
    mutating func closeCheckpoint(level: Int32, jump: Int32) -> Bool {
        let i = checkpoints
        let slot = Int(truncatingIfNeeded: i & 31)
        levels[slot] = level
        jumps[slot] = jump
        checkpoints &+= 1
        if refractoryLeft > 0 { refractoryLeft &-= stride }
        let w = Widen.int64(window)
        guard i >= w else { return false }
        let base = levels[Int(truncatingIfNeeded: (i &- w) & 31)]
        let rise = level &- base
        if rise > hopSteepest { hopSteepest = rise }
        guard refractoryLeft <= 0, rise >= thresholdQ8_8, level >= minimumLevelQ8_8 else { return false }
        onsetSample = onsetPosition(checkpoint: i, base: base)
        onsets &+= 1
        refractoryLeft = refractorySamples
        return true
    }

    /// Where the onset that fired at checkpoint `i` (whose level rose from
    /// `base`, Q8.8 dBFS) began, in samples since `init`: walks back to the
    /// first checkpoint of the rise — the earliest j in the window whose
    /// predecessor is still within half the threshold of base — refined by
    /// that checkpoint's +6 dB jump. Reads the rings only.
    @usableFromInline
    func onsetPosition(checkpoint i: Int64, base: Int32) -> Int64 {
        let w = Widen.int64(window)
        var j = i
        let half = thresholdQ8_8 &>> 1
        while j > i &- w &+ 1 && levels[Int(truncatingIfNeeded: (j &- 1) & 31)] &- base >= half { j &-= 1 }
        let refine = jumps[Int(truncatingIfNeeded: j & 31)]
        return j &* Widen.int64(stride) &+ (refine > 0 ? Widen.int64(refine) : 0)
    }

    /// `closeCheckpoint` for `count` checkpoints in order (levels Q8.8 dBFS
    /// in the low 32 bits of `levels[c]`, jumps in `jumps[c]`), with the
    /// detector's counters in registers across them (`AnalysisChain` closes
    /// a hop's checkpoints so). Returns the offset from `blockStart` of the
    /// first onset fired (0 if it began before `blockStart`), or −1.
    @inlinable @inline(__always)
    mutating func closeCheckpoints(levels lv: UnsafePointer<Int64>, jumps jp: UnsafePointer<Int32>,
                                   count: Int, blockStart: Int64) -> Int {
        var result = -1
        var i = checkpoints
        var refractory = refractoryLeft
        var steepest = hopSteepest
        let w = Widen.int64(window)
        let s = stride
        let threshold = thresholdQ8_8, minimum = minimumLevelQ8_8
        var c = 0
        while c < count {
            let level = Int32(truncatingIfNeeded: lv[c])
            let slot = Int(truncatingIfNeeded: i & 31)
            levels[slot] = level
            jumps[slot] = jp[c]
            if refractory > 0 { refractory &-= s }
            if i >= w {
                let base = levels[Int(truncatingIfNeeded: (i &- w) & 31)]
                let rise = level &- base
                if rise > steepest { steepest = rise }
                if refractory <= 0 && rise >= threshold && level >= minimum {
                    let at = onsetPosition(checkpoint: i, base: base)
                    onsetSample = at
                    onsets &+= 1
                    refractory = refractorySamples
                    if result < 0 {
                        let offset = at &- blockStart
                        result = offset < 0 ? 0 : Int(truncatingIfNeeded: offset)
                    }
                }
            }
            i &+= 1
            c &+= 1
        }
        checkpoints = i
        refractoryLeft = refractory
        hopSteepest = steepest
        return result
    }

    /// Absolute index (samples since `init`) of the most recent onset, or −1.
    @inlinable public var lastOnsetSample: Int64 { onsetSample }
    /// Number of onsets detected since `init`.
    @inlinable public var onsetCount: Int64 { onsets }
    /// Samples processed since `init`.
    @inlinable public var sampleCount: Int64 { samples }
    /// Pre-emphasised envelope level now, Q8.8 dBFS.
    @inlinable public var envelopeQ8_8: Int16 { follower.levelQ8_8 }

    /// Returns the features of the samples fed since the previous call (one
    /// hop) and starts a new hop.
    public mutating func endHop() -> OnsetHopFeatures {
        endHop(peak: hopPeak, sum: hopSum, count: hopCount)
    }

    /// `endHop()` with the hop's peak |x|, Σx² and sample count measured by
    /// the caller (`AnalysisChain` measures them once for the whole frame).
    @usableFromInline
    mutating func endHop(peak: Int32, sum: UInt64, count: Int32) -> OnsetHopFeatures {
        var f = OnsetHopFeatures()
        if sum > 0 {
            let peakSquare = Widen.uint64(UInt32(bitPattern: peak &* peak))
            let crest = Decibel.powerQ8_8(peakSquare &* Widen.uint64(UInt32(bitPattern: count)))
                &- Decibel.powerQ8_8(sum)
            f.crest = Saturate.toInt16(max(0, crest))
        }
        if hopSteepest != Int32.min {
            f.riseRate = Saturate.toInt16((Widen.int64(hopSteepest) &* windowMsInverseQ16 &+ 32_768) &>> 16)
        }
        hopPeak = 0
        hopSum = 0
        hopCount = 0
        hopSteepest = Int32.min
        return f
    }
}

/// Per-hop outputs of `OnsetDetector.endHop()`.
public struct OnsetHopFeatures: Equatable, Sendable {
    /// Crest factor of the hop's raw samples, peak over RMS, Q8.8 dB (a sine
    /// whose peak is sampled reads 3.01 dB; silence reads 0).
    public var crest: Int16 = 0
    /// Steepest envelope rise over the detector window seen in the hop,
    /// Q8.8 dB per ms (0 when no checkpoint closed in the hop).
    public var riseRate: Int16 = 0
    public init() {}
}
