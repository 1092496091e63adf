// A small seeded generator for configuration-time and tool work: training the
// learned stage, synthetic signals in benchmarks and simulations. Never used on
// the per-sample path.

/// SplitMix64 (Steele, Lea & Flood 2014): 64-bit state, same seed → same sequence
/// on every platform. Outputs are UInt64; `unit()` is uniform in [0, 1); as a
/// `RandomNumberGenerator` it drives the standard library's `random(in:using:)`.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's state (the seed before the first call).
    public var state: UInt64

    /// A generator starting from `state` (the seed).
    public init(state: UInt64) { self.state = state }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z &>> 31)
    }

    /// Uniform in [0, 1): the top 53 bits over 2^53. Converted as two exact halves
    /// (Widen's rule: no generic integer → Double conversion on 32-bit Embedded targets).
    public mutating func unit() -> Double {
        let x = next() &>> 11
        let high = Int32(truncatingIfNeeded: x &>> 27), low = Int32(truncatingIfNeeded: x & 0x7FF_FFFF)
        return (Double(Int(high)) * 134_217_728 + Double(Int(low))) / 9_007_199_254_740_992
    }

    /// Uniform in [-1, 1).
    public mutating func signed() -> Double { unit() * 2 - 1 }
}
