// The chain's per-sample scalar stages fused into one pass over the hop:
// DC blocker → calibration gain → conditioned sample, then Σx²/peak/clipping,
// the envelope follower and the onset detector's per-sample work. Each of
// these has its own loop-carried recursion (DC state, two follower states);
// in one loop the out-of-order core runs them side by side instead of one
// after another. The arithmetic is the stages' own, operation for operation,
// so the frames are bit-identical to running the stages separately
// (checked by Tools/bench/frames_check.sh and the chain tests).

/// What the fused front end measured over one hop (Q15 conditioned samples).
@usableFromInline
struct FrontEndHop {
    /// Σx² of the conditioned hop, Q30 units.
    @usableFromInline var sum: UInt64 = 0
    /// Largest |x|, Q15 (0 … 32768).
    @usableFromInline var peak: Int32 = 0
    /// Samples with |x| ≥ 32767.
    @usableFromInline var clipped: Int16 = 0
    /// `OnsetDetector.process`'s result for the hop: offset of the first
    /// onset fired during it (0 if it began in an earlier hop), or −1.
    @usableFromInline var onsetOffset: Int = -1

    @inlinable init() {}
}

extension AnalysisChain {
    /// Samples kept in front of the conditioned hop in `scratch`: the last
    /// `OnsetDetector.lag` (≤ 4) conditioned samples of the previous hop, so
    /// the pre-emphasis x[n] − x[n−D] reads one contiguous buffer.
    @usableFromInline static let historySlots = 4

    /// Most onset checkpoints one hop can close: hop ≤ 1 024 samples and a
    /// checkpoint every fs/4000 ≥ 2 samples (fs ≥ 8 000 Hz).
    @usableFromInline static let maxCheckpointsPerHop = 513

    /// `scratch` layout, in Int64 words: the conditioned hop with its history
    /// (1 028 Int16), then the checkpoints' mean squares (Int64), then their
    /// jump offsets (Int32).
    @usableFromInline static let scratchSampleWords = 257
    @usableFromInline static let scratchWords = 257 + 513 + 257

    /// Runs DC blocking, gain, envelope and onset detection
    /// over `hop` (handing each conditioned sample to `alongside`), writing the conditioned Q15 samples to `x[0..<hop.count]`;
    /// `x[−4 ..< 0]` must be writable (the pre-emphasis history goes there).
    /// `applyGain` false skips the gain stage: only for a unity gain (Q27
    /// 2^27), where it is the identity on every Q15 value.
    /// The stages are passed one by one (not `self`) so the caller may hold
    /// a pointer into `scratch` meanwhile. The onset checkpoints that close
    /// during the hop are only recorded in the loop (follower mean square and
    /// jump, into `meanSquares`/`jumps`, room for `maxCheckpointsPerHop`) and
    /// run afterwards in order: their dB conversions are independent of
    /// each other, so they pipeline instead of stalling the sample loop.
    @inlinable @inline(__always)
    static func frontEnd(_ hop: UnsafeBufferPointer<Int16>, into x: UnsafeMutablePointer<Int16>, applyGain: Bool,
                         meanSquares: UnsafeMutablePointer<Int64>, jumps: UnsafeMutablePointer<Int32>,
                         dcBlocker: inout DCBlocker, gain: CalibrationGain,
                         envelope: inout EnvelopeFollower, onset: inout OnsetDetector,
                         alongside: (Int32) -> Void) -> FrontEndHop {
        var out = FrontEndHop()
        guard let src = hop.baseAddress else { return out }
        let n = hop.count
        // Onset pre-emphasis history, oldest first, right before x[0].
        let lag = onset.lag
        var slot = onset.historyIndex
        for k in 0..<lag {
            x[k &- lag] = Int16(truncatingIfNeeded: onset.history[slot])
            slot = slot &+ 1 == lag ? 0 : slot &+ 1
        }
        // DC blocker state. Its ±2^30 output clamp is omitted here: the
        // blocker's impulse response has L1 norm 2 for any 0 ≤ R < 1 and the
        // accumulated rounding is ≤ ½/(1 − R) < 4 000 state units for
        // corners ≥ 1 Hz, so |y| ≤ 2·2^27 + 4 000 < 2^30: the clamp never acts.
        var loop = FrontEndLoop(src: src, x: x, meanSquares: meanSquares, jumps: jumps,
                                r: dcBlocker.r, g: gain.gainQ27,
                                eAttack: envelope.attack, eRelease: envelope.release,
                                oAttack: onset.follower.attack, oRelease: onset.follower.release,
                                lag: lag, stride: onset.stride,
                                dx1: dcBlocker.previousInput, dy1: dcBlocker.previousOutput,
                                ey: envelope.y, oy: onset.follower.y, jump: onset.jump, phase: onset.phase)
        let blockStart = onset.samples
        // Two samples per pass: unrolled, the vector state of `alongside`
        // (the Goertzel lanes) swaps roles between the two samples instead
        // of being copied register to register every sample.
        while loop.i &+ 2 <= n {
            loop.sample(applyGain: applyGain, alongside: alongside)
            loop.sample(applyGain: applyGain, alongside: alongside)
        }
        if loop.i < n { loop.sample(applyGain: applyGain, alongside: alongside) }
        let closed = loop.closed
        let dx1 = loop.dx1, dy1 = loop.dy1, ey = loop.ey, oy = loop.oy, jump = loop.jump, phase = loop.phase
        // The hop's checkpoints, in order (OnsetDetector.checkpoint()).
        var c = 0
        while c < closed {
            meanSquares[c] = Widen.int64(Int32(EnvelopeFollower.dBFS(meanSquare: meanSquares[c])))
            c &+= 1
        }
        out.onsetOffset = onset.closeCheckpoints(levels: meanSquares, jumps: jumps, count: closed, blockStart: blockStart)
        dcBlocker.previousInput = dx1
        dcBlocker.previousOutput = dy1
        envelope.y = ey
        onset.follower.y = oy
        onset.jump = jump
        onset.phase = phase
        onset.samples = blockStart &+ Widen.int64(n)
        // The ring now holds the hop's last `lag` samples, oldest at index 0.
        for k in 0..<lag { onset.history[k] = Int32(x[n &- lag &+ k]) }
        onset.historyIndex = 0
        return out
    }

