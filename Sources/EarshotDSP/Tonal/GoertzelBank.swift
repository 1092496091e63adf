// Goertzel bank: up to 16 bins in lockstep (SIMD16 lanes), block or
// hop-based sliding mode. Q15 samples in, Q8.8 dBFS power per bin out.

/// A bank of up to 16 Goertzel resonators (`FeatureFrame.binCount`) run in
/// lockstep, one SIMD16 lane per bin.
///
/// **Formats.** Input: Q15 samples (`Int16`). Coefficient `c = 2cos(ω)` in
/// Q30 (`|c| < 2^31`, one Int32), ω = 2π·f/fs. State `s[n] = x[n] +
/// round(c·s[n−1]/2^30) − s[n−2]` in Int32 lanes holding integers in Q15
/// units (no fraction bits); each product is one 32×32→64 multiply.
/// Output: power per bin in Q8.8 dBFS, normalised so a sine of peak amplitude
/// A (Q15 units) exactly at the bin frequency reads 20·log10(A/32768)
/// (AES17, like `Decibel`); bins beyond `binCount` and silence read
/// `FeatureFrame.floor` (−120 dBFS).
///
/// **Headroom.** `s[n] = Σ x[k]·sin(ω(n−k+1))/sin ω`, so after N samples
/// `|s| ≤ 32768.5·N/|sin ω|` (the rounding error, ≤ ½ LSB a step, enters
/// like input). Only bins with `N/|sin ω| ≤ 65 000` are computed (others are
/// inactive, see `isActive`), hence `|s| ≤ 2.13·10^9 < 2^31` for any input,
/// including full-scale square waves: the state never wraps. With N = 2 048
/// (`maxBlockSamples`) this admits bins from fs/199 to
/// fs/2 − fs/199 (81 Hz … 7 919 Hz at 16 kHz, 241 Hz … 23 759 Hz at 48 kHz);
/// with N = 160 at 16 kHz, 6.3 Hz … 7 994 Hz.
/// The final power `|X|² = (s1 − cos ω·s2)² + (sin ω·s2)²` has `|X| ≤ 32768·N
/// ≤ 2^26`; each term is clamped to 2^31 before squaring, so it cannot wrap.
///
/// **Modes.** The block spans `blockSamples = overlap × hopSamples` samples
/// (`overlap` 1…4). `overlap == 1` is plain block mode: a power every N
/// samples, then reset. `overlap > 1` is the sliding mode: `overlap`
/// resonator sets started one hop apart, so every hop one set has seen exactly
/// the last N samples; it publishes its power and restarts. Cost per sample is
/// `overlap` × 16 lanes. Until N samples have arrived the first blocks are
/// computed as if the stream had been preceded by silence.
public struct GoertzelBank {
    /// Largest block length in samples.
    public static let maxBlockSamples = 2_048
    /// Largest number of overlapping resonator sets (sliding mode).
    public static let maxOverlap = 4

    /// Number of active bins (0 … 16); lanes from `binCount` on read `floor`.
    public let binCount: Int
    /// Samples per block N (the span of each power estimate).
    public let blockSamples: Int
    /// Samples between successive power outputs.
    public let hopSamples: Int
    /// Number of overlapping resonator sets: blockSamples / hopSamples.
    public let overlap: Int

    @usableFromInline let coefficient: SIMD16<Int32>  // 2cos ω, Q30
    @usableFromInline let cosine: SIMD16<Int32>       // cos ω, Q30
    @usableFromInline let sine: SIMD16<Int32>         // sin ω, Q30
    @usableFromInline let offsetQ8_8: Int32            // powerQ8_8(|X|²) → dBFS
    @usableFromInline let rounding: Int64 = 1 &<< 29   // ½ LSB of the Q30 product
    @usableFromInline let laneCoefficient: SIMD16<Int64>     // c sign-extended (SIMD kernel)
    @usableFromInline let activeMask: SIMDMask<SIMD16<Int16>.MaskStorage>

