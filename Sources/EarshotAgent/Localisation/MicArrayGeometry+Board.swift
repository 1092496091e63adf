// Board file microphone positions → the DSP's array geometry.
import EarshotConfig
import EarshotDSP

extension MicArrayGeometry {
    /// The geometry of `[microphone] positions_m` (metres, array frame), or nil
    /// when the board lists fewer than 2 or more than 8 distinct positions.
    public init?(board: BoardConfig) {
        let points = board.microphone.positionsM
        guard points.count >= 2, points.count <= MicArrayGeometry.maxMicrophones else { return nil }
        var x = SIMD8<Double>(), y = SIMD8<Double>(), z = SIMD8<Double>()
        for (k, p) in points.enumerated() { x[k] = p.x; y[k] = p.y; z[k] = p.z }
        self.init(count: points.count, x: x, y: y, z: z)
    }
}
