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
