// Eight octave bands (63 Hz … 8 kHz) filtered in lockstep, one SIMD lane per band.

#if canImport(CEarshotCPU)
import CEarshotCPU
#endif

/// Scalar work run inside `OctaveFilterbank`'s sample loop (see `run`).
@usableFromInline
protocol FilterbankTap {
    /// One input sample in state units (Q15 << 12), in order.
    mutating func take(_ x: Int64)
}

/// No work alongside the filterbank.
@usableFromInline
struct NoTap: FilterbankTap {
    @inlinable init() {}
    @inlinable @inline(__always)
    mutating func take(_ x: Int64) {}
}

/// Octave-band filterbank: eight 8th-order Butterworth band-passes (nominal
/// centres 63, 125, 250, 500, 1k, 2k, 4k, 8k Hz; IEC 61260-1 base-10 exact
/// mid-bands 1000·10^(3k/10)), four biquad sections per band, all eight
/// bands advanced together in `SIMD8<Int64>` lanes (lane k = band k).
///
/// Arithmetic per section: numerator g·(x[n] − x[n−2]) and feedback
/// −a1·y[n−1] − a2·y[n−2], g/a1/a2 Q30 in Int32, states in state units
/// (Q15 << 12, |state| ≤ 2^30 = 8 × full scale) so each product is a
/// signed 32 × 32 → 64-bit multiply (one `vpmuldq`/`smull` per 8 or 2 lanes),
/// summed in Int64 and rounded by `>> 30` with first-order error feedback. The worst-case gain of
/// every partial cascade (L1 norm of the impulse response) is checked
/// against the 8 × headroom in `init`, so no input, however loud (full-scale
/// square waves included), can overflow a state: outputs stay bounded.
///
/// Output: per band Σ y² over the call, y = band output rounded to Q15, in
/// Q30 units (directly comparable with Σx² of the Q15 input), added to the
/// caller's `SIMD8<UInt64>`. Inactive lanes read 0. See `status` for which
/// lanes meet class 1 at the configured rate.
public struct OctaveFilterbank {
    /// Number of bands (lanes).
    public static let bandCount = 8
    /// Biquad sections computed per input sample (every lane, active or not):
    /// 8 lanes × 4 sections.
    public static let biquadsPerSample = 32

    /// Sample rate the bands were designed for, Hz.
    public let sampleRate: Int32
    /// Per lane: `OctaveBandStatus.rawValue` (0 compliant, 1 partial, 2 inactive).
    public let status: SIMD8<UInt8>

    // Q30 coefficients per section (g, −a1, −a2), lanes = bands.
    @usableFromInline let g1, p1, q1, g2, p2, q2, g3, p3, q3, g4, p4, q4: SIMD8<Int64>
    // Input history (state units, same for every lane) and section outputs.
    @usableFromInline var x1: Int64 = 0, x2: Int64 = 0
    @usableFromInline var u1 = SIMD8<Int64>(), u2 = SIMD8<Int64>()
    @usableFromInline var v1 = SIMD8<Int64>(), v2 = SIMD8<Int64>()
    @usableFromInline var w1 = SIMD8<Int64>(), w2 = SIMD8<Int64>()
    @usableFromInline var z1 = SIMD8<Int64>(), z2 = SIMD8<Int64>()
    // Per section: the remainder (0 ≤ r < 2^30) that the last `>> 30` dropped,
    // fed back into the next sample's sum (first-order error feedback).
    @usableFromInline var ru = SIMD8<Int64>(), rv = SIMD8<Int64>(), rw = SIMD8<Int64>(), rz = SIMD8<Int64>()

    /// Designs all eight bands for `sampleRate` Hz (8 000 … 48 000).
    public init(sampleRate: Int32) {
        precondition(sampleRate >= 8_000 && sampleRate <= 48_000, "OctaveFilterbank: sampleRate out of 8000…48000")
        self.sampleRate = sampleRate
        let fs = Double(Int(sampleRate))
        var st = SIMD8<UInt8>()
        var g1 = SIMD8<Int64>(), p1 = SIMD8<Int64>(), q1 = SIMD8<Int64>()
        var g2 = SIMD8<Int64>(), p2 = SIMD8<Int64>(), q2 = SIMD8<Int64>()
        var g3 = SIMD8<Int64>(), p3 = SIMD8<Int64>(), q3 = SIMD8<Int64>()
        var g4 = SIMD8<Int64>(), p4 = SIMD8<Int64>(), q4 = SIMD8<Int64>()
        for lane in 0..<8 {
            st[lane] = OctaveBandDesign.status(lane: lane, sampleRate: fs).rawValue
            guard let s = OctaveBandDesign.sections(lane: lane, sampleRate: fs) else { continue }
            // Headroom: worst-case peak of every partial cascade below 8 × full scale.
            var sections = (s.0, s.1, s.2, s.3)
            let worst = withUnsafePointer(to: &sections) { p in
                p.withMemoryRebound(to: BiquadCoefficients.self, capacity: 4) { b in
                    BiquadCoefficients.worstPartialL1Norm(of: UnsafeBufferPointer(start: b, count: 4), length: Int(sampleRate))
                }
            }
            precondition(worst < 7.5, "OctaveFilterbank: band design exceeds the 8x state headroom")
            func q(_ x: Double) -> Int64 { Widen.int64(FilterFormat.q30(x)) }
            g1[lane] = q(s.0.b0); p1[lane] = q(-s.0.a1); q1[lane] = q(-s.0.a2)
            g2[lane] = q(s.1.b0); p2[lane] = q(-s.1.a1); q2[lane] = q(-s.1.a2)
            g3[lane] = q(s.2.b0); p3[lane] = q(-s.2.a1); q3[lane] = q(-s.2.a2)
            g4[lane] = q(s.3.b0); p4[lane] = q(-s.3.a1); q4[lane] = q(-s.3.a2)
        }
        status = st
        self.g1 = g1; self.p1 = p1; self.q1 = q1
        self.g2 = g2; self.p2 = p2; self.q2 = q2
        self.g3 = g3; self.p3 = p3; self.q3 = q3
        self.g4 = g4; self.p4 = p4; self.q4 = q4
    }

