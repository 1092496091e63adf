// Weighted least squares of a far-field direction u from pair delays:
// (p_j − p_i)·u = c·τ_ij, accumulated as normal equations.

/// Normal equations AᵀWA·u = AᵀW·b of the direction fit (3 unknowns).
@usableFromInline
struct Normal3 {
    @usableFromInline var ata = SIMD8<Double>()   // xx xy xz yy yz zz
    @usableFromInline var atb = SIMD3<Double>()

    @usableFromInline init() {}

    /// Adds one pair: baseline d (metres), path difference b (metres), weight w.
    @usableFromInline mutating func add(_ d: SIMD3<Double>, _ b: Double, weight w: Double) {
        ata[0] += w * d.x * d.x; ata[1] += w * d.x * d.y; ata[2] += w * d.x * d.z
        ata[3] += w * d.y * d.y; ata[4] += w * d.y * d.z; ata[5] += w * d.z * d.z
        atb += w * b * d
    }

    /// Unit direction (array frame) for the geometry's resolution.
    @usableFromInline func solve(_ g: MicArrayGeometry) -> SIMD3<Double> {
        switch g.resolution {
        case .volume:
            let a = ata[0], b = ata[1], c = ata[2], d = ata[3], e = ata[4], f = ata[5]
            let det = a * (d * f - e * e) - b * (b * f - e * c) + c * (b * e - d * c)
            if det == 0 { return SIMD3(1, 0, 0) }
            let (r0, r1, r2) = (atb.x, atb.y, atb.z)
            let ux = (r0 * (d * f - e * e) - b * (r1 * f - e * r2) + c * (r1 * e - d * r2)) / det
            let uy = (a * (r1 * f - e * r2) - r0 * (b * f - e * c) + c * (b * r2 - r1 * c)) / det
            let uz = (a * (d * r2 - r1 * e) - b * (b * r2 - r1 * c) + r0 * (b * e - d * c)) / det
            return normalised(SIMD3(ux, uy, uz))
        case .plane:
            let a = ata[0], b = ata[1], d = ata[3]
            let det = a * d - b * b
            if det == 0 { return SIMD3(1, 0, 0) }
            let ux = (d * atb.x - b * atb.y) / det
            let uy = (a * atb.y - b * atb.x) / det
            return normalised(SIMD3(ux, uy, 0))
        case .line:
            // Only the cosine to the axis is measured; take the front solution.
            let axis = g.axis
            let along = SIMD3(ata[0] * axis.x + ata[1] * axis.y + ata[2] * axis.z,
                              ata[1] * axis.x + ata[3] * axis.y + ata[4] * axis.z,
                              ata[2] * axis.x + ata[4] * axis.y + ata[5] * axis.z)
            let denom = (along * axis).sum()
            if denom == 0 { return SIMD3(1, 0, 0) }
            let cosine = max(-1, min(1, (atb * axis).sum() / denom))
            var front = SIMD3(-axis.y, axis.x, 0)
            if front.x < 0 || (front.x == 0 && front.y < 0) { front = -front }
            let fl = (front * front).sum().squareRoot()
            if fl == 0 { front = SIMD3(1, 0, 0) } else { front /= fl }
            return cosine * axis + (1 - cosine * cosine).squareRoot() * front
        }
    }

    @usableFromInline func normalised(_ v: SIMD3<Double>) -> SIMD3<Double> {
        let l = (v * v).sum().squareRoot()
        return l > 0 ? v / l : SIMD3(1, 0, 0)
    }
}
