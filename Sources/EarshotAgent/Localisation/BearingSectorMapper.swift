// Bearing from the box → camera preset, with parallax, a dead zone and
// hysteresis so the camera is not sent back and forth between neighbours.
import EarshotConfig
import EarshotDSP

/// Chooses the camera preset for each localised event (`[camera]` of the board).
///
/// 1. Parallax: the source is placed `assumedSourceDistanceM` away along the
///    bearing (array frame) and its azimuth is taken as seen from the camera
///    position.
/// 2. Dead zone: while a preset is current, bearings within `deadZoneDeg` of
///    its azimuth keep it.
/// 3. Hysteresis: otherwise the nearest preset replaces the current one only
///    if it is nearer than the current one by more than `hysteresisDeg`.
public struct BearingSectorMapper: Sendable {
    /// The camera and its presets.
    public let camera: CameraSettings
    /// Preset number currently selected (1-based), nil before the first event.
    public private(set) var currentPreset: Int?

    /// A mapper with no current preset.
    public init(camera: CameraSettings) { self.camera = camera }

    /// The choice for one bearing.
    public struct Choice: Equatable, Sendable {
        /// Preset number (1-based); the PTZ sector is `preset − 1`.
        public var preset: Int
        /// Azimuth of the source as seen from the camera, degrees [0, 360).
        public var cameraAzimuthDeg: Double
        /// False when the dead zone or the hysteresis kept the current preset.
        public var changed: Bool
    }

    /// Azimuth from the camera (degrees, [0, 360)) of a source at `bearingDeg`
    /// (array frame) and elevation `elevationDeg` (0 when unknown).
    public func cameraAzimuth(bearingDeg: Double, elevationDeg: Double = 0) -> Double {
        let az = bearingDeg * DesignMath.pi / 180, el = elevationDeg * DesignMath.pi / 180
        let d = camera.assumedSourceDistanceM
        let sx = d * DesignMath.cos(el) * DesignMath.cos(az) - camera.positionM.x
        let sy = d * DesignMath.cos(el) * DesignMath.sin(az) - camera.positionM.y
        return Self.wrap(DesignMath.atan2(sy, sx) * 180 / DesignMath.pi)
    }

    /// Chooses the preset for `bearingDeg` and makes it current. Nil when the
    /// camera has no presets.
    public mutating func choose(bearingDeg: Double, elevationDeg: Double? = nil) -> Choice? {
        guard !camera.presets.isEmpty else { return nil }
        let seen = cameraAzimuth(bearingDeg: bearingDeg, elevationDeg: elevationDeg ?? 0)
        var nearest = camera.presets[0]
        for p in camera.presets where Self.distance(seen, p.azimuthDeg) < Self.distance(seen, nearest.azimuthDeg) {
            nearest = p
        }
        if let cur = currentPreset, let current = camera.presets.first(where: { $0.number == cur }) {
            let toCurrent = Self.distance(seen, current.azimuthDeg)
            if toCurrent <= camera.deadZoneDeg
                || toCurrent - Self.distance(seen, nearest.azimuthDeg) <= camera.hysteresisDeg {
                return Choice(preset: cur, cameraAzimuthDeg: seen, changed: false)
            }
        }
        let changed = currentPreset != nearest.number
        currentPreset = nearest.number
        return Choice(preset: nearest.number, cameraAzimuthDeg: seen, changed: changed)
    }

    /// Angle in [0, 360).
    static func wrap(_ deg: Double) -> Double {
        var a = deg.truncatingRemainder(dividingBy: 360)
        if a < 0 { a += 360 }
        return a
    }

    /// Smallest absolute difference of two azimuths, degrees (0…180).
    static func distance(_ a: Double, _ b: Double) -> Double {
        let d = wrap(a - b)
        return min(d, 360 - d)
    }
}