    /// Status of lane `band` (0…7).
    public func bandStatus(_ band: Int) -> OctaveBandStatus {
        OctaveBandStatus(rawValue: status[band]) ?? .inactive
    }

    /// Filters `input` (Q15, any length, 0 allowed) through every band and
    /// adds each band's Σ y² (Q30 units of the Q15 input) to `energy`.
    /// State carries across calls.
    @inlinable
    public mutating func process(_ input: UnsafeBufferPointer<Int16>, energy: inout SIMD8<UInt64>) {
        var none = NoTap()
        run(input, energy: &energy, alongside: &none)
    }

    /// `process`, also handing each input sample (state units, Q15 << 12) to
    /// `alongside.take` in order: a scalar filter run in the same loop overlaps
    /// its latency with the vector work (`AnalysisChain` runs A-weighting so).
    /// A generic value rather than a closure: a specialised, always-inlined
    /// method keeps the scalar filter's state in registers, where a closure
    /// the optimiser declined to inline (the x86_64 two-pass loop) was called
    /// per sample with its captured state in memory.
    @inlinable @inline(__always)
    mutating func run<T: FilterbankTap>(_ input: UnsafeBufferPointer<Int16>, energy: inout SIMD8<UInt64>,
                                        alongside: inout T) {
        #if arch(arm64)
        runInPackedQuads(input, energy: &energy, alongside: &alongside)
        return
        #elseif arch(x86_64)
        if Self.fourLanePasses {
            runInQuads(input, energy: &energy, alongside: &alongside)
            return
        }
        #endif
        #if !arch(arm64)
        guard let src = input.baseAddress else { return }
        let n = input.count
        var x1 = self.x1, x2 = self.x2
        var u1 = self.u1, u2 = self.u2, v1 = self.v1, v2 = self.v2, w1 = self.w1, w2 = self.w2, z1 = self.z1, z2 = self.z2
        var r = Remainders(u: ru, v: rv, w: rw, z: rz)
        let c = Coefficients(g1: g1, p1: p1, q1: q1, g2: g2, p2: p2, q2: q2,
                             g3: g3, p3: p3, q3: q3, g4: g4, p4: p4, q4: q4)
        var e = unsafeBitCast(energy, to: SIMD8<Int64>.self)
        // Two samples per pass with the history registers swapping roles
        // (newest/oldest), so no state is copied.
        var i = 0
        while i &+ 2 <= n {
            let xa = Widen.int64(src[i]) &<< 12
            Self.step(xa &- x2, c, &u2, u1, &v2, v1, &w2, w1, &z2, z1, &r, &e)
            alongside.take(xa)
            let xb = Widen.int64(src[i &+ 1]) &<< 12
            Self.step(xb &- x1, c, &u1, u2, &v1, v2, &w1, w2, &z1, z2, &r, &e)
            alongside.take(xb)
            x2 = xa; x1 = xb
            i &+= 2
        }
        if i < n {
            let xa = Widen.int64(src[i]) &<< 12
            Self.step(xa &- x2, c, &u2, u1, &v2, v1, &w2, w1, &z2, z1, &r, &e)
            alongside.take(xa)
            swap(&u1, &u2); swap(&v1, &v2); swap(&w1, &w2); swap(&z1, &z2)
            x2 = x1; x1 = xa
        }
        energy = unsafeBitCast(e, to: SIMD8<UInt64>.self)
        self.x1 = x1; self.x2 = x2
        self.u1 = u1; self.u2 = u2; self.v1 = v1; self.v2 = v2; self.w1 = w1; self.w2 = w2; self.z1 = z1; self.z2 = z2
        ru = r.u; rv = r.v; rw = r.w; rz = r.z
        #endif
    }

