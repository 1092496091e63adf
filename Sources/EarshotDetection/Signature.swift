// One entry of the signature table, in the detector's fixed-point units.
// The JSON file (EarshotSignatures) uses dB, ms, Hz and [0,1]; the loader
// converts to these fields. Field ↔ JSON key names are listed per field.

/// How the engine tracks a class.
public enum SignatureKind: UInt8, Sendable {
    /// Starts with a fast rise (an onset), ends when the level decays;
    /// reported once as `.impulse` with onset and offset.
    case impulsive = 0
    /// Reported as `.start` once it has lasted `minDurationMs`, then `.end`.
    case sustained = 1
}

/// A class name of up to 31 ASCII bytes, stored inline (zero-padded).
public struct SignatureName: Equatable, Hashable, Sendable {
    /// The bytes, zero-padded; byte 31 is always 0.
    public var bytes: SIMD32<UInt8>
    public init() { bytes = SIMD32(repeating: 0) }
    /// Copies up to 31 bytes of `text`.
    public init(_ text: StaticString) {
        bytes = SIMD32(repeating: 0)
        let n = min(text.utf8CodeUnitCount, 31)
        let p = text.utf8Start
        for i in 0..<n { bytes[i] = p[i] }
    }
    /// Number of bytes before the first 0.
    public var count: Int {
        for i in 0..<32 where bytes[i] == 0 { return i }
        return 32
    }
}

/// One class's signature. dB values are Q8.8 (1/256 dB). A threshold set to
/// `Signature.off` (−32768) is not checked; a tolerance ≥ `Signature.ignoreBand`
/// (60 dB) removes that band from the spectral match.
public struct Signature: Equatable, Sendable {
    /// Marks a disabled minimum threshold (Q8.8).
    public static let off: Int16 = -32_768
    /// Marks a disabled maximum threshold (Q8.8, +127.99 dB).
    public static let offMax: Int16 = 32_767
    /// Tolerance (Q8.8 dB) from which a band is ignored: 60 dB.
    public static let ignoreBand: Int16 = 60 * 256

    /// JSON "name": snake_case class name.
    public var name = SignatureName()
    /// The class this entry reports (built-in by name, else custom).
    public var soundClass = SoundClass.loudImpulse
    /// JSON "kind": "impulsive" | "sustained".
    public var kind = SignatureKind.impulsive

    // Spectral shape.
    /// JSON "band_template_db": octave bands 63 Hz … 8 kHz relative to the
    /// loudest band of the hop (≤ 0), Q8.8 dB.
    public var bandTemplate = SIMD8<Int16>(repeating: 0)
    /// JSON "band_tolerance_db": allowed |deviation| per band before it
    /// counts as error, Q8.8 dB (≥ 60 dB: band ignored).
    public var bandTolerance = SIMD8<Int16>(repeating: 60 * 256)
    /// JSON "max_band_error_db": largest mean excess deviation over the
    /// checked bands for a hop to match, Q8.8 dB.
    public var maxBandError: Int16 = 6 * 256

    // Tonality.
    /// JSON "tonal_hz": up to 8 frequencies (Hz, 0 = unused), resolved to the
    /// nearest configured Goertzel bin within ±12 % at engine init.
    public var tonalHz = SIMD8<Int32>(repeating: 0)
    /// JSON "min_tonality_db": the strongest tonal bin minus the level of the
    /// octave band holding it must be ≥ this (a pure tone reads ≈ 0 dB, noise
    /// ≈ −8 dB or less), Q8.8 dB; `off` = not checked. When `tonalHz` is
    /// empty, every configured bin counts.
    public var minTonality: Int16 = Signature.off
    /// JSON "max_tonality_db": tonality must be ≤ this (steady noise), Q8.8 dB; `offMax` = not checked.
    public var maxTonality: Int16 = Signature.offMax
    /// JSON "sweep_bins": [min, max] number of distinct strongest tonal bins
    /// visited over the sound — strongest in ≥ 3 hops and ≥ 1/16 of the matched hops
    /// (1 = a steady tone; a siren visits several). 0 = not checked.
    public var minSweepBins: Int8 = 0
    public var maxSweepBins: Int8 = 0