    /// Broadband Σx² (Q30 units), peak |x| (Q15, 0 … 32768) and the count
    /// of samples with |x| ≥ 32 767 of the conditioned hop `x[0..<n]`, into
    /// `out`. A loop of its own, 16 samples a step (inside `frontEnd`'s loop
    /// these would spill its recursions; inside `frontEnd` itself the larger
    /// body stops it from being inlined and its state goes to memory).
    @inlinable
    static func hopStatistics(_ x: UnsafePointer<Int16>, count n: Int, into out: inout FrontEndHop) {
        var sum: UInt64 = 0
        var peak: Int32 = 0
        var clipped: Int16 = 0
        var i = 0
        // 32 samples a step as SIMD16<Int32> words (two Int16 each; little
        // endian: the low half is the earlier sample), split by shifts, so
        // no generic SIMD conversion runs. Mask-free lane arithmetic
        // (SIMDMask selects compile to per-lane loops): |v| = (v ^ s) − s
        // with s = v >> 31; (32 766 − |v|) >> 31 is −1 exactly where
        // |v| ≥ 32 767; max(a, b) = a + ((b − a) & ~((b − a) >> 31)) (no
        // overflow: 0 ≤ a, b ≤ 32 768). v² ≤ 2^30 is split into v² >> 8 and
        // v² & 255 so UInt32 lanes cannot overflow in a hop (≤ 64 adds).
        var peaks = SIMD16<Int32>(repeating: 0)
        var clips = SIMD16<Int32>(repeating: 0)
        var high = SIMD16<UInt32>(repeating: 0)
        var low = SIMD16<UInt32>(repeating: 0)
        let raw = UnsafeRawPointer(x)
        let limit = SIMD16<Int32>(repeating: 32_766)
        let byteMask = SIMD16<UInt32>(repeating: 255)
        while i &+ 32 <= n {
            let words = raw.loadUnaligned(fromByteOffset: i &* 2, as: SIMD16<Int32>.self)
            let v0 = (words &<< 16) &>> 16, v1 = words &>> 16
            let s0 = v0 &>> 31, s1 = v1 &>> 31
            let m0 = (v0 ^ s0) &- s0, m1 = (v1 ^ s1) &- s1
            let d0 = m0 &- peaks
            peaks = peaks &+ (d0 & ~(d0 &>> 31))
            let d1 = m1 &- peaks
            peaks = peaks &+ (d1 & ~(d1 &>> 31))
            clips &-= ((limit &- m0) &>> 31) &+ ((limit &- m1) &>> 31)
            let q0 = unsafeBitCast(v0 &* v0, to: SIMD16<UInt32>.self), q1 = unsafeBitCast(v1 &* v1, to: SIMD16<UInt32>.self)
            high &+= (q0 &>> 8) &+ (q1 &>> 8)
            low &+= (q0 & byteMask) &+ (q1 & byteMask)
            i &+= 32
        }
        withUnsafePointer(to: &peaks) { pp in
            withUnsafePointer(to: &clips) { cp in
                withUnsafePointer(to: &high) { hp in
                    withUnsafePointer(to: &low) { lp in
                        let pk = UnsafeRawPointer(pp).assumingMemoryBound(to: Int32.self)
                        let cl = UnsafeRawPointer(cp).assumingMemoryBound(to: Int32.self)
                        let hi = UnsafeRawPointer(hp).assumingMemoryBound(to: UInt32.self)
                        let lo = UnsafeRawPointer(lp).assumingMemoryBound(to: UInt32.self)
                        var c: Int32 = 0
                        var h: UInt64 = 0, l: UInt64 = 0
                        for k in 0..<16 {
                            if pk[k] > peak { peak = pk[k] }
                            c &+= cl[k]
                            h &+= Widen.uint64(hi[k])
                            l &+= Widen.uint64(lo[k])
                        }
                        clipped = Int16(truncatingIfNeeded: c)
                        sum = (h &<< 8) &+ l
                    }
                }
            }
        }
        while i < n {
            let v = Int32(x[i])
            let m = v < 0 ? 0 &- v : v
            if m > peak { peak = m }
            if m >= 32_767 { clipped &+= 1 }
            sum &+= UInt64(bitPattern: Widen.product(v, v))
            i &+= 1
        }
        out.sum = sum
        out.peak = peak
        out.clipped = clipped
    }
}