    #if arch(arm64)
    /// Samples per block of `runInPackedQuads`: the sections 1–2 → 3–4
    /// hand-over holds one four-lane vector per sample (1 KiB on the stack).
    @usableFromInline static let packedBlock = 64

    /// AArch64: the bank as two passes of four lanes (0…3, 4…7) with every
    /// state, coefficient and remainder in a 32-bit lane, and each pass as
    /// two loops over a block of samples: sections 1–2 (`Front32`), which
    /// leave section 3's input per sample in a stack buffer, then sections
    /// 3–4 and the energy (`Back32`).
    ///
    /// Why 32-bit lanes: the values already fit there (states |s| ≤ 2^30 by
    /// the headroom `init` checks, coefficients Q30, remainders
    /// 0 ≤ r < 2^30), and every reader of a state takes only its low 32
    /// bits (`mul`). Each product is then one `SMULL`/`SMLAL` (`…2` for the
    /// upper two lanes) straight from a packed register and each sum is
    /// narrowed by one `SHRN`, where `SIMD2<Int64>` lanes spent a narrowing
    /// on every operand (make bench-arm: 8.93 instructions per biquad).
    /// Why two loops: one loop over all four sections keeps 12 coefficient,
    /// 8 state and 4 remainder registers, the energy's 2 and the sums'
    /// temporaries live, more than the 32 NEON registers, and reloaded
    /// coefficients every sample; half the sections fit. One sample a step:
    /// two, with the history swapping roles, let the optimiser rewrite a
    /// narrowed output that the next sample multiplies into 64-bit shifts.
    ///
    /// The sums stay 64-bit and every lane computes `step`'s values (its
    /// wrapping adds in another order, which is exact), so frames are
    /// bit-identical: make embedded compares them, and the bank alone over
    /// calls of uneven length, with the x86_64 build, which runs
    /// `runInQuads`. `alongside` sees each sample once, in order, in the
    /// first pass.
    @inlinable @inline(__always)
    mutating func runInPackedQuads<T: FilterbankTap>(_ input: UnsafeBufferPointer<Int16>, energy: inout SIMD8<UInt64>,
                                                     alongside: inout T) {
        guard let src = input.baseAddress else { return }
        let n = input.count
        var e = unsafeBitCast(energy, to: SIMD8<Int64>.self)
        var mid = InlineArray<64, SIMD4<Int32>>(repeating: SIMD4())
        withUnsafeMutablePointer(to: &mid) { raw in
            raw.withMemoryRebound(to: SIMD4<Int32>.self, capacity: Self.packedBlock) { buffer in
                var none = NoTap()
                pass(src, n, low: true, buffer, &e, alongside: &alongside)
                pass(src, n, low: false, buffer, &e, alongside: &none)
            }
        }
        energy = unsafeBitCast(e, to: SIMD8<UInt64>.self)
        keepInputHistory(src, n)
    }

    /// One pass of `runInPackedQuads`: lanes 0…3 (`low`) or 4…7, read from
    /// the bank and written back to it, block by block through `buffer`
    /// (`packedBlock` vectors).
    @inlinable @inline(__always)
    mutating func pass<T: FilterbankTap>(_ src: UnsafePointer<Int16>, _ n: Int, low: Bool,
                                         _ buffer: UnsafeMutablePointer<SIMD4<Int32>>, _ energy: inout SIMD8<Int64>,
                                         alongside: inout T) {
        var front = Front32(self, low: low)
        var back = Back32(self, low: low, energy)
        var x1 = self.x1, x2 = self.x2
        var start = 0
        while start < n {
            let count = min(Self.packedBlock, n &- start)
            front.run(src + start, count, &x1, &x2, into: buffer, alongside: &alongside)
            back.run(buffer, count)
            start &+= count
        }
        front.store(into: &self, low: low)
        back.store(into: &self, low: low, &energy)
    }

    /// Sections 1 and 2 of four lanes in 32-bit lanes: coefficients (Q30),
    /// states (state units, Q15 << 12) and remainders.
    @usableFromInline struct Front32 {
        @usableFromInline let g1, p1, q1, g2, p2, q2: SIMD4<Int32>
        @usableFromInline var u1, u2, v1, v2, ru, rv: SIMD4<Int32>

        /// Lanes 0…3 (`low`) or 4…7 of `bank`: the low 32 bits of each
        /// value, which is all of it.
        @inlinable @inline(__always)
        init(_ bank: OctaveFilterbank, low: Bool) {
            func h(_ v: SIMD8<Int64>) -> SIMD4<Int32> { Packed.lanes(v, low: low) }
            g1 = h(bank.g1); p1 = h(bank.p1); q1 = h(bank.q1); g2 = h(bank.g2); p2 = h(bank.p2); q2 = h(bank.q2)
            u1 = h(bank.u1); u2 = h(bank.u2); v1 = h(bank.v1); v2 = h(bank.v2); ru = h(bank.ru); rv = h(bank.rv)
        }

