// Why an entry last turned a candidate sound down: the first temporal rule that
// failed, with the measured value and the table's limit. For `earshot listen`
// ("the temporal rules decide" told a technician nothing). Recorded by the state
// machines as they judge; it changes no decision. Fixed size, no allocation.

/// The rule that last turned down a candidate sound of one entry.
public struct Rejection: Sendable, Equatable {
    /// The table rule; the units of `value` and `limit` are given per case.
    public enum Rule: UInt8, Sendable {
        /// Nothing turned down yet.
        case none
        /// Shorter than `min_duration_ms` (ms).
        case minDuration
        /// Longer than `max_duration_ms` (ms): an impulse still going, or a sustained sound never confirmed.
        case maxDuration
        /// Peak → end took longer than `max_decay_ms` (ms).
        case maxDecay
        /// Stayed within 3 dB of its peak longer than `max_hold_ms` (ms).
        case maxHold
        /// The loudest hop's spectrum did not match the template (`max_band_error_db`; no value).
        case spectrumAtPeak
        /// The loudest hop's tonality was outside `min/max_tonality_db` (no value).
        case tonalityAtPeak
        /// The loudest hop's band SNR was below `min_snr_db` (Q8.8 dB).
        case snrAtPeak
        /// The loudest hop's crest factor was below `min_crest_db` (Q8.8 dB).
        case minCrest
        /// The loudest hop was quieter than `min_level_dbfs` / `min_level_db_spl` (Q8.8 dBFS).
        case minLevel
        /// Fewer onsets than `min_transients` (count).
        case minTransients
        /// Confidence below `min_confidence` (65 535 = 1.0).
        case minConfidence
        /// Fewer matching hops than `min_match_fraction` (Q15).
        case matchFraction
        /// Distinct strongest tonal bins outside `sweep_bins` (count).
        case sweepBins
        /// Onsets per second outside `repetition_hz` (Q8.8 Hz).
        case repetition
        /// A `loud_impulse` withheld: a class detection claimed the same sound (value:
        /// the claiming class's raw value; see LoudImpulseClaim.swift).
        case claimed
        /// Pitch continuity below `min_pitch_continuity` (Q15).
        case pitchContinuity
        /// Share of gliding or stepping hops below `min_pitch_moving` (Q15).
        case pitchMoving
        /// Pitch span below `min_pitch_span` (Q8.8 ratio).
        case pitchSpan
    }

    public var rule = Rule.none
    /// What the sound measured, in the rule's unit.
    public var value: Int32 = 0
    /// The table's limit, in the same unit.
    public var limit: Int32 = 0
    /// Hop index at which it was turned down (−1 = never).
    public var hop: Int64 = -1

    public init() {}

    public init(_ rule: Rule, value: Int32 = 0, limit: Int32 = 0, hop: Int64) {
        self.rule = rule
        self.value = value
        self.limit = limit
        self.hop = hop
    }
}
