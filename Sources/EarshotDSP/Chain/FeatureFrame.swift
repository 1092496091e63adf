// The contract between the DSP core and the detector: one fixed-size frame per
// hop. Everything is Q8.8 dB (1 LSB = 1/256 dB) unless a field says otherwise.

/// Features of one analysis hop (10 ms by default), produced by
/// `AnalysisChain` and consumed by `EarshotDetection`. Fixed size, no
/// references: frames can be copied into rings and compared byte for byte
/// across platforms.
///
/// Levels are dBFS where 0 dBFS is the mean square of a full-scale sine
/// (AES17), after DC blocking and calibration gain. A band or bin that is not
/// active at the configured sample rate reads `FeatureFrame.floor`.
public struct FeatureFrame: Equatable, Sendable {
    /// Number of octave-band lanes (63 Hz … 8 kHz nominal centres).
    public static let bandCount = 8
    /// Maximum number of Goertzel bins.
    public static let binCount = 16
    /// Level reported for silence or inactive lanes: −120 dBFS in Q8.8.
    public static let floor: Int16 = -120 * 256

    /// Hop counter since the chain started (0, 1, 2, …).
    public var hopIndex: Int64 = 0
    /// Index of the hop's first sample since the chain started, in samples.
    public var firstSample: Int64 = 0

    /// Leq over the hop per octave band, Q8.8 dBFS. Lane k has nominal
    /// centre 62.5·2^k Hz (63, 125, 250, 500, 1k, 2k, 4k, 8k).
    public var bandLevel = SIMD8<Int16>(repeating: FeatureFrame.floor)
    /// Tracked background level per band (slow minimum tracker), Q8.8 dBFS.
    public var bandBackground = SIMD8<Int16>(repeating: FeatureFrame.floor)
    /// bandLevel − bandBackground, Q8.8 dB (≥ 0 when above background).
    public var bandSNR = SIMD8<Int16>(repeating: 0)

    /// Goertzel power per configured bin over the detector's block, Q8.8
    /// dBFS (a sine at the bin frequency with amplitude A reads
    /// 20·log10(A/32768)). Bins beyond the configured count read `floor`.
    public var binPower = SIMD16<Int16>(repeating: FeatureFrame.floor)

    /// A-weighted Leq over the hop, Q8.8 dBFS (dB(A) re full scale).
    public var levelA: Int16 = FeatureFrame.floor
    /// Unweighted (Z) Leq over the hop, Q8.8 dBFS.
    public var levelZ: Int16 = FeatureFrame.floor
    /// Tracked background of levelZ, Q8.8 dBFS.
    public var backgroundZ: Int16 = FeatureFrame.floor
    /// Largest |sample| in the hop, Q8.8 dBFS re a full-scale sine's peak
    /// (a full-scale sample reads +0.0; a sine of peak A reads 20·log10(A/32768)).
    public var peak: Int16 = FeatureFrame.floor
    /// Envelope follower output at the hop's end, Q8.8 dBFS.
    public var envelope: Int16 = FeatureFrame.floor
    /// Steepest envelope rise seen in the hop, Q8.8 dB per millisecond.
    public var riseRate: Int16 = 0
    /// Crest factor of the hop (peak over RMS), Q8.8 dB.
    public var crest: Int16 = 0
    /// Offset in samples from `firstSample` where the onset detector fired
    /// in this hop, or −1 when no onset was detected.
    public var onsetOffset: Int16 = -1
    /// Number of samples in the hop that hit full scale (±32767/−32768).
    public var clippedSamples: Int16 = 0
    /// Pitch 400–2 500 Hz, Hz (`PitchEstimator`): the centre of the strongest
    /// FFT bin, or of the strongest bin around half of it when that is within
    /// 15 dB (the fundamental under its second harmonic); 0 when not
    /// estimated: only hops whose 500 Hz, 1 kHz or 2 kHz band stands
    /// `AnalysisConfig.pitchGateSnrDb` over its background are analysed.
    public var pitchHz: Int16 = 0
    /// The strongest bin's power over the mean of the range's other bins,
    /// Q8.8 dB (pure tone 15–19 dB, noise 5–8 dB); 0 when `pitchHz` is 0.
    public var pitchProminence: Int16 = 0

    public init() {}
}