        /// Writes these lanes back into `bank` (sign-extended: the values
        /// they had there).
        @inlinable @inline(__always)
        func store(into bank: inout OctaveFilterbank, low: Bool) {
            Packed.put(&bank.u1, u1, low: low); Packed.put(&bank.u2, u2, low: low)
            Packed.put(&bank.v1, v1, low: low); Packed.put(&bank.v2, v2, low: low)
            Packed.put(&bank.ru, ru, low: low); Packed.put(&bank.rv, rv, low: low)
        }

        /// `count` samples (x1, x2: the input history, state units, carried
        /// across blocks): per sample, section 3's input v[n] − v[n−2] into
        /// `out[i]` (wrapping in 32 bits: the low 32 bits `mul` reads).
        @inlinable @inline(__always)
        mutating func run<T: FilterbankTap>(_ src: UnsafePointer<Int16>, _ count: Int, _ x1: inout Int64, _ x2: inout Int64,
                                            into out: UnsafeMutablePointer<SIMD4<Int32>>, alongside: inout T) {
            var u1 = self.u1, u2 = self.u2, v1 = self.v1, v2 = self.v2, ru = self.ru, rv = self.rv
            var a = x1, b = x2
            var i = 0
            while i < count {
                let x = Widen.int64(src[i]) &<< 12
                let d = SIMD4<Int32>(repeating: Int32(truncatingIfNeeded: x &- b))
                let u0 = Packed.section(d, g1, p1, q1, u1, u2, &ru)
                let v0 = Packed.section(u0 &- u2, g2, p2, q2, v1, v2, &rv)
                out[i] = v0 &- v2
                alongside.take(x)
                u2 = u1; u1 = u0; v2 = v1; v1 = v0
                b = a; a = x
                i &+= 1
            }
            x1 = a; x2 = b
            self.u1 = u1; self.u2 = u2; self.v1 = v1; self.v2 = v2; self.ru = ru; self.rv = rv
        }
    }

    /// Sections 3 and 4 of four lanes in 32-bit lanes, and the lanes'
    /// Σ y² (Q30, 64-bit).
    @usableFromInline struct Back32 {
        @usableFromInline let g3, p3, q3, g4, p4, q4: SIMD4<Int32>
        @usableFromInline var w1, w2, z1, z2, rw, rz: SIMD4<Int32>
        @usableFromInline var e: SIMD4<Int64>

        /// Lanes 0…3 (`low`) or 4…7 of `bank`, with `energy`'s.
        @inlinable @inline(__always)
        init(_ bank: OctaveFilterbank, low: Bool, _ energy: SIMD8<Int64>) {
            func h(_ v: SIMD8<Int64>) -> SIMD4<Int32> { Packed.lanes(v, low: low) }
            g3 = h(bank.g3); p3 = h(bank.p3); q3 = h(bank.q3); g4 = h(bank.g4); p4 = h(bank.p4); q4 = h(bank.q4)
            w1 = h(bank.w1); w2 = h(bank.w2); z1 = h(bank.z1); z2 = h(bank.z2); rw = h(bank.rw); rz = h(bank.rz)
            e = low ? energy.lowHalf : energy.highHalf
        }

        /// Writes these lanes back into `bank` and `energy`.
        @inlinable @inline(__always)
        func store(into bank: inout OctaveFilterbank, low: Bool, _ energy: inout SIMD8<Int64>) {
            Packed.put(&bank.w1, w1, low: low); Packed.put(&bank.w2, w2, low: low)
            Packed.put(&bank.z1, z1, low: low); Packed.put(&bank.z2, z2, low: low)
            Packed.put(&bank.rw, rw, low: low); Packed.put(&bank.rz, rz, low: low)
            if low { energy.lowHalf = e } else { energy.highHalf = e }
        }

        /// `count` samples of section 3's input (`Front32.run`'s output).
        /// y = (z0 + 2^11) >> 12 equals `step`'s (zSum + 2^41) >> 42 (nested
        /// floors, z0 = zSum >> 30).
        @inlinable @inline(__always)
        mutating func run(_ input: UnsafePointer<SIMD4<Int32>>, _ count: Int) {
            var w1 = self.w1, w2 = self.w2, z1 = self.z1, z2 = self.z2, rw = self.rw, rz = self.rz, e = self.e
            var i = 0
            while i < count {
                let w0 = Packed.section(input[i], g3, p3, q3, w1, w2, &rw)
                let z0 = Packed.section(w0 &- w2, g4, p4, q4, z1, z2, &rz)
                let y = (z0 &+ SIMD4(repeating: 1 &<< 11)) &>> 12
                e &+= Packed.mul(y, y)
                w2 = w1; w1 = w0; z2 = z1; z1 = z0
                i &+= 1
            }
            self.w1 = w1; self.w2 = w2; self.z1 = z1; self.z2 = z2; self.rw = rw; self.rz = rz; self.e = e
        }
    }

