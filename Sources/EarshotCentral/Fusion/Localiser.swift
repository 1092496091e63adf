// Chooses the method for a set of contributing events and runs it.
import Glibc

/// Locates one source from the events of the boxes that heard it: TDOA multilateration for
/// ≥ 3 synchronised boxes, bearing intersection for 2 (or one bearing with a 2-box onset
/// difference), bearing + range band for 1 box, else the box that heard it first.
/// Pure and deterministic: the same events in any order give bit-identical answers.
public struct Localiser: Sendable {
    /// Tunables (speed of sound, uncertainties).
    public var settings: FusionSettings

    /// Builds a localiser.
    public init(settings: FusionSettings) { self.settings = settings }

    /// Cells per side of the grid an unseeded fit searches before refining.
    public static let defaultGridCells = 80

    /// Locates the source of `contributions` (box with its event, at most one event per box).
    /// `start`: refine from this point instead of searching the grid (a hypothesis being
    /// checked, e.g. the fix of a subset); `gridCells`: the grid's cells per side (`Localiser.defaultGridCells`; fewer
    /// is faster and may miss a narrow minimum).
    public func locate(_ contributions: [(box: RegisteredBox, event: FusionEvent)],
                       start: PlanePoint? = nil, gridCells: Int = Localiser.defaultGridCells) -> Localisation {
        precondition(!contributions.isEmpty, "nothing to locate")
        // Sorting by box id makes the result independent of arrival order.
        let sorted = contributions.sorted { $0.box.id < $1.box.id }
        let reference = sorted.map(\.event.onsetNs).min()!
        let obs = sorted.map { Observation(box: $0.box, event: $0.event, referenceNs: reference, settings: settings) }
        let timed = obs.filter { $0.tauS != nil }
        let bearings = obs.filter { $0.bearingSiteDeg != nil }
        let constraints = max(timed.count - 1, 0) + bearings.count
        if constraints >= 2 {
            let fit = LeastSquaresFit(obs, speedOfSound: settings.speedOfSoundMPerS)
            if let f = start.flatMap({ fit.refine(x: $0.x, y: $0.y) }) ?? fit.solve(cells: gridCells) {
                return result(f, fit: fit, obs: obs, reference: reference,
                              method: timed.count >= 3 ? .tdoa : .bearings)
            }
            // Singular timing geometry (e.g. boxes on a line with the source on it): bearings alone.
            if bearings.count >= 2 {
                let noTiming = obs.map { o in
                    Observation(box: o.box, event: withoutTiming(o.event), referenceNs: reference, settings: settings)
                }
                let bfit = LeastSquaresFit(noTiming, speedOfSound: settings.speedOfSoundMPerS)
                if let f = bfit.solve() {
                    return result(f, fit: bfit, obs: noTiming, reference: reference, method: .bearings)
                }
            }
        }
        let first = obs.min { ($0.event.onsetNs, $0.box.id) < ($1.event.onsetNs, $1.box.id) }!
        if let o = bearings.min(by: { ($0.bearingSigmaDeg, $0.box.id) < ($1.bearingSigmaDeg, $1.box.id) }) {
            return bearingRange(o)
        }
        return Localisation(position: first.box.position, method: .nearestBox,
                            ellipse: .circle(radiusM: first.box.hearingRangeM), emissionNs: first.event.onsetNs,
                            timedBoxes: timed.count)
    }

    private func withoutTiming(_ e: FusionEvent) -> FusionEvent {
        var e = e
        e.clock = EventClock(synchronised: false, errorUs: nil)
        return e
    }

    private func result(_ f: FitResult, fit: LeastSquaresFit, obs: [Observation], reference: Int64,
                        method: LocalisationMethod) -> Localisation {
        let c = settings.speedOfSoundMPerS
        var residuals: [String: Double] = [:]
        var emission = reference
        if fit.useTiming {
            emission = reference &+ Int64((f.t0 * 1e9).rounded())
            for o in obs {
                guard let tau = o.tauS else { continue }
                let d = hypot(f.x - o.box.x, f.y - o.box.y)
                residuals[o.box.id] = (tau - d / c - f.t0) * 1000
            }
        } else {
            // Emission from the earliest box: its onset minus the travel time.
            let first = obs.min { ($0.event.onsetNs, $0.box.id) < ($1.event.onsetNs, $1.box.id) }!
            let d = hypot(f.x - first.box.x, f.y - first.box.y)
            emission = first.event.onsetNs &- Int64((d / c * 1e9).rounded())
        }
        let n = max(fit.residualCount, 1)
        return Localisation(position: PlanePoint(x: f.x, y: f.y), method: method,
                            ellipse: .fromCovariance(xx: f.cxx, xy: f.cxy, yy: f.cyy), emissionNs: emission,
                            residualsMs: residuals, rmsNormalisedResidual: (f.cost / Double(n)).squareRoot(),
                            timedBoxes: fit.useTiming ? obs.filter { $0.tauS != nil }.count : 0,
                            bearingBoxes: obs.filter { $0.bearingSiteDeg != nil }.count)
    }

    /// One bearing: the source lies along it, within a range band from the level (when the
    /// box is calibrated and the class's source level is configured) or within hearing range.
    private func bearingRange(_ o: Observation) -> Localisation {
        let hearing = o.box.hearingRangeM
        var band = 0.0...hearing
        if let measured = o.event.peakDbSpl, let source = settings.sourceLevelDbSplAt1m[o.event.soundClass] {
            // Spherical spreading, ±6 dB: r = 10^((Ls − Lm)/20), band [r/2, 2r].
            let r = pow(10, (source - measured) / 20)
            let lo = min(max(r / 2, 1), hearing), hi = min(max(r * 2, lo), hearing)
            band = lo...hi
        }
        let mid = (band.lowerBound + band.upperBound) / 2
        let theta = o.bearingSiteDeg!
        let pos = PlanePoint(x: o.box.x + mid * cos(radians(theta)), y: o.box.y + mid * sin(radians(theta)))
        let along = max((band.upperBound - band.lowerBound) / 2, 1)
        let across = min(max(mid * tan(radians(min(UncertaintyEllipse.chi2Scale95 * o.bearingSigmaDeg, 80))), 1), max(along, 1))
        let ellipse = UncertaintyEllipse(semiMajorM: max(along, across), semiMinorM: min(along, across),
                                         orientationDeg: along >= across ? wrapDegrees360(theta).truncatingRemainder(dividingBy: 180)
                                                                         : wrapDegrees360(theta + 90).truncatingRemainder(dividingBy: 180))
        let emission = o.event.onsetNs &- Int64((mid / settings.speedOfSoundMPerS * 1e9).rounded())
        return Localisation(position: pos, method: .bearingRange, ellipse: ellipse, rangeBandM: band, emissionNs: emission,
                            bearingBoxes: 1)
    }
}
