// Twiddle factors for the fixed-point real FFT, designed once at
// configuration time with `DesignMath` (identical on every target).

/// Designs the twiddle table of an N-point real FFT into caller-owned storage.
///
/// Layout: `N` Int32 values, interleaved (cos, sin) of 2πk/N for k = 0 … N/2−1,
/// in Q30 (1.0 = 2^30). Q30 rather than Q15: the kernels multiply 32×32 → 64
/// bits anyway (one SMULL on ARM), and Q15 twiddles would put an error floor
/// near −90 dB under the Int32 data path.
public enum FFTTwiddles {
    /// Smallest and largest supported FFT sizes, samples.
    public static let minSize = 16
    public static let maxSize = 4096

    /// True when `n` is a power of two in `minSize … maxSize`.
    public static func isSupported(size n: Int) -> Bool {
        n >= minSize && n <= maxSize && (n & (n - 1)) == 0
    }

    /// Number of Int32 values the table for an `n`-point real FFT needs (= n).
    public static func count(size n: Int) -> Int { n }

    /// Fills `table` (count ≥ n) for an `n`-point real FFT. Configuration time only.
    public static func design(size n: Int, into table: UnsafeMutableBufferPointer<Int32>) {
        precondition(isSupported(size: n), "FFT size must be a power of two in 16…4096")
        precondition(table.count >= n, "twiddle table too small: needs n Int32 values")
        let scale = 1_073_741_824.0
        for k in 0..<(n / 2) {
            let angle = 2 * DesignMath.pi * Double(k) / Double(n)
            table[2 * k] = Int32((DesignMath.cos(angle) * scale).rounded())
            table[2 * k + 1] = Int32((DesignMath.sin(angle) * scale).rounded())
        }
    }
}