    /// The 32-bit-lane arithmetic of `Front32` and `Back32`.
    @usableFromInline enum Packed {
        /// One section: sum = g·x + q·old + r + p·new in 64 bits (the newest
        /// output's product last: it is the loop-carried path); `r` receives
        /// the sum's low 30 bits, the result is sum >> 30 (its low 32 bits;
        /// |result| ≤ 2^30, so that is all of it).
        @inlinable @inline(__always)
        static func section(_ x: SIMD4<Int32>, _ g: SIMD4<Int32>, _ p: SIMD4<Int32>, _ q: SIMD4<Int32>,
                            _ new: SIMD4<Int32>, _ old: SIMD4<Int32>, _ r: inout SIMD4<Int32>) -> SIMD4<Int32> {
            let sum = (mul(g, x) &+ mul(q, old) &+ SIMD4<Int64>(truncatingIfNeeded: r)) &+ mul(p, new)
            r = SIMD4<Int32>(truncatingIfNeeded: sum) & SIMD4(repeating: 1_073_741_823)
            return SIMD4<Int32>(truncatingIfNeeded: sum &>> 30)
        }

        /// Signed 32 × 32 → 64-bit product per lane (`SMULL` + `SMULL2`).
        @inlinable @inline(__always)
        static func mul(_ a: SIMD4<Int32>, _ b: SIMD4<Int32>) -> SIMD4<Int64> {
            SIMD4<Int64>(truncatingIfNeeded: a) &* SIMD4<Int64>(truncatingIfNeeded: b)
        }

        /// The low 32 bits of lanes 0…3 (`low`) or 4…7 of `v`.
        @inlinable @inline(__always)
        static func lanes(_ v: SIMD8<Int64>, low: Bool) -> SIMD4<Int32> {
            SIMD4(truncatingIfNeeded: low ? v.lowHalf : v.highHalf)
        }

        /// `x` sign-extended into lanes 0…3 (`low`) or 4…7 of `v`.
        @inlinable @inline(__always)
        static func put(_ v: inout SIMD8<Int64>, _ x: SIMD4<Int32>, low: Bool) {
            if low { v.lowHalf = SIMD4(truncatingIfNeeded: x) } else { v.highHalf = SIMD4(truncatingIfNeeded: x) }
        }
    }
    #endif

    #if arch(x86_64)
    /// Whether the build runs the bank as `runInQuads`' two four-lane
    /// passes: an AVX2 target without AVX-512 (16 registers of four Int64
    /// lanes). With AVX-512 (32 registers of eight) the eight-lane loop
    /// keeps its 25 vectors in registers and is fastest; with SSE only
    /// (no 32×32→64 vector multiply) the passes measured slower (16 kHz
    /// chain 146 → 194 ns per sample), so it keeps the eight-lane loop too.
    /// A compile-time constant of the target CPU (`CEarshotCPU`); builds
    /// without that module (the Embedded x86_64 harness, whose frames
    /// `make embedded` compares with aarch64's) take the passes.
    @inlinable static var fourLanePasses: Bool {
        #if canImport(CEarshotCPU)
        return EARSHOT_TARGET_AVX2 != 0 && EARSHOT_TARGET_AVX512F == 0
        #else
        return true
        #endif
    }

    /// x86_64 with AVX2 but not AVX-512 (`fourLanePasses`): the bank as two passes over the input, four lanes each
    /// (`SIMD4<Int64>`, one 256-bit AVX2 register per vector). The
    /// eight-lane loop keeps 25 `SIMD8<Int64>` vectors live, 50 of the 16
    /// AVX2 registers, so a third of its instructions were spills; a pass
    /// keeps its states in registers and reads the coefficients as memory
    /// operands. AVX2 has no 64-bit arithmetic shift (VPSRAQ is AVX-512),
    /// and the eight-lane loop emulated each state's `>> 30` with three
    /// instructions; `Quad.step` shifts logically (one VPSRLQ), see there
    /// why that is exact. Every lane does `step`'s arithmetic modulo 2^32
    /// where it only reads the low 32 bits, so frames are bit-identical
    /// (Tools/bench/frames_check.sh). `alongside` sees each sample once, in
    /// order, in the first pass.
    @inlinable @inline(__always)
    mutating func runInQuads<T: FilterbankTap>(_ input: UnsafeBufferPointer<Int16>, energy: inout SIMD8<UInt64>,
                                               alongside: inout T) {
        var none = NoTap()
        runInQuads(input, energy: &energy, first: &alongside, second: &none)
    }

