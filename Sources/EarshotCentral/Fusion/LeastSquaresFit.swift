// Levenberg–Marquardt (damped Gauss–Newton) on onset and bearing residuals.
import Glibc

/// √(dx² + dy²): site coordinates are bounded (±100 km), so glibc's overflow-safe hypot,
/// a third of the grid search's time, is not needed.
@inline(__always) func planeDistance(_ dx: Double, _ dy: Double) -> Double { (dx * dx + dy * dy).squareRoot() }

/// The result of one fit: position, emission time, covariance and cost (χ²).
struct FitResult {
    var x: Double
    var y: Double
    /// Emission time relative to the reference onset, s (0 when timing is not used).
    var t0: Double
    /// Position covariance, m² (already scaled by the reduced χ² when it exceeds 1).
    var cxx: Double, cxy: Double, cyy: Double
    /// Sum of squared normalised residuals.
    var cost: Double
    /// Residual count minus unknown count.
    var dof: Int
}

/// Weighted least squares over the observations. Unknowns: (x, y) and, when at least two
/// onsets are usable, the emission time T0. Residuals: (τᵢ − |x − pᵢ|/c − T0)/σᵢ for each timed
/// box (the hyperbolae: T0 cancels in every difference) and (θᵢ − φᵢ(x))/σθᵢ for each bearing.
struct LeastSquaresFit {
    let observations: [Observation]
    let c: Double
    let useTiming: Bool

    init(_ observations: [Observation], speedOfSound: Double) {
        self.observations = observations
        c = speedOfSound
        useTiming = observations.filter { $0.tauS != nil }.count >= 2
    }

    var unknowns: Int { useTiming ? 3 : 2 }
    var residualCount: Int {
        observations.reduce(0) { $0 + (useTiming && $1.tauS != nil ? 1 : 0) + ($1.bearingSiteDeg != nil ? 1 : 0) }
    }

    /// Best T0 at (x, y) in closed form (weighted mean of τᵢ − dᵢ/c), s.
    func bestT0(x: Double, y: Double) -> Double {
        var sw = 0.0, swa = 0.0
        for o in observations {
            guard let tau = o.tauS else { continue }
            let d = planeDistance(x - o.box.x, y - o.box.y)
            let w = 1 / (o.sigmaS * o.sigmaS)
            sw += w; swa += w * (tau - d / c)
        }
        return sw > 0 ? swa / sw : 0
    }

    /// χ² at (x, y) with T0 eliminated, plus a soft penalty for lying beyond a box's hearing range.
    func gridCost(x: Double, y: Double) -> Double {
        let t0 = useTiming ? bestT0(x: x, y: y) : 0
        return cost(x: x, y: y, t0: t0) + rangePenalty(x: x, y: y)
    }

    /// Penalty (χ² units) growing as the point leaves a box's hearing disc: 1 at 10 % beyond.
    func rangePenalty(x: Double, y: Double) -> Double {
        var p = 0.0
        for o in observations {
            let d = planeDistance(x - o.box.x, y - o.box.y)
            if d > o.box.hearingRangeM { let e = (d - o.box.hearingRangeM) / (0.1 * o.box.hearingRangeM); p += e * e }
        }
        return p
    }

    func cost(x: Double, y: Double, t0: Double) -> Double {
        var s = 0.0
        forEachResidual(x: x, y: y, t0: t0) { r, _ in s += r * r }
        return s
    }

    /// Calls `body(residual, gradient)` for each residual; the gradient is ∂r/∂(x, y, T0).
    func forEachResidual(x: Double, y: Double, t0: Double, _ body: (Double, (Double, Double, Double)) -> Void) {
        for o in observations {
            let dx = x - o.box.x, dy = y - o.box.y
            let d = max(planeDistance(dx, dy), 0.01)
            if useTiming, let tau = o.tauS {
                let r = (tau - d / c - t0) / o.sigmaS
                body(r, (-dx / (d * c * o.sigmaS), -dy / (d * c * o.sigmaS), -1 / o.sigmaS))
            }
            if let theta = o.bearingSiteDeg {
                let phi = atan2Degrees(dy, dx)
                let sigma = o.bearingSigmaDeg
                let r = wrapDegrees180(theta - phi) / sigma
                // ∂φ/∂x = −dy/d², ∂φ/∂y = dx/d² (radians); r is in degrees / σ°.
                let d2 = max(d * d, 0.25)
                let k = 180 / Double.pi / sigma
                body(r, (k * dy / d2, -k * dx / d2, 0))
            }
        }
    }

