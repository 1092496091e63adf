// DetectionEngine: feature frames → events, one state machine per table entry.
//
// PUBLIC API (stable; the offline pipeline and the agent call exactly this):
//
//   var engine = DetectionEngine(table: SignatureTable, config: AnalysisConfig,
//                                splOffset: Int16? = nil)   // Q8.8 dB: dB SPL = dBFS + splOffset
//   engine.process(frame, emit: { (event: Event) in … })     // once per FeatureFrame, in order
//   engine.process(frame, into: &batch)                      // same, into an EventBatch (cleared first)
//   engine.finish(atSample: Int64, emit: { … })              // end of input: closes open sustained sounds
//   engine.reset()                                           // forget all state (keeps table and config)
//
//   Event: soundClass, entryIndex, phase (.start/.end/.impulse), sequence, onsetSample,
//          offsetSample, durationSamples, peakLevel (Q8.8 dBFS), peakLevelSPL + isCalibrated,
//          confidence (UInt16, 65 535 = 1.0), bandProfile (SIMD8<Int16> Q8.8 dBFS), channelOnsets.
//   Host side (EarshotSignatures): `SignatureFile.load(path:)` / `DefaultSignatures.table` give the
//   `SignatureTable`; `table.className(of: event)` gives the snake_case name as a String.
//
//   For an event list with onset and offset (DCASE), use `.impulse` and `.end` events; `.start`
//   is the early alert for sustained sounds. Every `.start` is followed by exactly one `.end`.
//
// Allocation: none after init. `process` touches only inline state.

import EarshotDSP

/// Runs every signature's state machine over feature frames and reports
/// events. Designed once per analysis configuration (bin frequencies are
/// resolved to Goertzel bin indices here); `process` never allocates.
public struct DetectionEngine {
    /// The table the engine was built with.
    public let table: SignatureTable
    /// The analysis configuration the frames come from.
    public let config: AnalysisConfig
    /// dBFS → dB SPL offset, Q8.8 dB, when calibrated.
    public let splOffset: Int16?

    @usableFromInline var states: InlineArray<16, ClassState> = InlineArray(repeating: ClassState())
    @usableFromInline var plans: InlineArray<16, EntryPlan> = InlineArray(repeating: EntryPlan())
    @usableFromInline var sequence: UInt64 = 0
    @usableFromInline let hopSamples: Int64
    /// Octave band (0…7) holding each configured Goertzel bin, −1 for inactive bins.
    @usableFromInline var binBand = SIMD16<Int8>(repeating: -1)
    /// Per-bin tonality smoothed over hops, Q8.8 dB (see FrameView).
    @usableFromInline var smoothTonality = SIMD16<Int32>(repeating: Int32(Signature.off))
    /// The learned stage's state (see CandidateStage.swift).
    @usableFromInline var stage = CandidateStageState()
    /// True when the table has a classifier that runs with this configuration.
    public internal(set) var stageActive = false
    /// The table's `loud_impulse` entry, set aside while the learned stage runs: the stage
    /// itself reports loud impulses it classes as none of its classes, so one sound gives
    /// one event (a classified shot is not also a loud impulse).
    @usableFromInline var stageReportsLoudImpulses = false
    /// Frequency rank of each active Goertzel bin (0 = lowest), −1 inactive.
    @usableFromInline var binRank = SIMD16<Int8>(repeating: -1)
    /// Per entry, the rule that last turned a candidate down (see `Rejection`).
    @usableFromInline var rejections: InlineArray<16, Rejection> = InlineArray(repeating: Rejection())
    /// A table `loud_impulse` waiting for a class to claim its sound, and the spans of the
    /// last class detections (see LoudImpulseClaim.swift).
    @usableFromInline var held = HeldLoudImpulse()
    @usableFromInline var claims = ClaimSpans()
    /// `claimWaitMs` in hops and `claimToleranceMs` in samples, at this configuration.
    @usableFromInline var claimWaitHops: Int64 = 0
    @usableFromInline var claimToleranceSamples: Int64 = 0

    /// Builds the engine for `table` and frames produced with `config`.
    /// `splOffset` (Q8.8 dB) turns dBFS into dB SPL; nil = uncalibrated.
    public init(table: SignatureTable, config: AnalysisConfig, splOffset: Int16? = nil) {
        self.table = table
        self.config = config
        self.splOffset = splOffset
        self.hopSamples = Widen.int64(config.hopSamples)
        configure()
    }

    /// Feeds one frame (frames must arrive in hop order) and calls `emit`
    /// for each event it completes, in entry order.
    public mutating func process(_ frame: borrowing FeatureFrame, emit: (Event) -> Void) {
        step(frame, emit: emit)
    }

    /// Same as `process(_:emit:)` but collects the hop's events in `batch`
    /// (emptied first).
    public mutating func process(_ frame: borrowing FeatureFrame, into batch: inout EventBatch) {
        batch.removeAll()
        step(frame) { batch.append($0) }
    }

    /// End of input at sample `atSample` (one past the last analysed sample):
    /// sustained sounds still open get their `.end` (or are dropped when
    /// shorter than their minimum duration); pending impulses are judged.
    public mutating func finish(atSample: Int64, emit: (Event) -> Void) {
        close(atSample: atSample, emit: emit)
    }

    /// Forgets every open sound, cooldown and the sequence counter.
    public mutating func reset() {
        for i in 0..<16 { states[i] = ClassState(); rejections[i] = Rejection() }
        smoothTonality = SIMD16(repeating: Int32(Signature.off))
        stage = CandidateStageState()
        held = HeldLoudImpulse()
        claims = ClaimSpans()
        sequence = 0
    }
}