    /// `runInQuads` with scalar work beside each pass: `first` sees every
    /// sample in the first pass, then `second` every sample in the second.
    @inlinable @inline(__always)
    mutating func runInQuads<T: FilterbankTap, U: FilterbankTap>(_ input: UnsafeBufferPointer<Int16>,
                                                                 energy: inout SIMD8<UInt64>,
                                                                 first: inout T, second: inout U) {
        guard let src = input.baseAddress else { return }
        let n = input.count
        let e = unsafeBitCast(energy, to: SIMD8<Int64>.self)
        var lo = Quad(self, low: true, e), hi = Quad(self, low: false, e)
        lo.run(src, n, x1: x1, x2: x2, alongside: &first)
        hi.run(src, n, x1: x1, x2: x2, alongside: &second)
        u1 = SIMD8(lowHalf: lo.u1, highHalf: hi.u1); u2 = SIMD8(lowHalf: lo.u2, highHalf: hi.u2)
        v1 = SIMD8(lowHalf: lo.v1, highHalf: hi.v1); v2 = SIMD8(lowHalf: lo.v2, highHalf: hi.v2)
        w1 = SIMD8(lowHalf: lo.w1, highHalf: hi.w1); w2 = SIMD8(lowHalf: lo.w2, highHalf: hi.w2)
        z1 = SIMD8(lowHalf: lo.z1, highHalf: hi.z1); z2 = SIMD8(lowHalf: lo.z2, highHalf: hi.z2)
        ru = SIMD8(lowHalf: lo.ru, highHalf: hi.ru); rv = SIMD8(lowHalf: lo.rv, highHalf: hi.rv)
        rw = SIMD8(lowHalf: lo.rw, highHalf: hi.rw); rz = SIMD8(lowHalf: lo.rz, highHalf: hi.rz)
        energy = unsafeBitCast(SIMD8(lowHalf: lo.e, highHalf: hi.e), to: SIMD8<UInt64>.self)
        keepInputHistory(src, n)
    }

    /// Four lanes of the bank: coefficients, states, remainders and energy.
    @usableFromInline struct Quad {
        @usableFromInline let g1, p1, q1, g2, p2, q2, g3, p3, q3, g4, p4, q4: SIMD4<Int64>
        @usableFromInline var u1, u2, v1, v2, w1, w2, z1, z2, ru, rv, rw, rz, e: SIMD4<Int64>

        /// Lanes 0…3 (`low`) or 4…7 of `bank`, with `energy`'s.
        @inlinable @inline(__always)
        init(_ bank: OctaveFilterbank, low: Bool, _ energy: SIMD8<Int64>) {
            func h(_ v: SIMD8<Int64>) -> SIMD4<Int64> { low ? v.lowHalf : v.highHalf }
            g1 = h(bank.g1); p1 = h(bank.p1); q1 = h(bank.q1); g2 = h(bank.g2); p2 = h(bank.p2); q2 = h(bank.q2)
            g3 = h(bank.g3); p3 = h(bank.p3); q3 = h(bank.q3); g4 = h(bank.g4); p4 = h(bank.p4); q4 = h(bank.q4)
            u1 = h(bank.u1); u2 = h(bank.u2); v1 = h(bank.v1); v2 = h(bank.v2)
            w1 = h(bank.w1); w2 = h(bank.w2); z1 = h(bank.z1); z2 = h(bank.z2)
            ru = h(bank.ru); rv = h(bank.rv); rw = h(bank.rw); rz = h(bank.rz); e = h(energy)
        }

        /// The eight-lane loop of `run` for these four lanes (history
        /// registers swapping roles, two samples per step); the states
        /// leave sign-extended from their low 32 bits, as `step` stores them.
        @inlinable @inline(__always)
        mutating func run<T: FilterbankTap>(_ src: UnsafePointer<Int16>, _ n: Int, x1 x1In: Int64, x2 x2In: Int64,
                                            alongside: inout T) {
            var x1 = x1In, x2 = x2In
            var u1 = self.u1, u2 = self.u2, v1 = self.v1, v2 = self.v2, w1 = self.w1, w2 = self.w2, z1 = self.z1, z2 = self.z2
            var ru = self.ru, rv = self.rv, rw = self.rw, rz = self.rz, e = self.e
            var i = 0
            while i &+ 2 <= n {
                let xa = Widen.int64(src[i]) &<< 12
                step(xa &- x2, &u2, u1, &v2, v1, &w2, w1, &z2, z1, &ru, &rv, &rw, &rz, &e)
                alongside.take(xa)
                let xb = Widen.int64(src[i &+ 1]) &<< 12
                step(xb &- x1, &u1, u2, &v1, v2, &w1, w2, &z1, z2, &ru, &rv, &rw, &rz, &e)
                alongside.take(xb)
                x2 = xa; x1 = xb
                i &+= 2
            }
            if i < n {
                let xa = Widen.int64(src[i]) &<< 12
                step(xa &- x2, &u2, u1, &v2, v1, &w2, w1, &z2, z1, &ru, &rv, &rw, &rz, &e)
                alongside.take(xa)
                swap(&u1, &u2); swap(&v1, &v2); swap(&w1, &w2); swap(&z1, &z2)
            }
            self.u1 = (u1 &<< 32) &>> 32; self.u2 = (u2 &<< 32) &>> 32
            self.v1 = (v1 &<< 32) &>> 32; self.v2 = (v2 &<< 32) &>> 32
            self.w1 = (w1 &<< 32) &>> 32; self.w2 = (w2 &<< 32) &>> 32
            self.z1 = (z1 &<< 32) &>> 32; self.z2 = (z2 &<< 32) &>> 32
            self.ru = ru; self.rv = rv; self.rw = rw; self.rz = rz; self.e = e
        }

