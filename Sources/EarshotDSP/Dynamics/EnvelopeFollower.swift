// Attack/release follower of the squared signal (short-term mean square).

/// One-pole attack/release follower of the instantaneous power x² of Q15
/// samples, in fixed point; reads out as Q8.8 dBFS.
///
/// **Formats.** Input: Q15 samples (or, through `step(power:)`, a power in
/// Q30 units = (Q15)², 0 … 2^30). State `y`: mean square in Q30 units with
/// 6 fraction bits (Q36 units), 0 … 2^36. Coefficients a = 1 − e^(−1/(τ·fs))
/// in Q26 (attack when the input power exceeds `y`, release otherwise).
/// Update `y += (a·(p − y)) >> 26`: `|a·(p − y)| ≤ 2^26·2^36 = 2^62`, and
/// the floor shift keeps `y` between the old value and `p` (never overshoots,
/// never negative), so silence decays to exactly 0 (no limit cycle) and a
/// full-scale square wave settles at 2^36 (+3.01 dBFS) without wrapping.
/// Time-constant resolution: 1 LSB of Q26 is 0.5 % of a for τ·fs = 2^18
/// (5.4 s at 48 kHz); `init` requires τ·fs ≤ 2^24.
public struct EnvelopeFollower {
    /// Fraction bits below the Q30 power unit in `meanSquare`.
    public static let fractionBits = 6
    @usableFromInline let attack: Int64   // Q26
    @usableFromInline let release: Int64  // Q26
    @usableFromInline var y: Int64 = 0

    /// Designs the follower (configuration time, `DesignMath`).
    /// - Parameters: sampleRate in Hz; attackMs and releaseMs are the one-pole
    ///   time constants in ms (> 0).
    public init(sampleRate: Int32, attackMs: Double, releaseMs: Double) {
        precondition(attackMs > 0 && attackMs * 0.001 * Double(Int(sampleRate)) <= 16_777_216,
                     "EnvelopeFollower: attackMs must be > 0 and at most 2^24 samples")
        precondition(releaseMs > 0 && releaseMs * 0.001 * Double(Int(sampleRate)) <= 16_777_216,
                     "EnvelopeFollower: releaseMs must be > 0 and at most 2^24 samples")
        attack = EnvelopeFollower.coefficientQ26(sampleRate: sampleRate, ms: attackMs)
        release = EnvelopeFollower.coefficientQ26(sampleRate: sampleRate, ms: releaseMs)
    }

    /// a = 1 − e^(−1/(τ·fs)) in Q26.
    static func coefficientQ26(sampleRate: Int32, ms: Double) -> Int64 {
        let tauSamples = ms * 0.001 * Double(Int(sampleRate))
        let a = 1 - DesignMath.exp(-1 / tauSamples)
        return max(1, Int64((a * 67_108_864).rounded()))
    }

    /// Feeds one instantaneous power (Q30 units: the square of a Q15 value,
    /// 0 … 2^30) and returns the new mean square (Q36 units).
    @inlinable @inline(__always)
    public mutating func step(power p: Int64) -> Int64 {
        let d = (p &<< 6) &- y
        let a = d > 0 ? attack : release
        y = y &+ ((a &* d) &>> 26)
        return y
    }

    /// Feeds one Q15 sample; returns the new mean square (Q36 units).
    @inlinable @inline(__always)
    public mutating func step(_ x: Int16) -> Int64 {
        let v = Int32(x)
        return step(power: Widen.product(v, v))
    }

    /// Feeds Q15 samples (any count, 0 allowed); state carries across calls.
    @inlinable
    public mutating func process(_ samples: UnsafeBufferPointer<Int16>) {
        for x in samples { _ = step(x) }
    }

    /// Current mean square in Q36 units (Q30 power with 6 fraction bits).
    @inlinable public var meanSquare: Int64 { y }

    /// Current level in Q8.8 dBFS (AES17: a sine of amplitude A settles at
    /// 20·log10(A/32768) with slow enough time constants); silence reads
    /// `FeatureFrame.floor` (−120 dBFS).
    @inlinable public var levelQ8_8: Int16 { EnvelopeFollower.dBFS(meanSquare: y) }

    /// Q8.8 dBFS of a mean square in Q36 units, clamped to
    /// [`FeatureFrame.floor`, Int16.max]. 0 dBFS is 2^29 Q30 units, so the
    /// offset is −10·log10(2^35) = −105.36 dB (−26 972 in Q8.8).
    @inlinable
    public static func dBFS(meanSquare: Int64) -> Int16 {
        let db = Decibel.powerQ8_8(UInt64(bitPattern: meanSquare)) &- 26_972
        return Saturate.toInt16(max(db, Int32(FeatureFrame.floor)))
    }

    /// Clears the state (silence history).
    public mutating func reset() { y = 0 }
}
