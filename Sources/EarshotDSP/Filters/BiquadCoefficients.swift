// Configuration-time biquad coefficients in Double, and their Q30 rounding.

/// One second-order section `H(z) = (b0 + b1 z⁻¹ + b2 z⁻²) / (1 + a1 z⁻¹ + a2 z⁻²)`
/// in Double (design time only).
public struct BiquadCoefficients: Equatable, Sendable {
    public var b0, b1, b2, a1, a2: Double

    /// A section from its five coefficients (a0 = 1).
    public init(b0: Double, b1: Double, b2: Double, a1: Double, a2: Double) {
        self.b0 = b0; self.b1 = b1; self.b2 = b2; self.a1 = a1; self.a2 = a2
    }

    /// |H(e^{jω})| at `frequency` Hz for `sampleRate` Hz (design time only).
    public func magnitude(at frequency: Double, sampleRate: Double) -> Double {
        let w = 2 * DesignMath.pi * frequency / sampleRate
        let c1 = DesignMath.cos(w), s1 = DesignMath.sin(w)
        let c2 = DesignMath.cos(2 * w), s2 = DesignMath.sin(2 * w)
        let nr = b0 + b1 * c1 + b2 * c2, ni = -(b1 * s1 + b2 * s2)
        let dr = 1 + a1 * c1 + a2 * c2, di = -(a1 * s1 + a2 * s2)
        return DesignMath.sqrt((nr * nr + ni * ni) / (dr * dr + di * di))
    }

    /// The numerator scaled by `factor`.
    public func scaled(by factor: Double) -> BiquadCoefficients {
        BiquadCoefficients(b0: b0 * factor, b1: b1 * factor, b2: b2 * factor, a1: a1, a2: a2)
    }

    /// Largest L1 norm (sum of |h[n]| over the first `length` samples of the
    /// impulse response) among the partial cascades `sections[0..<1]`, …,
    /// `sections[0..<count]`: the worst-case peak gain any section's output
    /// can reach for a full-scale input. One pass over the impulse response
    /// (design time only; 1…4 sections).
    public static func worstPartialL1Norm(of sections: UnsafeBufferPointer<BiquadCoefficients>, length: Int) -> Double {
        precondition(sections.count >= 1 && sections.count <= 4, "worstPartialL1Norm: 1…4 sections")
        let identity = BiquadCoefficients(b0: 1, b1: 0, b2: 0, a1: 0, a2: 0)
        let c0 = sections[0]
        let c1 = sections.count > 1 ? sections[1] : identity
        let c2 = sections.count > 2 ? sections[2] : identity
        let c3 = sections.count > 3 ? sections[3] : identity
        // Per section: input history (i1, i2) and output history (o1, o2).
        var i01 = 0.0, i02 = 0.0, o01 = 0.0, o02 = 0.0
        var i11 = 0.0, i12 = 0.0, o11 = 0.0, o12 = 0.0
        var i21 = 0.0, i22 = 0.0, o21 = 0.0, o22 = 0.0
        var i31 = 0.0, i32 = 0.0, o31 = 0.0, o32 = 0.0
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var n = 0
        while n < length {
            let v = n == 0 ? 1.0 : 0.0
            let y0 = c0.b0 * v + c0.b1 * i01 + c0.b2 * i02 - c0.a1 * o01 - c0.a2 * o02
            i02 = i01; i01 = v; o02 = o01; o01 = y0
            let y1 = c1.b0 * y0 + c1.b1 * i11 + c1.b2 * i12 - c1.a1 * o11 - c1.a2 * o12
            i12 = i11; i11 = y0; o12 = o11; o11 = y1
            let y2 = c2.b0 * y1 + c2.b1 * i21 + c2.b2 * i22 - c2.a1 * o21 - c2.a2 * o22
            i22 = i21; i21 = y1; o22 = o21; o21 = y2
            let y3 = c3.b0 * y2 + c3.b1 * i31 + c3.b2 * i32 - c3.a1 * o31 - c3.a2 * o32
            i32 = i31; i31 = y2; o32 = o31; o31 = y3
            s0 += y0 < 0 ? -y0 : y0
            s1 += y1 < 0 ? -y1 : y1
            s2 += y2 < 0 ? -y2 : y2
            s3 += y3 < 0 ? -y3 : y3
            n += 1
        }
        // Identity padding repeats the last real partial cascade: harmless for the max.
        return max(max(s0, s1), max(s2, s3))
    }

    /// Sum of |h[n]| over the first `length` samples of the impulse response
    /// of `sections` in cascade (worst-case peak gain; design time only).
    public static func l1Norm(of sections: UnsafeBufferPointer<BiquadCoefficients>, length: Int) -> Double {
        var sum = 0.0
        // One state quadruple per section, at most 4 sections.
        var s = SIMD16<Double>(repeating: 0)
        precondition(sections.count <= 4, "l1Norm: at most 4 sections")
        for n in 0..<length {
            var v = n == 0 ? 1.0 : 0.0
            for k in 0..<sections.count {
                let c = sections[k]
                let y = c.b0 * v + c.b1 * s[4 * k] + c.b2 * s[4 * k + 1] - c.a1 * s[4 * k + 2] - c.a2 * s[4 * k + 3]
                s[4 * k + 1] = s[4 * k]; s[4 * k] = v
                s[4 * k + 3] = s[4 * k + 2]; s[4 * k + 2] = y
                v = y
            }
            sum += v < 0 ? -v : v
        }
        return sum
    }
}