        /// `OctaveFilterbank.step` on four lanes, with one difference: a
        /// section output is `sum >> 30` shifted logically, so only its low
        /// 32 bits are the floor (the top two bits are the sum's). That is
        /// all any reader takes: outputs enter products through their low
        /// 32 bits (`mul`) and differences `u0 − uOld` whose low 32 bits
        /// depend only on the operands' low 32 bits. |output| ≤ 2^30 (the
        /// headroom `init` checks), so the low 32 bits sign-extended are the
        /// arithmetic shift's result; `run` stores them so. y is still taken
        /// from the full 64-bit sum.
        @inlinable @inline(__always)
        func step(_ d: Int64,
                  _ uOld: inout SIMD4<Int64>, _ uNew: SIMD4<Int64>, _ vOld: inout SIMD4<Int64>, _ vNew: SIMD4<Int64>,
                  _ wOld: inout SIMD4<Int64>, _ wNew: SIMD4<Int64>, _ zOld: inout SIMD4<Int64>, _ zNew: SIMD4<Int64>,
                  _ ru: inout SIMD4<Int64>, _ rv: inout SIMD4<Int64>, _ rw: inout SIMD4<Int64>, _ rz: inout SIMD4<Int64>,
                  _ e: inout SIMD4<Int64>) {
            let mask = SIMD4<Int64>(repeating: 1_073_741_823)
            let d0 = SIMD4<Int64>(repeating: d)
            let uSum = Quad.section(d0, g1, p1, q1, uNew, uOld, ru)
            ru = uSum & mask
            let u0 = Quad.shr30(uSum)
            let vSum = Quad.section(u0 &- uOld, g2, p2, q2, vNew, vOld, rv)
            rv = vSum & mask
            let v0 = Quad.shr30(vSum)
            let wSum = Quad.section(v0 &- vOld, g3, p3, q3, wNew, wOld, rw)
            rw = wSum & mask
            let w0 = Quad.shr30(wSum)
            let zSum = Quad.section(w0 &- wOld, g4, p4, q4, zNew, zOld, rz)
            rz = zSum & mask
            let z0 = Quad.shr30(zSum)
            let y = (zSum &+ SIMD4(repeating: 1 &<< 41)) &>> 42
            e &+= Quad.mul(y, y)
            uOld = u0; vOld = v0; wOld = w0; zOld = z0
        }

        /// One section's sum g·x + q·old + r + p·new (the newest output's
        /// product last: it is the loop-carried path).
        @inlinable @inline(__always)
        static func section(_ x: SIMD4<Int64>, _ g: SIMD4<Int64>, _ p: SIMD4<Int64>, _ q: SIMD4<Int64>,
                            _ new: SIMD4<Int64>, _ old: SIMD4<Int64>, _ r: SIMD4<Int64>) -> SIMD4<Int64> {
            (mul(g, x) &+ mul(q, old) &+ r) &+ mul(p, new)
        }

        /// Signed product of the low 32 bits of each lane (one VPMULDQ).
        @inlinable @inline(__always)
        static func mul(_ a: SIMD4<Int64>, _ b: SIMD4<Int64>) -> SIMD4<Int64> {
            ((a &<< 32) &>> 32) &* ((b &<< 32) &>> 32)
        }

        /// `s >> 30`, logical (one VPSRLQ): the low 32 bits are the floor.
        @inlinable @inline(__always)
        static func shr30(_ s: SIMD4<Int64>) -> SIMD4<Int64> {
            unsafeBitCast(unsafeBitCast(s, to: SIMD4<UInt64>.self) &>> 30, to: SIMD4<Int64>.self)
        }
    }
    #endif

    /// After the passes over `src[0..<n]`: x1, x2 become its last two
    /// samples (state units), as the eight-lane loop leaves them.
    @inlinable @inline(__always)
    mutating func keepInputHistory(_ src: UnsafePointer<Int16>, _ n: Int) {
        if n >= 2 { x1 = Widen.int64(src[n &- 1]) &<< 12; x2 = Widen.int64(src[n &- 2]) &<< 12 }
        else if n == 1 { x2 = x1; x1 = Widen.int64(src[0]) &<< 12 }
    }

