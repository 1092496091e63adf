// The position's uncertainty as the operator sees it: an ellipse in metres.
import Glibc

/// A confidence ellipse on the site plane, m.
public struct UncertaintyEllipse: Sendable, Equatable {
    /// Semi-major axis, m.
    public var semiMajorM: Double
    /// Semi-minor axis, m.
    public var semiMinorM: Double
    /// Direction of the major axis, degrees counter-clockwise from site east, in [0, 180).
    public var orientationDeg: Double
    /// Probability that the source lies inside (0.95 unless stated).
    public var confidence: Double

    /// Builds an ellipse.
    public init(semiMajorM: Double, semiMinorM: Double, orientationDeg: Double, confidence: Double = 0.95) {
        self.semiMajorM = semiMajorM; self.semiMinorM = semiMinorM
        self.orientationDeg = orientationDeg; self.confidence = confidence
    }

    /// A circle of `radiusM`, m.
    public static func circle(radiusM: Double, confidence: Double = 0.95) -> UncertaintyEllipse {
        UncertaintyEllipse(semiMajorM: radiusM, semiMinorM: radiusM, orientationDeg: 0, confidence: confidence)
    }

    /// √χ²₂(0.95): scales 1σ axes of a 2-D Gaussian to its 95 % ellipse.
    public static let chi2Scale95 = 2.447_746_830_680_816

    /// The 95 % ellipse of a 2-D position covariance [[xx, xy], [xy, yy]], m².
    public static func fromCovariance(xx: Double, xy: Double, yy: Double) -> UncertaintyEllipse {
        let mean = (xx + yy) / 2
        let d = (((xx - yy) / 2) * ((xx - yy) / 2) + xy * xy).squareRoot()
        let l1 = max(mean + d, 0), l2 = max(mean - d, 0)
        var angle = 0.5 * atan2Degrees(2 * xy, xx - yy)
        if angle < 0 { angle += 180 }
        if angle >= 180 { angle -= 180 }
        return UncertaintyEllipse(semiMajorM: chi2Scale95 * l1.squareRoot(), semiMinorM: chi2Scale95 * l2.squareRoot(),
                                  orientationDeg: angle)
    }
}

/// atan2 in degrees (Foundation-free: the fusion imports nothing but Glibc for libm).
func atan2Degrees(_ y: Double, _ x: Double) -> Double { atan2(y, x) * 180 / Double.pi }
