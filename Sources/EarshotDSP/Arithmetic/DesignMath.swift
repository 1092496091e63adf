// Double-precision elementary functions for configuration-time design
// (filter coefficients, Goertzel coefficients, dB→linear thresholds).
//
// Why not libm: Embedded Swift has no Foundation/Glibc, and libm's last-ulp
// results differ between platforms, which could flip a Q30 rounding and break
// bit-identical output across x86_64 and ARM. These routines use only IEEE
// +, −, ×, ÷ in a fixed order (Swift never contracts into FMA), so every
// target computes the same coefficients. Accuracy: ≲ 2 ulp on the ranges
// used by the designs. Never call these on the per-sample path.

/// Configuration-time Double math with platform-independent results.
public enum DesignMath {
    public static let pi = 3.141_592_653_589_793_116
    static let ln2 = 0.693_147_180_559_945_309_4
    static let ln10 = 2.302_585_092_994_045_684

    /// Natural logarithm, x > 0.
    public static func log(_ x: Double) -> Double {
        precondition(x > 0, "log of a non-positive value")
        var m = x
        var e = 0
        while m >= 1.414_213_562_373_095 { m *= 0.5; e += 1 }
        while m < 0.707_106_781_186_547_5 { m *= 2; e -= 1 }
        // ln(m) = 2·atanh(t), t = (m−1)/(m+1), |t| ≤ 0.172.
        let t = (m - 1) / (m + 1)
        let t2 = t * t
        var term = t
        var sum = 0.0
        var k = 1.0
        while k < 41 { sum += term / k; term *= t2; k += 2 }
        return 2 * sum + Double(e) * ln2
    }

    /// Base-10 logarithm, x > 0.
    public static func log10(_ x: Double) -> Double { log(x) / ln10 }

    /// e^x for |x| < 700.
    public static func exp(_ x: Double) -> Double {
        // x = k·ln2 + r, |r| ≤ ln2/2; e^r by Taylor series.
        let k = (x / ln2).rounded()
        let r = x - k * ln2
        var term = 1.0
        var sum = 1.0
        var n = 1.0
        while n < 25 { term *= r / n; sum += term; n += 1 }
        var result = sum
        var i = Int(k)
        while i > 0 { result *= 2; i -= 1 }
        while i < 0 { result *= 0.5; i += 1 }
        return result
    }

    /// x^y for x > 0.
    public static func pow(_ x: Double, _ y: Double) -> Double { exp(y * log(x)) }

    /// 10^(dB/20): amplitude ratio of a level difference in dB.
    public static func amplitude(dB: Double) -> Double { pow(10, dB / 20) }

    /// Sine, any finite x.
    public static func sin(_ x: Double) -> Double {
        let (r, q) = reduce(x)
        switch q {
        case 0: return sinKernel(r)
        case 1: return cosKernel(r)
        case 2: return -sinKernel(r)
        default: return -cosKernel(r)
        }
    }

    /// Cosine, any finite x.
    public static func cos(_ x: Double) -> Double {
        let (r, q) = reduce(x)
        switch q {
        case 0: return cosKernel(r)
        case 1: return -sinKernel(r)
        case 2: return -cosKernel(r)
        default: return sinKernel(r)
        }
    }

    /// Tangent, x not at an odd multiple of π/2.
    public static func tan(_ x: Double) -> Double { sin(x) / cos(x) }

    /// Square root (IEEE-exact: the hardware instruction on every target).
    public static func sqrt(_ x: Double) -> Double { x.squareRoot() }

    /// Arc tangent, result in (−π/2, π/2).
    public static func atan(_ x: Double) -> Double {
        if x < 0 { return -atan(-x) }
        if x > 1 { return pi / 2 - atan(1 / x) }
        // Halve the argument twice: atan(x) = 2·atan(x / (1 + √(1+x²))).
        var a = x
        var scale = 1.0
        for _ in 0..<3 { a = a / (1 + (1 + a * a).squareRoot()); scale *= 2 }
        let a2 = a * a
        var term = a
        var sum = 0.0
        var k = 1.0
        var sign = 1.0
        while k < 31 { sum += sign * term / k; term *= a2; k += 2; sign = -sign }
        return scale * sum
    }

    /// Two-argument arc tangent, result in (−π, π].
    public static func atan2(_ y: Double, _ x: Double) -> Double {
        if x > 0 { return atan(y / x) }
        if x < 0 { return y >= 0 ? atan(y / x) + pi : atan(y / x) - pi }
        if y > 0 { return pi / 2 }
        if y < 0 { return -pi / 2 }
        return 0
    }

    /// Reduces x to r ∈ [−π/4, π/4] and quadrant q with x = r + q·π/2.
    static func reduce(_ x: Double) -> (Double, Int) {
        // Cody–Waite with π/2 split in two parts; ample for |x| < 1e5.
        let halfPiHi = 1.570_796_326_794_896_558
        let halfPiLo = 6.123_233_995_736_766e-17
        let k = (x / halfPiHi).rounded()
        let r = (x - k * halfPiHi) - k * halfPiLo
        var q = Int(k) % 4
        if q < 0 { q += 4 }
        return (r, q)
    }

    static func sinKernel(_ r: Double) -> Double {
        let r2 = r * r
        var term = r
        var sum = r
        var n = 1.0
        while n < 23 { term *= -r2 / ((n + 1) * (n + 2)); sum += term; n += 2 }
        return sum
    }

    static func cosKernel(_ r: Double) -> Double {
        let r2 = r * r
        var term = 1.0
        var sum = 1.0
        var n = 0.0
        while n < 22 { term *= -r2 / ((n + 1) * (n + 2)); sum += term; n += 2 }
        return sum
    }
}
