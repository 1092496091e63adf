// Integer log2 and decibel conversion: the only way levels are computed on the
// per-hop path. Pure integer arithmetic, so every target gives the same bits.

/// Decibels in Q8.8 fixed point (1 LSB = 1/256 dB), computed without floating
/// point. Levels in Earshot's feature frames are Q8.8 dB stored in `Int16`
/// (range ±128 dB) or `Int32` where dB SPL can exceed that.
public enum Decibel {
    /// The value returned for a zero power: −200 dB in Q8.8.
    public static let floorQ8_8: Int32 = -200 * 256

    /// One dB in Q8.8.
    public static let oneQ8_8: Int32 = 256

    /// log2(x) in Q16.16 for `x > 0`; returns `Int32.min` for `x == 0`.
    ///
    /// Integer part from the leading-zero count; the fraction log2(1+f),
    /// f ∈ [0, 1), from a degree-6 polynomial in Q30 (max error 6e-6, i.e.
    /// under 2e-5 dB after scaling). Every Horner stage c_k + (p·f >> 30)
    /// lies in Int32 for every f in [0, 2^30) (checked exhaustively: the
    /// extremes are the stages' constants, |p| ≤ 1 548 895 580), so each
    /// product is one signed 32×32→64 multiply (IMUL, SMULL, and VPMULDQ
    /// when a caller's loop vectorises) with the same bits as in Int64.
    @inlinable
    public static func log2Q16(_ x: UInt64) -> Int32 {
        if x == 0 { return Int32.min }
        let lz = x.leadingZeroBitCount
        let integerPart = Int32(63 - lz)
        // Normalise so the leading one is bit 63, then keep 30 fraction bits.
        let normalised = x &<< Widen.shiftCount(lz)
        let f = Int32(truncatingIfNeeded: (normalised &<< 1) &>> 34)  // Q30, in [0, 2^30)
        // Horner, Q30 throughout: p(f) = f·(c1 + f·(c2 + … f·c6)).
        var p: Int32 = -27_988_478
        p = 130_904_310 &+ Int32(truncatingIfNeeded: Widen.product(p, f) &>> 30)
        p = -297_818_455 &+ Int32(truncatingIfNeeded: Widen.product(p, f) &>> 30)
        p = 490_586_384 &+ Int32(truncatingIfNeeded: Widen.product(p, f) &>> 30)
        p = -770_837_517 &+ Int32(truncatingIfNeeded: Widen.product(p, f) &>> 30)
        p = 1_548_895_580 &+ Int32(truncatingIfNeeded: Widen.product(p, f) &>> 30)
        let q = Widen.product(p, f) &>> 30             // log2(1+f) in Q30
        let fraction = Int32(truncatingIfNeeded: (q &+ (1 &<< 13)) &>> 14)  // Q16
        return (integerPart &<< 16) &+ fraction
    }

    /// 10·log10(x) in Q8.8 dB for a linear power `x` (any unit); `floorQ8_8`
    /// for zero. 10·log10(2) = 3.0103 dB per octave of power.
    @inlinable
    public static func powerQ8_8(_ x: UInt64) -> Int32 {
        if x == 0 { return floorQ8_8 }
        // 10·log10(2) in Q16 = 197_283.  Q16.16 × Q16 → Q32, >> 24 → Q8.8.
        // log2Q16 fits Int32: one 32×32→64 multiply (same bits as in Int64).
        return Int32(truncatingIfNeeded: (Widen.product(log2Q16(x), 197_283) &+ (1 &<< 23)) &>> 24)
    }

    /// Offset in Q8.8 dB that turns `powerQ8_8(sumOfSquares)` of `count`
    /// Q15 samples into dBFS, where 0 dBFS is the mean square of a
    /// full-scale sine (AES17: a sine of peak amplitude A reads
    /// 20·log10(A/32768) dBFS). Configuration time only (uses Double).
    public static func dBFSOffsetQ8_8(sampleCount: Int) -> Int32 {
        // mean square of a full-scale Q15 sine = 32768² / 2 = 2^29.
        let reference = Double(sampleCount) * 536_870_912.0
        return Int32((-10.0 * DesignMath.log10(reference) * 256.0).rounded())
    }

    /// Converts Q8.8 dB to Double dB (reports and tests only).
    public static func toDouble(_ q: Int32) -> Double { Double(Int(q)) / 256.0 }
}