    /// The four sections' error-feedback remainders, gathered for the kernel.
    @usableFromInline struct Remainders {
        @usableFromInline var u, v, w, z: SIMD8<Int64>
        @inlinable init(u: SIMD8<Int64>, v: SIMD8<Int64>, w: SIMD8<Int64>, z: SIMD8<Int64>) {
            self.u = u; self.v = v; self.w = w; self.z = z
        }
    }

    /// The twelve coefficient vectors, gathered for the kernel.
    @usableFromInline struct Coefficients {
        @usableFromInline let g1, p1, q1, g2, p2, q2, g3, p3, q3, g4, p4, q4: SIMD8<Int64>
        @inlinable init(g1: SIMD8<Int64>, p1: SIMD8<Int64>, q1: SIMD8<Int64>, g2: SIMD8<Int64>, p2: SIMD8<Int64>, q2: SIMD8<Int64>,
                        g3: SIMD8<Int64>, p3: SIMD8<Int64>, q3: SIMD8<Int64>, g4: SIMD8<Int64>, p4: SIMD8<Int64>, q4: SIMD8<Int64>) {
            self.g1 = g1; self.p1 = p1; self.q1 = q1; self.g2 = g2; self.p2 = p2; self.q2 = q2
            self.g3 = g3; self.p3 = p3; self.q3 = q3; self.g4 = g4; self.p4 = p4; self.q4 = q4
        }
    }

    /// One sample through the four sections of every lane. `d` = x[n] − x[n−2]
    /// (state units, same for every lane). Each `…old` holds y[n−2] on entry
    /// and receives y[n]; `…new` is y[n−1]. Every section rounds with
    /// first-order error feedback (`quantize`).
    @inlinable @inline(__always)
    static func step(_ d: Int64, _ c: Coefficients,
                     _ uOld: inout SIMD8<Int64>, _ uNew: SIMD8<Int64>,
                     _ vOld: inout SIMD8<Int64>, _ vNew: SIMD8<Int64>,
                     _ wOld: inout SIMD8<Int64>, _ wNew: SIMD8<Int64>,
                     _ zOld: inout SIMD8<Int64>, _ zNew: SIMD8<Int64>,
                     _ r: inout Remainders,
                     _ e: inout SIMD8<Int64>) {
        let d0 = SIMD8<Int64>(repeating: d)
        let u0 = quantize(mul(c.g1, d0) &+ mul(c.p1, uNew) &+ mul(c.q1, uOld), &r.u)
        let v0 = quantize(mul(c.g2, u0 &- uOld) &+ mul(c.p2, vNew) &+ mul(c.q2, vOld), &r.v)
        let w0 = quantize(mul(c.g3, v0 &- vOld) &+ mul(c.p3, wNew) &+ mul(c.q3, wOld), &r.w)
        let zSum = mul(c.g4, w0 &- wOld) &+ mul(c.p4, zNew) &+ mul(c.q4, zOld) &+ r.z
        r.z = zSum & SIMD8(repeating: 1_073_741_823)
        let z0 = zSum &>> 30
        // y = (z0 + 2^11) >> 12 = (zSum + 2^41) >> 42 (nested floors): one
        // shift from the sum, and the optimiser sees |y| < 2^22, so the
        // square is one VPMULDQ without sign-extension steps.
        let y = (zSum &+ SIMD8(repeating: 1 &<< 41)) &>> 42
        e &+= mul(y, y)
        uOld = u0; vOld = v0; wOld = w0; zOld = z0
    }

    /// `(acc + remainder) >> 30` (floor), keeping the new remainder: the
    /// rounding error is first-differenced (noise transfer 1 − z⁻¹), so it
    /// has no DC bias and almost no power near the low, narrow poles. Plain
    /// magnitude truncation damped those poles: a −80 dBFS 63 Hz sine at
    /// 48 kHz read nothing, −60 dBFS read 0.54 dB low (measured).
    @inlinable @inline(__always)
    static func quantize(_ acc: SIMD8<Int64>, _ remainder: inout SIMD8<Int64>) -> SIMD8<Int64> {
        let sum = acc &+ remainder
        remainder = sum & SIMD8(repeating: 1_073_741_823)
        return sum &>> 30
    }

    /// Signed product of the low 32 bits of each lane (the operands are
    /// known to fit in Int32): one `vpmuldq` on AVX-512, `smull` on NEON.
    @inlinable @inline(__always)
    static func mul(_ a: SIMD8<Int64>, _ b: SIMD8<Int64>) -> SIMD8<Int64> {
        ((a &<< 32) &>> 32) &* ((b &<< 32) &>> 32)
    }

    /// Clears every band's state.
    public mutating func reset() {
        x1 = 0; x2 = 0
        u1 = SIMD8(); u2 = SIMD8(); v1 = SIMD8(); v2 = SIMD8(); w1 = SIMD8(); w2 = SIMD8(); z1 = SIMD8(); z2 = SIMD8()
        ru = SIMD8(); rv = SIMD8(); rw = SIMD8(); rz = SIMD8()
    }
}