    /// Whether bin `k` is computed: k < binCount, its frequency lies in
    /// (0, fs/2) and blockSamples/sin(2πf/fs) ≤ 65 000 (headroom). Inactive
    /// bins read `FeatureFrame.floor`; configuration checks should report them.
    public func isActive(_ k: Int) -> Bool { k >= 0 && k < 16 && activeMask[k] }
    @usableFromInline var sets: InlineArray<4, GoertzelResonators>

    /// Power of the most recently completed block per bin, Q8.8 dBFS.
    @inlinable public var power: SIMD16<Int16> { latestPower }
    /// Number of blocks completed since `init` (one per hop once running).
    @inlinable public var completedBlocks: Int64 { blocksDone }
    @usableFromInline var latestPower = SIMD16<Int16>(repeating: FeatureFrame.floor)
    @usableFromInline var blocksDone: Int64 = 0

    /// Designs the bank (configuration time, `DesignMath`).
    /// - Parameters:
    ///   - sampleRate: Hz.
    ///   - frequencies: bin frequencies in Hz; the first `binCount` are used
    ///     (see `isActive` for the bins that are not computable at this rate).
    ///   - binCount: active bins, 0 … 16.
    ///   - blockSamples: N, samples per power estimate, 1 … 2 048.
    ///   - hopSamples: samples between outputs; N must be 1…4 times the hop.
    public init(sampleRate: Int32, frequencies: SIMD16<Float>, binCount: Int32,
                blockSamples: Int32, hopSamples: Int32) {
        precondition(sampleRate >= 1_000, "GoertzelBank: sampleRate must be ≥ 1000 Hz")
        precondition(binCount >= 0 && binCount <= 16, "GoertzelBank: binCount must be 0…16")
        precondition(blockSamples >= 1 && blockSamples <= 2_048, "GoertzelBank: blockSamples must be 1…2048")
        precondition(hopSamples >= 1 && blockSamples % hopSamples == 0 && blockSamples / hopSamples <= 4,
                     "GoertzelBank: blockSamples must be 1, 2, 3 or 4 times hopSamples")
        let n = Int(blockSamples)
        let fs = Double(Int(sampleRate))
        var c = SIMD16<Int32>(repeating: 0)
        var co = SIMD16<Int32>(repeating: 0)
        var si = SIMD16<Int32>(repeating: 1 << 30)
        var mask = SIMDMask<SIMD16<Int16>.MaskStorage>(repeating: false)
        for k in 0..<Int(binCount) {
            // A bin outside (0, fs/2), or too close to 0 or Nyquist for the
            // headroom bound N/sin ω ≤ 65 000, stays inactive: it reads
            // `FeatureFrame.floor` ("not active at this sample rate").
            let f = Double(frequencies[k])
            guard f > 0 && f < fs / 2 else { continue }
            let w = 2 * DesignMath.pi * f / fs
            let sw = DesignMath.sin(w)
            guard Double(n) / sw <= 65_000 else { continue }
            let cw = DesignMath.cos(w)
            c[k] = Int32((2 * cw * 1_073_741_824).rounded())
            co[k] = Int32((cw * 1_073_741_824).rounded())
            si[k] = Int32((sw * 1_073_741_824).rounded())
            mask[k] = true
        }
        // Inactive lanes keep c = 0 (fs/4 resonator, |s| ≤ 32768·N): bounded.
        self.binCount = Int(binCount)
        self.blockSamples = n
        self.hopSamples = Int(hopSamples)
        self.overlap = n / Int(hopSamples)
        self.coefficient = c
        self.cosine = co
        self.sine = si
        self.activeMask = mask
        var cl = SIMD16<Int64>(repeating: 0)
        for k in 0..<16 { cl[k] = Widen.int64(c[k]) }
        self.laneCoefficient = cl
        // A sine of amplitude A on the bin: |X| = A·N/2; want 10·log10(A²/2^30),
        // i.e. 10·log10(|X|²) − 10·log10(N²·2^28).
        self.offsetQ8_8 = Int32((-10 * DesignMath.log10(Double(n) * Double(n) * 268_435_456.0) * 256).rounded())
        var s = InlineArray<4, GoertzelResonators>(repeating: GoertzelResonators())
        for j in 0..<4 { s[j].remaining = (j + 1) * Int(hopSamples) }
        self.sets = s
    }

