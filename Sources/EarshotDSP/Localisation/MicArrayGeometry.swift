// Microphone array geometry for direction finding: positions in the board's
// array frame (x forward, y left, z up; metres), classified by what they can
// resolve.

/// Up to eight microphone positions (metres, array frame: x forward, y left,
/// z up) and what direction finding they allow.
public struct MicArrayGeometry: Equatable, Sendable {
    /// What the array can resolve.
    public enum Resolution: Equatable, Sendable {
        /// All microphones on one line (e.g. a 2-mic HAT): only the angle to
        /// that line; bearings are folded onto the front half-plane.
        case line
        /// Microphones in a horizontal plane: azimuth over 360°, no elevation.
        case plane
        /// Non-coplanar microphones: azimuth and elevation.
        case volume
    }

    /// Maximum number of microphones.
    public static let maxMicrophones = 8

    /// Number of microphones (2 … 8).
    public let count: Int
    /// Coordinates of microphone k in lane k, metres.
    public let x: SIMD8<Double>
    public let y: SIMD8<Double>
    public let z: SIMD8<Double>
    /// What the geometry can resolve.
    public let resolution: Resolution
    /// Unit vector of the line (for `.line`), array frame.
    public let axis: SIMD3<Double>
    /// Largest distance between two microphones, metres.
    public let aperture: Double

    /// Builds a geometry from `count` positions given lane-wise (metres).
    /// Returns nil for fewer than 2 or more than 8 microphones or when all
    /// positions coincide (aperture < 1 mm).
    public init?(count: Int, x: SIMD8<Double>, y: SIMD8<Double>, z: SIMD8<Double>) {
        guard count >= 2, count <= MicArrayGeometry.maxMicrophones else { return nil }
        self.count = count
        self.x = x; self.y = y; self.z = z
        var aperture = 0.0
        var zSpread = 0.0
        var sxx = 0.0, sxy = 0.0, syy = 0.0
        var longest = SIMD3<Double>(1, 0, 0)
        for i in 0..<count {
            zSpread = max(zSpread, abs(z[i] - z[0]))
            for j in (i + 1)..<count where j < count {
                let d = SIMD3(x[j] - x[i], y[j] - y[i], z[j] - z[i])
                let len = (d * d).sum().squareRoot()
                if len > aperture { aperture = len; longest = d / len }
                sxx += d.x * d.x; sxy += d.x * d.y; syy += d.y * d.y
            }
        }
        guard aperture >= 0.001 else { return nil }
        self.aperture = aperture
        self.axis = longest
        let trace = sxx + syy
        let det = sxx * syy - sxy * sxy
        if det <= 1e-6 * trace * trace {
            resolution = .line
        } else if zSpread < 0.01 * aperture {
            resolution = .plane
        } else {
            resolution = .volume
        }
    }

    /// Position of microphone k, metres.
    public func position(_ k: Int) -> SIMD3<Double> { SIMD3(x[k], y[k], z[k]) }
}