/// `AnalysisChain.frontEnd`'s per-sample work and loop state (a value with
/// an always-inlined method, so the loop can be unrolled without a local
/// function, whose captured variables would be boxes in Embedded Swift).
@usableFromInline
struct FrontEndLoop {
    @usableFromInline let src: UnsafePointer<Int16>
    @usableFromInline let x: UnsafeMutablePointer<Int16>
    @usableFromInline let meanSquares: UnsafeMutablePointer<Int64>
    @usableFromInline let jumps: UnsafeMutablePointer<Int32>
    @usableFromInline let r: Int64, g: Int32
    @usableFromInline let eAttack: Int64, eRelease: Int64, oAttack: Int64, oRelease: Int64
    @usableFromInline let lag: Int, stride: Int
    @usableFromInline var dx1: Int64, dy1: Int64, ey: Int64, oy: Int64
    @usableFromInline var jump: Int32
    @usableFromInline var phase: Int
    @usableFromInline var closed = 0
    @usableFromInline var i = 0

    @inlinable
    init(src: UnsafePointer<Int16>, x: UnsafeMutablePointer<Int16>,
         meanSquares: UnsafeMutablePointer<Int64>, jumps: UnsafeMutablePointer<Int32>,
         r: Int64, g: Int32, eAttack: Int64, eRelease: Int64, oAttack: Int64, oRelease: Int64,
         lag: Int, stride: Int, dx1: Int64, dy1: Int64, ey: Int64, oy: Int64, jump: Int32, phase: Int) {
        self.src = src; self.x = x; self.meanSquares = meanSquares; self.jumps = jumps
        self.r = r; self.g = g
        self.eAttack = eAttack; self.eRelease = eRelease; self.oAttack = oAttack; self.oRelease = oRelease
        self.lag = lag; self.stride = stride
        self.dx1 = dx1; self.dy1 = dy1; self.ey = ey; self.oy = oy; self.jump = jump; self.phase = phase
    }

    /// Sample `i`: DC blocker, gain, `alongside`, envelope, onset follower
    /// and jump, checkpoint bookkeeping; then `i` advances.
    @inlinable @inline(__always)
    mutating func sample(applyGain: Bool, alongside: (Int32) -> Void) {
        let x0 = Widen.int64(src[i]) &<< 12
        // (Δx·2^30 + 2^29) first: one add after the product on the
        // loop-carried path (wrapping adds reassociate exactly).
        let y0 = ((((x0 &- dx1) &<< 30) &+ (1 &<< 29)) &+ r &* dy1) &>> 30
        dx1 = x0
        dy1 = y0
        var s = Saturate.toInt16((y0 &+ 2_048) &>> 12)
        if applyGain { s = Saturate.toInt16((Widen.product(Int32(s), g) &+ (1 &<< 26)) &>> 27) }
        x[i] = s
        let v = Int32(s)
        alongside(v)
        let pv = Widen.product(v, v)
        // Envelope follower on x².
        let ed = (pv &<< 6) &- ey
        ey = ey &+ (((ed > 0 ? eAttack : eRelease) &* ed) &>> 26)
        // Onset: follower on the pre-emphasised e² and the +6 dB jump.
        let e = (v &- Int32(x[i &- lag])) &>> 1
        let p = Widen.product(e, e)
        let before = oy
        let od = (p &<< 6) &- oy
        oy = oy &+ (((od > 0 ? oAttack : oRelease) &* od) &>> 26)
        if jump < 0 && (p &<< 6) > (before &<< 2) && p > 0 { jump = Int32(truncatingIfNeeded: phase) }
        phase &+= 1
        i &+= 1
        if phase == stride {
            meanSquares[closed] = oy
            jumps[closed] = jump
            closed &+= 1
            jump = -1
            phase = 0
        }
    }
}