    // Pitch track (FeatureFrame.pitchHz): the rule is on when pitchMaxHz > 0.
    /// JSON "pitch_hz": [min, max] Hz; a hop matches only when its pitch peak lies in
    /// this range with at least `minPitchProminence` ([0, 0] = no pitch rule).
    public var pitchMinHz: Int16 = 0
    public var pitchMaxHz: Int16 = 0
    /// JSON "min_pitch_prominence_db": the pitch peak over the mean of the other bins, Q8.8 dB.
    public var minPitchProminence: Int16 = 0
    /// JSON "pitch_step_hz": the largest change of pitch between consecutive matched hops
    /// that continues the track, Hz (one FFT bin is 31.25 Hz at 16 and 48 kHz).
    public var pitchStepHz: Int16 = 40
    /// JSON "min_pitch_continuity": share of matched hops whose pitch continues the
    /// previous one's (within `pitch_step_hz`), Q15; 0 = not checked. A tone's pitch is
    /// continuous; the strongest peak of noise or speech jumps.
    public var minPitchContinuity: Int16 = 0
    /// JSON "min_pitch_moving": share of matched hops whose pitch differs by 2.5–40 %
    /// from the pitch 8 matched hops (80 ms) before, Q15; 0 = not checked. A siren's
    /// pitch glides or steps; a horn's, a bell's or a machine's holds.
    public var minPitchMoving: Int16 = 0
    /// JSON "min_pitch_span": highest over lowest pitch of the sound's matched hops,
    /// Q8.8 ratio (1.2 = 307); 0 = not checked.
    public var minPitchSpan: Int16 = 0

    // Temporal shape.
    /// JSON "min_rise_db_per_ms": steepest envelope rise at the onset, Q8.8 dB/ms (impulsive); `off` = not checked.
    public var minRise: Int16 = Signature.off
    /// JSON "min_crest_db": crest factor of the loudest hop, Q8.8 dB; `off` = not checked.
    public var minCrest: Int16 = Signature.off
    /// JSON "min_duration_ms" / "max_duration_ms": duration of the sound, ms.
    public var minDurationMs: Int32 = 0
    public var maxDurationMs: Int32 = 1_000
    /// JSON "decay_db": impulsive sounds end when the level falls this far
    /// below their peak (or to within 3 dB of the background), Q8.8 dB.
    public var decayDrop: Int16 = 20 * 256
    /// JSON "max_decay_ms": impulsive: peak → end must take ≤ this, ms (0 = not checked).
    public var maxDecayMs: Int32 = 0
    /// JSON "max_hold_ms": impulsive: longest time the level may stay within 3 dB of
    /// its peak (the pulse's −3 dB width, counted in hops), ms (0 = not checked). A shot's
    /// level falls within tens of ms; a horn's holds for as long as it sounds.
    public var maxHoldMs: Int32 = 0
    /// JSON "min_transients": impulsive: onsets within the sound (glass: several), ≥ 1.
    public var minTransients: Int16 = 1
    /// JSON "repetition_hz": [min, max] onsets per second while sustained
    /// (hammer drill beat), Q8.8 Hz; 0/0 = not checked.
    public var minRepetition: Int16 = 0
    public var maxRepetition: Int16 = 0
    /// JSON "gap_ms": sustained: non-matching hops bridged before the sound ends, ms.
    public var gapMs: Int32 = 100
    /// JSON "min_match_fraction": sustained: share of the hops between onset
    /// and last match that must match before `.start`, Q15 (32 767 ≈ 1.0).
    public var minMatchFraction: Int16 = 22_938
    /// JSON "max_level_drop_db": sustained: a hop more than this below the
    /// sound's peak no longer matches (rejects decaying notes), Q8.8 dB.
    public var maxLevelDrop: Int16 = 60 * 256

    // Thresholds.
    /// JSON "min_snr_db": the largest band SNR over the template's main bands
    /// (template ≥ −10 dB) must be ≥ this, Q8.8 dB.
    public var minSNR: Int16 = 10 * 256
    /// JSON "min_level_dbfs": loudest 10 ms Leq must be ≥ this, Q8.8 dBFS; `off` = not checked.
    public var minLevelDBFS: Int16 = Signature.off
    /// JSON "min_level_db_spl": as above in dB SPL; used instead of
    /// min_level_dbfs when the engine is calibrated; `off` = not checked.
    public var minLevelSPL: Int16 = Signature.off
    /// JSON "min_confidence": events below it are not reported; 65 535 = 1.0.
    public var minConfidence: UInt16 = 32_768
    /// JSON "cooldown_ms": after an event ends, the class is silent this long, ms.
    public var cooldownMs: Int32 = 1_000

    public init() {}
}
