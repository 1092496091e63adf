// Dense symmetric solves for at most a handful of unknowns (the fusion has 2 or 3).

/// A small square matrix in row-major order (n ≤ 8), just enough for normal equations.
struct SmallMatrix: Equatable {
    let n: Int
    var a: [Double]

    init(n: Int) { self.n = n; a = [Double](repeating: 0, count: n * n) }

    subscript(i: Int, j: Int) -> Double {
        get { a[i * n + j] }
        set { a[i * n + j] = newValue }
    }

    /// Solves `self · x = b` by Gaussian elimination with partial pivoting; nil when a pivot
    /// falls below `1e-12 ×` the largest diagonal entry (singular geometry).
    func solve(_ b: [Double]) -> [Double]? {
        var m = a, x = b
        var scale = 0.0
        for i in 0..<n { scale = max(scale, abs(a[i * n + i])) }
        guard scale > 0, scale.isFinite else { return nil }
        for col in 0..<n {
            var p = col
            for r in col..<n where abs(m[r * n + col]) > abs(m[p * n + col]) { p = r }
            guard abs(m[p * n + col]) > 1e-12 * scale else { return nil }
            if p != col {
                for k in 0..<n { m.swapAt(p * n + k, col * n + k) }
                x.swapAt(p, col)
            }
            for r in (col + 1)..<n {
                let f = m[r * n + col] / m[col * n + col]
                if f == 0 { continue }
                for k in col..<n { m[r * n + k] -= f * m[col * n + k] }
                x[r] -= f * x[col]
            }
        }
        for r in stride(from: n - 1, through: 0, by: -1) {
            var s = x[r]
            for k in (r + 1)..<n { s -= m[r * n + k] * x[k] }
            x[r] = s / m[r * n + r]
        }
        return x.allSatisfy(\.isFinite) ? x : nil
    }

    /// The inverse, column by column; nil when singular.
    func inverse() -> SmallMatrix? {
        var inv = SmallMatrix(n: n)
        for j in 0..<n {
            var e = [Double](repeating: 0, count: n)
            e[j] = 1
            guard let c = solve(e) else { return nil }
            for i in 0..<n { inv[i, j] = c[i] }
        }
        return inv
    }
}
