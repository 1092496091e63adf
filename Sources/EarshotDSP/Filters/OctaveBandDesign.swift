// Design of the octave-band filters (configuration time, Double).

/// How an octave lane behaves at the configured sample rate.
public enum OctaveBandStatus: UInt8, Sendable {
    /// Full band-pass; upper edge ≤ 0.45 · rate: designed to IEC 61260-1 class 1.
    case compliant = 0
    /// Upper edge beyond 0.45 · rate: band-pass from the IEC lower edge to
    /// 0.45 · rate (a high-pass above the lower edge that stops at Nyquist).
    /// Reads real energy but is NOT class 1.
    case partial = 1
    /// Lower edge at or beyond 0.40 · rate: no filter, the lane reads zero energy.
    case inactive = 2
}

/// Eighth-order Butterworth octave band-pass designs (a fourth-order
/// low-pass prototype turned band-pass, four sections), by the bilinear
/// transform with both band edges pre-warped for the actual rate. Why not the
/// 6th-order ANSI S1.11 classic: pre-warping widens the analog prototype of
/// bands near Nyquist (4 kHz at 16 kHz, 8 kHz at 48 kHz), and their lower
/// stop-band then missed the class 1 mask by up to 3.7 dB (measured).
public enum OctaveBandDesign {
    /// Octave ratio G = 10^(3/10) (IEC 61260-1 base 10).
    public static let octaveRatio = DesignMath.pow(10, 0.3)

    /// Exact mid-band frequency of lane `lane` (0…7), Hz: 1000 · G^(lane − 4).
    public static func midbandHz(lane: Int) -> Double {
        1000 * DesignMath.pow(10, 0.3 * Double(lane - 4))
    }

    /// Band edges of lane `lane`, Hz: fm · G^(∓1/2).
    public static func edgesHz(lane: Int) -> (lower: Double, upper: Double) {
        let fm = midbandHz(lane: lane)
        return (fm * DesignMath.pow(10, -0.15), fm * DesignMath.pow(10, 0.15))
    }

    /// The lane's status at `sampleRate` Hz.
    public static func status(lane: Int, sampleRate: Double) -> OctaveBandStatus {
        let e = edgesHz(lane: lane)
        if e.upper <= 0.45 * sampleRate { return .compliant }
        if e.lower < 0.40 * sampleRate { return .partial }
        return .inactive
    }

    /// The four sections of lane `lane` at `sampleRate` Hz, each with
    /// numerator g·(1 − z⁻²) and normalised to unit gain at the exact
    /// mid-band frequency (so the cascade reads 0 dB there). Returns nil for
    /// an inactive lane.
    public static func sections(lane: Int, sampleRate: Double) -> (BiquadCoefficients, BiquadCoefficients, BiquadCoefficients, BiquadCoefficients)? {
        let st = status(lane: lane, sampleRate: sampleRate)
        if st == .inactive { return nil }
        var (fl, fu) = edgesHz(lane: lane)
        if st == .partial { fu = 0.45 * sampleRate }
        let c = 2 * sampleRate
        let wl = c * DesignMath.tan(DesignMath.pi * fl / sampleRate)
        let wu = c * DesignMath.tan(DesignMath.pi * fu / sampleRate)
        let w0sq = wl * wu
        let bw = wu - wl
        // Reference frequency for the gain: the exact mid-band (geometric
        // centre of the digital edges).
        let fRef = DesignMath.sqrt(fl * fu)

        // Band-pass poles from a low-pass prototype pole p: roots of
        // s² − p·B·s + ω0² = 0, i.e. s = (pB ± √(p²B² − 4ω0²)) / 2.
        func poles(_ pr: Double, _ pi: Double) -> ((Double, Double), (Double, Double)) {
            let br = pr * bw, bi = pi * bw
            let dr = br * br - bi * bi - 4 * w0sq, di = 2 * br * bi
            let m = DesignMath.sqrt(dr * dr + di * di)
            var sr = DesignMath.sqrt((m + dr) / 2)
            var si = DesignMath.sqrt((m - dr) / 2)
            if di < 0 { si = -si }
            if m == 0 { sr = 0; si = 0 }
            return (((br + sr) / 2, (bi + si) / 2), ((br - sr) / 2, (bi - si) / 2))
        }
        // Section for the conjugate pair of analog pole s: K·s / (s² + a·s + b).
        func section(_ s: (Double, Double)) -> BiquadCoefficients {
            let a = -2 * s.0
            let b = s.0 * s.0 + s.1 * s.1
            let d0 = c * c + a * c + b
            let raw = BiquadCoefficients(b0: 1, b1: 0, b2: -1, a1: (2 * b - 2 * c * c) / d0, a2: (c * c - a * c + b) / d0)
            return raw.scaled(by: 1 / raw.magnitude(at: fRef, sampleRate: sampleRate))
        }
        // Fourth-order Butterworth prototype poles e^{j5π/8}, e^{j7π/8}.
        let a = poles(DesignMath.cos(5 * DesignMath.pi / 8), DesignMath.sin(5 * DesignMath.pi / 8))
        let b = poles(DesignMath.cos(7 * DesignMath.pi / 8), DesignMath.sin(7 * DesignMath.pi / 8))
        return (section(a.0), section(a.1), section(b.0), section(b.1))
    }
}