    /// Feeds Q15 samples (any count, 0 allowed); state carries across calls.
    /// Returns the number of blocks completed during this call; `power`
    /// holds the latest one.
    @inlinable
    public mutating func process(_ samples: UnsafeBufferPointer<Int16>) -> Int {
        var sink = SIMD16<Int16>()
        return withUnsafeMutablePointer(to: &sink) { p in
            process(samples, powers: UnsafeMutableBufferPointer(start: p, count: 1), keepLatestOnly: true)
        }
    }

    /// Feeds Q15 samples and writes every completed block's power (Q8.8
    /// dBFS per bin) to `powers` in order. `powers` needs room for
    /// `samples.count / hopSamples + 1` entries. Returns how many were written.
    @inlinable
    public mutating func process(_ samples: UnsafeBufferPointer<Int16>,
                                 powers: UnsafeMutableBufferPointer<SIMD16<Int16>>) -> Int {
        process(samples, powers: powers, keepLatestOnly: false)
    }

    @inlinable
    mutating func process(_ samples: UnsafeBufferPointer<Int16>,
                          powers: UnsafeMutableBufferPointer<SIMD16<Int16>>, keepLatestOnly: Bool) -> Int {
        var written = 0
        var start = 0
        let total = samples.count
        while start < total {
            // Run every set up to the next completion (or the end of input).
            var segment = total - start
            for j in 0..<overlap where sets[j].remaining < segment { segment = sets[j].remaining }
            let slice = UnsafeBufferPointer(rebasing: samples[start..<start + segment])
            for j in 0..<overlap {
                #if arch(x86_64) || arch(arm64)
                sets[j].runLanes(slice, coefficient: laneCoefficient)
                #else
                sets[j].run(slice, coefficient: coefficient, rounding: rounding)
                #endif
                sets[j].remaining &-= segment
                if sets[j].remaining == 0 {
                    latestPower = blockPower(sets[j])
                    blocksDone &+= 1
                    if keepLatestOnly { powers[0] = latestPower } else { powers[written] = latestPower }
                    written &+= 1
                    sets[j] = GoertzelResonators()
                    sets[j].remaining = blockSamples
                }
            }
            start &+= segment
        }
        return written
    }

    #if arch(x86_64) || arch(arm64)
    /// For a caller that runs the resonators inside its own sample loop:
    /// the lane kernel of the single resonator set when the next `count`
    /// samples stay within its block (block mode, `overlap == 1`), else nil
    /// (then call `process`). Feed every sample to `step` as x·2^30, then
    /// hand the kernel back with `finish(_:count:)`.
    @inlinable @inline(__always)
    func lanesAlongside(count: Int) -> GoertzelResonators.LaneKernel? {
        guard overlap == 1, count <= sets[0].remaining else { return nil }
        return sets[0].laneKernel(coefficient: laneCoefficient)
    }

    /// Stores the state of `lanes` after `count` samples and completes the
    /// block if it ended (the bookkeeping of `process`).
    @inlinable @inline(__always)
    mutating func finish(_ lanes: GoertzelResonators.LaneKernel, count: Int) {
        sets[0].store(lanes)
        sets[0].remaining &-= count
        if sets[0].remaining == 0 {
            latestPower = blockPower(sets[0])
            blocksDone &+= 1
            sets[0] = GoertzelResonators()
            sets[0].remaining = blockSamples
        }
    }
    #endif

