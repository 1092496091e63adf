// Configuration of the analysis chain. Built once at start (from the board
// and site files); the designs derived from it use Double, never per sample.

/// Parameters of `AnalysisChain`. Units are in the field names.
public struct AnalysisConfig: Equatable, Sendable {
    /// Sample rate in Hz (8 000 … 48 000; 16 000 and 48 000 are the product's).
    public var sampleRate: Int32 = 16_000
    /// Hop length in samples (10 ms by default: rate / 100). At most 1 024.
    public var hopSamples: Int32 = 160
    /// Calibration gain applied after DC blocking, Q15 with 4 integer bits
    /// interpreted by `CalibrationGain` (1.0 = unity).
    public var calibrationGain: Double = 1.0
    /// Goertzel bin frequencies in Hz; only the first `binCount` are used.
    public var binFrequencies = SIMD16<Float>(
        400, 500, 800, 1_000, 1_500, 2_000, 2_500, 3_000,
        3_500, 4_000, 450, 700, 960, 1_200, 1_800, 2_400)
    /// Number of active Goertzel bins (0 … 16).
    public var binCount: Int32 = 16
    /// Goertzel block length in hops (1 … 4): 2 gives 20 ms blocks (50 Hz
    /// resolution). Blocks do not overlap: `binPower` is refreshed every
    /// `goertzelBlockHops` hops and repeated in between, so the per-sample
    /// cost is that of one resonator set (tonal classes last ≥ 200 ms).
    public var goertzelBlockHops: Int32 = 2
    /// Envelope attack and release time constants in ms.
    public var envelopeAttackMs: Double = 1
    public var envelopeReleaseMs: Double = 50
    /// Onset threshold: envelope rise in dB per ms that marks an onset.
    public var onsetRiseDbPerMs: Double = 1.5
    /// Background tracker time constant (how fast the floor may rise), s.
    public var backgroundRiseSeconds: Double = 10
    /// Pitch gate, dB: `PitchEstimator` runs on a hop only when the 500 Hz,
    /// 1 kHz or 2 kHz octave band stands at least this far over its
    /// background (the FFT costs more than the rest of the hop together).
    public var pitchGateSnrDb: Double = 12

    public init() {}

    /// A configuration for `sampleRate` with a 10 ms hop.
    public init(sampleRate: Int32) {
        self.sampleRate = sampleRate
        self.hopSamples = sampleRate / 100
    }
}
