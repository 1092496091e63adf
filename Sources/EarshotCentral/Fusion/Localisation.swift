// What the localiser says about one incident: where, how sure, by which method.

/// How a position was obtained.
public enum LocalisationMethod: String, Sendable, Equatable {
    /// Weighted least squares on the onset differences of ≥ 3 synchronised boxes
    /// (bearings, when reported, join the same fit).
    case tdoa
    /// Intersection of ≥ 2 bearings, or one bearing with a 2-box onset difference.
    case bearings
    /// One box's bearing and a range band along it.
    case bearingRange = "bearing_range"
    /// Nothing better: the box that heard it first, circle of its hearing range.
    case nearestBox = "nearest_box"
}

/// A located source: position, uncertainty and the fit's diagnostics.
public struct Localisation: Sendable, Equatable {
    /// Estimated source position on the site plane, m.
    public var position: PlanePoint
    /// Method used.
    public var method: LocalisationMethod
    /// 95 % uncertainty ellipse, m.
    public var ellipse: UncertaintyEllipse
    /// Range band along the bearing from the box, m (only `bearingRange`).
    public var rangeBandM: ClosedRange<Double>?
    /// Estimated emission time of the sound, ns since 1970 (UTC).
    public var emissionNs: Int64
    /// Timing residual per contributing box (onset − predicted), ms; boxes without usable timing absent.
    public var residualsMs: [String: Double]
    /// Root-mean-square of the normalised residuals (≈ 1 when the uncertainties are right).
    public var rmsNormalisedResidual: Double
    /// Boxes whose onsets were used as timing.
    public var timedBoxes: Int
    /// Boxes whose bearings were used.
    public var bearingBoxes: Int

    /// Builds a localisation.
    public init(position: PlanePoint, method: LocalisationMethod, ellipse: UncertaintyEllipse,
                rangeBandM: ClosedRange<Double>? = nil, emissionNs: Int64, residualsMs: [String: Double] = [:],
                rmsNormalisedResidual: Double = 0, timedBoxes: Int = 0, bearingBoxes: Int = 0) {
        self.position = position; self.method = method; self.ellipse = ellipse; self.rangeBandM = rangeBandM
        self.emissionNs = emissionNs; self.residualsMs = residualsMs; self.rmsNormalisedResidual = rmsNormalisedResidual
        self.timedBoxes = timedBoxes; self.bearingBoxes = bearingBoxes
    }
}