    /// Q8.8 dBFS per bin from a set's final state s1 = s[N−1], s2 = s[N−2].
    @inlinable
    func blockPower(_ r: GoertzelResonators) -> SIMD16<Int16> {
        // Every lane in a fixed-count loop (independent dB conversions that
        // pipeline; inactive lanes hold bounded states), then the inactive
        // ones replaced by the floor: no run-time-indexed vector stores.
        // Lanes are read and written through pointers: indexing a vector
        // with a loop variable moves the whole vector through the stack on
        // every lane. (A tuple of one element type is laid out contiguously.)
        var out = SIMD16<Int16>(repeating: FeatureFrame.floor)
        var inputs = (r.s1, r.s2, cosine, sine)
        let offset = offsetQ8_8
        withUnsafeMutablePointer(to: &out) { vector in
            UnsafeMutableRawPointer(vector).withMemoryRebound(to: Int16.self, capacity: 16) { lane in
                withUnsafePointer(to: &inputs) { all in
                    UnsafeRawPointer(all).withMemoryRebound(to: Int32.self, capacity: 64) { v in
                        for k in 0..<16 {
                            let s1 = Widen.int64(v[k]), s2 = v[16 &+ k], c = v[32 &+ k], sn = v[48 &+ k]
                            let re = GoertzelBank.clamp31(s1 &- ((Widen.product(s2, c) &+ (1 &<< 29)) &>> 30))
                            let im = GoertzelBank.clamp31((Widen.product(s2, sn) &+ (1 &<< 29)) &>> 30)
                            let p = UInt64(bitPattern: re &* re) &+ UInt64(bitPattern: im &* im)
                            let db = Decibel.powerQ8_8(p) &+ offset
                            lane[k] = Saturate.toInt16(max(db, Int32(FeatureFrame.floor)))
                        }
                    }
                }
            }
        }
        return SIMD16<Int16>(repeating: FeatureFrame.floor).replacing(with: out, where: activeMask)
    }

    @inlinable @inline(__always)
    static func clamp31(_ x: Int64) -> Int64 {
        if x > 2_147_483_648 { return 2_147_483_648 }
        if x < -2_147_483_648 { return -2_147_483_648 }
        return x
    }
}

/// One set of 16 Goertzel resonators (state s[n−1], s[n−2] per lane, Q15
/// units in Int32) and the samples left until its block completes.
@usableFromInline
struct GoertzelResonators {
    @usableFromInline var s1 = SIMD16<Int32>(repeating: 0)
    @usableFromInline var s2 = SIMD16<Int32>(repeating: 0)
    @usableFromInline var remaining = 0

    @inlinable
    init() {}

