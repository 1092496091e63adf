// Scalar fixed-point biquad (direct form I) and a cascade of them.

/// One direct-form-I biquad section in fixed point.
///
/// Coefficients: Q30 in Int32 (b0, b1, b2, and the negated feedback terms
/// −a1, −a2). Input/output of `step`: Int64 in state units (Q15 << 12, see
/// `FilterFormat`); products Int32 × Int32 → Int64, summed in Int64, rounded
/// half up by `>> 30`; the output state saturates at ±2^30 (8 × full scale),
/// which a design whose L1 norm is below 8 never reaches. Twelve fraction
/// bits below the Q15 LSB keep the round-off of low, narrow poles (63 Hz at
/// 48 kHz, noise gain ≈ 10^6.8) below −100 dBFS.
public struct BiquadQ30 {
    @usableFromInline let b0, b1, b2, na1, na2: Int64
    @usableFromInline var x1: Int64 = 0, x2: Int64 = 0, y1: Int64 = 0, y2: Int64 = 0

    /// Rounds `c` to Q30. Every coefficient must lie in [−2, 2).
    public init(_ c: BiquadCoefficients) {
        b0 = Widen.int64(FilterFormat.q30(c.b0))
        b1 = Widen.int64(FilterFormat.q30(c.b1))
        b2 = Widen.int64(FilterFormat.q30(c.b2))
        na1 = Widen.int64(FilterFormat.q30(-c.a1))
        na2 = Widen.int64(FilterFormat.q30(-c.a2))
    }

    /// Filters one value in state units and returns the output in state units.
    @inlinable @inline(__always)
    public mutating func step(_ x0: Int64) -> Int64 {
        let acc = b0 &* x0 &+ b1 &* x1 &+ b2 &* x2 &+ na1 &* y1 &+ na2 &* y2 &+ (1 &<< 29)
        var y0 = acc &>> 30
        if y0 > 1_073_741_824 { y0 = 1_073_741_824 }
        if y0 < -1_073_741_824 { y0 = -1_073_741_824 }
        x2 = x1; x1 = x0
        y2 = y1; y1 = y0
        return y0
    }

    /// Filters Q15 `input` into Q15 `output` (same count), rounding and
    /// saturating the output; state carries across calls.
    @inlinable
    public mutating func process(_ input: UnsafeBufferPointer<Int16>, into output: UnsafeMutableBufferPointer<Int16>) {
        precondition(output.count >= input.count, "BiquadQ30: output shorter than input")
        for i in 0..<input.count {
            let y = step(Widen.int64(input[i]) &<< 12)
            output[i] = Saturate.toInt16((y &+ 2_048) &>> 12)
        }
    }

    /// Clears the state (silence history).
    public mutating func reset() { x1 = 0; x2 = 0; y1 = 0; y2 = 0 }
}

/// Up to four `BiquadQ30` sections in series, sharing the state-unit format
/// between sections (no Q15 rounding inside the cascade).
///
/// Input: Q15 `Int16`. Outputs: filtered Q15 samples (rounded, saturated)
/// and/or the sum of squares of the output rounded to Q15, in Q30 units
/// (directly comparable with Σx² of Q15 input samples), added to a UInt64.
public struct BiquadCascadeQ30 {
    @usableFromInline var sections: InlineArray<4, BiquadQ30>
    /// Number of sections in use (1…4).
    public let count: Int

    /// Rounds each design section to Q30. 1…4 sections.
    public init(_ designs: UnsafeBufferPointer<BiquadCoefficients>) {
        precondition(designs.count >= 1 && designs.count <= 4, "BiquadCascadeQ30: 1…4 sections")
        let identity = BiquadQ30(BiquadCoefficients(b0: 1, b1: 0, b2: 0, a1: 0, a2: 0))
        sections = InlineArray(repeating: identity)
        for k in 0..<designs.count { sections[k] = BiquadQ30(designs[k]) }
        count = designs.count
    }

    /// Filters one value in state units through every section.
    @inlinable @inline(__always)
    public mutating func step(_ x: Int64) -> Int64 {
        var v = x
        for k in 0..<count { v = sections[k].step(v) }
        return v
    }

    /// Filters `input`; adds Σ y² (Q30, y = output rounded to Q15) to `energy`.
    @inlinable
    public mutating func process(_ input: UnsafeBufferPointer<Int16>, energy: inout UInt64) {
        var e = energy
        for i in 0..<input.count {
            let y = (step(Widen.int64(input[i]) &<< 12) &+ 2_048) &>> 12
            e &+= UInt64(bitPattern: y &* y)
        }
        energy = e
    }

    /// Filters Q15 `input` into Q15 `output` (rounded, saturated) and adds
    /// Σ y² (Q30, before saturation) to `energy`.
    @inlinable
    public mutating func process(_ input: UnsafeBufferPointer<Int16>, into output: UnsafeMutableBufferPointer<Int16>, energy: inout UInt64) {
        precondition(output.count >= input.count, "BiquadCascadeQ30: output shorter than input")
        var e = energy
        for i in 0..<input.count {
            let y = (step(Widen.int64(input[i]) &<< 12) &+ 2_048) &>> 12
            e &+= UInt64(bitPattern: y &* y)
            output[i] = Saturate.toInt16(y)
        }
        energy = e
    }

    /// Clears every section's state.
    public mutating func reset() { for k in 0..<count { sections[k].reset() } }
}
