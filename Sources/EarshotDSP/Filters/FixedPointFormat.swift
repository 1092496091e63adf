// The internal sample format shared by Earshot's recursive filters.
//
// Q15 input samples are widened into "state units": Q15 shifted left by
// `stateFractionBits` (12), held in Int32/Int64. Headroom: states are designed
// to stay within ±2^30 state units = ±8 × full scale (18 dB); every filter's
// design checks the worst-case gain (L1 norm of its impulse response) against
// that bound, so no input can overflow a state. Coefficients are Q30 in Int32
// (range [−2, 2)); products are Int32 × Int32 → Int64 and sums are Int64.

/// Constants of the fixed-point filter format (state units, Q30 coefficients).
public enum FilterFormat {
    /// Fraction bits below one Q15 LSB in a filter state (state = Q15 << 12).
    public static let stateFractionBits = 12
    /// Largest state magnitude the designs allow: 2^30 state units (8 × full scale).
    public static let stateLimit: Int64 = 1_073_741_824
    /// Q30 one.
    public static let q30One = 1_073_741_824.0

    /// Rounds a Double coefficient to Q30 in Int32; the value must lie in [−2, 2).
    public static func q30(_ x: Double) -> Int32 {
        let scaled = (x * q30One).rounded()
        precondition(scaled >= -2_147_483_648.0 && scaled <= 2_147_483_647.0, "filter design: a coefficient is outside the Q30 range [-2, 2)")
        return Int32(scaled)
    }
}