    /// The per-sample path: s = x + round(c·s1 / 2^30) − s2 in every lane
    /// (one multiply, add, shift, subtract per lane). Lanes run in four
    /// groups of four with the state in registers (Int64 locals on 64-bit
    /// targets, so no sign extension; the values always fit Int32), two
    /// samples per iteration so the state rotates without moves.
    /// `rounding` is 2^29 (passed in, not a literal, so the optimiser keeps
    /// x·2^30 + 2^29 as one shared term instead of re-adding 2^29 per lane).
    @inlinable
    mutating func run(_ x: UnsafeBufferPointer<Int16>, coefficient c: SIMD16<Int32>, rounding: Int64) {
        let n = x.count
        var g = 0
        while g < 16 {
            let c0 = Widen.int64(c[g]), c1 = Widen.int64(c[g &+ 1]), c2 = Widen.int64(c[g &+ 2]), c3 = Widen.int64(c[g &+ 3])
            var a0 = Widen.int64(s1[g]), a1 = Widen.int64(s1[g &+ 1]), a2 = Widen.int64(s1[g &+ 2]), a3 = Widen.int64(s1[g &+ 3])
            var b0 = Widen.int64(s2[g]), b1 = Widen.int64(s2[g &+ 1]), b2 = Widen.int64(s2[g &+ 2]), b3 = Widen.int64(s2[g &+ 3])
            var i = 0
            while i &+ 1 < n {
                // (c·a + 2^29 + x·2^30) >> 30 = x + round(c·a / 2^30) exactly.
                let xh = (Widen.int64(x[i]) &<< 30) &+ rounding
                b0 = GoertzelResonators.scaled(c0, a0, xh) &- b0
                b1 = GoertzelResonators.scaled(c1, a1, xh) &- b1
                b2 = GoertzelResonators.scaled(c2, a2, xh) &- b2
                b3 = GoertzelResonators.scaled(c3, a3, xh) &- b3
                let xk = (Widen.int64(x[i &+ 1]) &<< 30) &+ rounding
                a0 = GoertzelResonators.scaled(c0, b0, xk) &- a0
                a1 = GoertzelResonators.scaled(c1, b1, xk) &- a1
                a2 = GoertzelResonators.scaled(c2, b2, xk) &- a2
                a3 = GoertzelResonators.scaled(c3, b3, xk) &- a3
                i &+= 2
            }
            if i < n {
                let xh = (Widen.int64(x[i]) &<< 30) &+ rounding
                b0 = GoertzelResonators.scaled(c0, a0, xh) &- b0; swap(&a0, &b0)
                b1 = GoertzelResonators.scaled(c1, a1, xh) &- b1; swap(&a1, &b1)
                b2 = GoertzelResonators.scaled(c2, a2, xh) &- b2; swap(&a2, &b2)
                b3 = GoertzelResonators.scaled(c3, a3, xh) &- b3; swap(&a3, &b3)
            }
            s1[g] = Int32(truncatingIfNeeded: a0); s1[g &+ 1] = Int32(truncatingIfNeeded: a1)
            s1[g &+ 2] = Int32(truncatingIfNeeded: a2); s1[g &+ 3] = Int32(truncatingIfNeeded: a3)
            s2[g] = Int32(truncatingIfNeeded: b0); s2[g &+ 1] = Int32(truncatingIfNeeded: b1)
            s2[g &+ 2] = Int32(truncatingIfNeeded: b2); s2[g &+ 3] = Int32(truncatingIfNeeded: b3)
            g &+= 4
        }
    }

    #if arch(x86_64) || arch(arm64)
    /// The same recursion, bit for bit, as 16 signed 64-bit SIMD lanes
    /// (64-bit targets): s = ((c·a + x·2^30 + 2^29) >> 30) − b per lane, the
    /// product a signed 32×32→64 multiply of the lanes' low halves (one
    /// VPMULDQ per 8 lanes with AVX-512, 4 with AVX2, SMULL on NEON) and a
    /// logical shift (VPSRLQ; see `LaneKernel.step`). The product reads a lane's low 32 bits, so the lanes
    /// hold the state modulo 2^32 like `run`'s Int32 store; the headroom
    /// bound keeps it from wrapping at all. Four vector operations per 8 lanes
    /// and a loop-carried path of multiply + add + shift + subtract.
    @inlinable
    mutating func runLanes(_ x: UnsafeBufferPointer<Int16>, coefficient: SIMD16<Int64>) {
        var lanes = laneKernel(coefficient: coefficient)
        for v in x { lanes.step(Widen.int64(v) &<< 30) }
        store(lanes)
    }