    /// Normal equations JᵀJ and Jᵀr at a point.
    func normalEquations(x: Double, y: Double, t0: Double) -> (SmallMatrix, [Double], Double) {
        let n = unknowns
        var h = SmallMatrix(n: n)
        var g = [Double](repeating: 0, count: n)
        var cost = 0.0
        forEachResidual(x: x, y: y, t0: t0) { r, grad in
            let j = [grad.0, grad.1, grad.2]
            for a in 0..<n {
                g[a] += j[a] * r
                for b in 0..<n { h[a, b] += j[a] * j[b] }
            }
            cost += r * r
        }
        return (h, g, cost)
    }

    /// Refines from (x, y); nil when the geometry is singular there.
    func refine(x startX: Double, y startY: Double, iterations: Int = 100) -> FitResult? {
        var x = startX, y = startY
        var t0 = useTiming ? bestT0(x: x, y: y) : 0
        var lambda = 1e-3
        var (h, g, cost) = normalEquations(x: x, y: y, t0: t0)
        for _ in 0..<iterations {
            var damped = h
            for i in 0..<h.n { damped[i, i] += lambda * max(h[i, i], 1e-12) }
            guard let step = damped.solve(g.map { -$0 }) else { lambda *= 10; if lambda > 1e12 { break }; continue }
            let nx = x + step[0], ny = y + step[1], nt = useTiming ? t0 + step[2] : 0
            let newCost = self.cost(x: nx, y: ny, t0: nt)
            if newCost <= cost {
                x = nx; y = ny; t0 = nt
                (h, g, cost) = normalEquations(x: x, y: y, t0: t0)
                lambda = max(lambda / 10, 1e-12)
                if hypot(step[0], step[1]) < 1e-6 { break }
            } else {
                lambda *= 10
                if lambda > 1e12 { break }
            }
        }
        guard let cov = h.inverse(), cov[0, 0] >= 0, cov[1, 1] >= 0 else { return nil }
        let dof = residualCount - unknowns
        let scale = dof > 0 ? max(1, cost / Double(dof)) : 1
        return FitResult(x: x, y: y, t0: t0, cxx: cov[0, 0] * scale, cxy: cov[0, 1] * scale, cyy: cov[1, 1] * scale,
                         cost: cost, dof: dof)
    }

    /// Global search: a grid over the boxes' hearing discs, the lowest local minima refined,
    /// the best kept (ties broken toward the boxes' centroid, so the answer is deterministic).
    func solve(cells: Int = Localiser.defaultGridCells, candidates: Int = 4) -> FitResult? {
        guard !observations.isEmpty else { return nil }
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        var cx = 0.0, cy = 0.0
        for o in observations {
            let r = min(o.box.hearingRangeM, 2000)
            minX = min(minX, o.box.x - r); maxX = max(maxX, o.box.x + r)
            minY = min(minY, o.box.y - r); maxY = max(maxY, o.box.y + r)
            cx += o.box.x; cy += o.box.y
        }
        cx /= Double(observations.count); cy /= Double(observations.count)
        let step = max(maxX - minX, maxY - minY) / Double(cells)
        let nx = Int(((maxX - minX) / step).rounded(.up)) + 1, ny = Int(((maxY - minY) / step).rounded(.up)) + 1
        var grid = [Double](repeating: 0, count: nx * ny)
        for j in 0..<ny { for i in 0..<nx { grid[j * nx + i] = gridCost(x: minX + Double(i) * step, y: minY + Double(j) * step) } }
        var minima: [(cost: Double, i: Int, j: Int)] = []
        for j in 0..<ny {
            for i in 0..<nx {
                let v = grid[j * nx + i]
                var isMin = true
                for dj in -1...1 {
                    for di in -1...1 where !(di == 0 && dj == 0) {
                        let a = i + di, b = j + dj
                        if a >= 0, a < nx, b >= 0, b < ny, grid[b * nx + a] < v { isMin = false }
                    }
                }
                if isMin { minima.append((v, i, j)) }
            }
        }
        minima.sort { ($0.cost, $0.j, $0.i) < ($1.cost, $1.j, $1.i) }
        var best: (FitResult, Double, Double)?
        for m in minima.prefix(candidates) {
            guard let f = refine(x: minX + Double(m.i) * step, y: minY + Double(m.j) * step) else { continue }
            let total = f.cost + rangePenalty(x: f.x, y: f.y)
            let toCentre = hypot(f.x - cx, f.y - cy)
            if let b = best {
                let tie = abs(total - b.1) <= 1e-6 * max(1, b.1)
                if total < b.1 && !tie || tie && toCentre < b.2 - 1e-6 { best = (f, total, toCentre) }
            } else {
                best = (f, total, toCentre)
            }
        }
        return best?.0
    }
}
