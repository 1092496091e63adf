// Peak of a circular cross-correlation within ± maxLag, with sub-sample
// position by parabolic interpolation.

/// Peak search over a real circular correlation of `size` lags.
public enum CorrelationPeak {
    /// Position (samples, sub-sample) and height (stored units) of a peak.
    public struct Peak: Equatable, Sendable {
        /// Lag of the peak, samples (positive: the first signal lags the second).
        public var lag: Double
        /// Interpolated height, in the correlation's stored units.
        public var value: Double
    }

    /// Largest value of r at lags −maxLag … maxLag (r[−k] = r[size − k]),
    /// refined by a parabola through the peak and its neighbours.
    public static func find(_ r: UnsafeBufferPointer<Int32>, size n: Int, maxLag: Int) -> Peak {
        let limit = min(maxLag, n / 2 - 1)
        var best = -limit
        var bestValue = Int32.min
        for lag in -limit...limit {
            let v = r[(lag + n) & (n - 1)]
            if v > bestValue { bestValue = v; best = lag }
        }
        let y0 = Double(Int(r[(best - 1 + n) & (n - 1)]))
        let y1 = Double(Int(bestValue))
        let y2 = Double(Int(r[(best + 1 + n) & (n - 1)]))
        let curvature = y0 - 2 * y1 + y2
        var delta = 0.0
        if curvature < 0 {
            delta = 0.5 * (y0 - y2) / curvature
            delta = max(-0.5, min(0.5, delta))
        }
        let value = y1 - 0.25 * (y0 - y2) * delta
        return Peak(lag: Double(best) + delta, value: value)
    }
}