    /// The state in sign-extended Int64 lanes with the coefficients, for
    /// `runLanes` or a caller's own sample loop (`AnalysisChain`).
    /// (Lanes are converted through pointers: the generic SIMD conversion
    /// initialisers are not specialised and cost a call per vector.)
    @inlinable @inline(__always)
    func laneKernel(coefficient: SIMD16<Int64>) -> LaneKernel {
        var k = LaneKernel(a: SIMD16<Int64>(), b: SIMD16<Int64>(), c: coefficient)
        var state = (s1, s2)
        withUnsafePointer(to: &state) { sp in
            withUnsafeMutablePointer(to: &k.a) { ap in
                withUnsafeMutablePointer(to: &k.b) { bp in
                    let src = UnsafeRawPointer(sp).assumingMemoryBound(to: Int32.self)
                    let a = UnsafeMutableRawPointer(ap).assumingMemoryBound(to: Int64.self)
                    let b = UnsafeMutableRawPointer(bp).assumingMemoryBound(to: Int64.self)
                    for j in 0..<16 {
                        a[j] = Widen.int64(src[j])
                        b[j] = Widen.int64(src[16 &+ j])
                    }
                }
            }
        }
        return k
    }

    /// Writes a lane kernel's state back (low 32 bits of each lane).
    @inlinable @inline(__always)
    mutating func store(_ lanes: LaneKernel) {
        var state = (lanes.a, lanes.b)
        var out = (SIMD16<Int32>(), SIMD16<Int32>())
        withUnsafePointer(to: &state) { sp in
            withUnsafeMutablePointer(to: &out) { op in
                let src = UnsafeRawPointer(sp).assumingMemoryBound(to: Int64.self)
                let dst = UnsafeMutableRawPointer(op).assumingMemoryBound(to: Int32.self)
                for j in 0..<32 { dst[j] = Int32(truncatingIfNeeded: src[j]) }
            }
        }
        s1 = out.0
        s2 = out.1
    }

    /// 16 resonators in signed Int64 lanes (see `runLanes`).
    @usableFromInline
    struct LaneKernel {
        @usableFromInline var a, b: SIMD16<Int64>
        @usableFromInline let c: SIMD16<Int64>

        @inlinable
        init(a: SIMD16<Int64>, b: SIMD16<Int64>, c: SIMD16<Int64>) {
            self.a = a; self.b = b; self.c = c
        }

        /// One sample, given as x·2^30 (Q15 sample shifted left by 30).
        @inlinable @inline(__always)
        mutating func step(_ xShifted: Int64) {
            let xh = SIMD16<Int64>(repeating: xShifted &+ (1 &<< 29))
            // Sign-extending both operands from 32 bits is the VPMULDQ/SMULL
            // pattern (c is already sign-extended; a is the state mod 2^32).
            let p = ((c &<< 32) &>> 32) &* ((a &<< 32) &>> 32) &+ xh
            // `p >> 30` shifted logically: its low 32 bits are the arithmetic
            // shift's, and the state is only ever read modulo 2^32 (products
            // of low halves, `store`'s truncation, this subtraction's low
            // half), so the frames are the same. One VPSRLQ on AVX2, which
            // has no 64-bit arithmetic shift (three instructions emulate it);
            // the same single instruction on AVX-512 and NEON.
            let q = unsafeBitCast(unsafeBitCast(p, to: SIMD16<UInt64>.self) &>> 30, to: SIMD16<Int64>.self)
            let y = q &- b
            b = a
            a = y
        }
    }
    #endif

    /// (c·s + xh) >> 30 for a Q30 coefficient c and xh = x·2^30 + 2^29, i.e.
    /// x + round(c·s / 2^30). c and s hold Int32 values (|c·s| < 2^62);
    /// |result| < 2^31 by the bank's headroom bound. On 32-bit targets the
    /// product is one 32×32→64 multiply (SMULL).
    @inlinable @inline(__always)
    static func scaled(_ c: Int64, _ s: Int64, _ xh: Int64) -> Int64 {
        #if _pointerBitWidth(_32)
        return (Widen.product(Int32(truncatingIfNeeded: c), Int32(truncatingIfNeeded: s)) &+ xh) &>> 30
        #else
        return (c &* s &+ xh) &>> 30
        #endif
    }
}
