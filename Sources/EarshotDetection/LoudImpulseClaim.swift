// One sound, one event, for the table's own entries (issue 17): a `loud_impulse`
// entry reports only sounds that no class entry claims. Without this, a gunshot,
// a breaking window or a horn's blast gave its class and a `loud_impulse` as well,
// and the camera was pulsed twice for one sound. (With a learned stage, the stage
// itself reports unclaimed loud impulses: see CandidateStage.swift.)
//
// A class detection claims a loud impulse when their sounds overlap in time,
// within `claimToleranceMs` (100 ms) either side: an impulse or a sustained
// sound's span (onset … offset; a sustained sound still sounding claims up to
// now). A class is any entry whose class is not `loud_impulse`.
//
// When the loud impulse is judged:
//   · a class detection already claims it          → withheld (never reported);
//   · no class entry is tracking or confirming a sound overlapping it (the usual
//     case on a street)                               → reported at once, no delay;
//   · else it is held: withheld if that entry reports (a window's shards decay
//     after the loud impulse's 15 dB; a horn confirms after 300 ms), reported as
//     soon as no such candidate is left, and at the latest `claimWaitMs` (1 s)
//     after it was judged. `finish` judges a held one at once.
// A held event gets its sequence number when it is reported, so sequences stay in
// the order events are emitted. Fixed size, no allocation.
import EarshotDSP

/// A table `loud_impulse` event waiting to see whether a class claims its sound.
@usableFromInline struct HeldLoudImpulse: Sendable {
    var isHeld = false
    var event = Event()
    /// Table entry that judged it.
    var entry = 0
    /// Hop it was judged at, and the hop from which it is reported whatever is still in progress.
    var judgedHop: Int64 = 0
    var deadlineHop: Int64 = 0
    init() {}
}

/// Spans (onset, offset samples) of the last class detections, for claims.
@usableFromInline struct ClaimSpans: Sendable {
    var onsets = SIMD4<Int64>(repeating: -1)
    var offsets = SIMD4<Int64>(repeating: -1)
    var classes = SIMD4<UInt8>(repeating: 0)
    var next = 0
    init() {}

    mutating func record(onset: Int64, offset: Int64, soundClass: SoundClass) {
        onsets[next] = onset
        offsets[next] = offset
        classes[next] = soundClass.rawValue
        next = (next + 1) & 3
    }
}

extension DetectionEngine {
    /// Overlap allowed between a loud impulse and a class detection that claims it, ms.
    public static let claimToleranceMs: Int32 = 100
    /// Longest a loud impulse is held for a class still deciding, ms after it was judged.
    public static let claimWaitMs: Int32 = 1_000

    /// True when [onset, offset] and [a, b] overlap within the claim tolerance.
    func overlaps(_ onset: Int64, _ offset: Int64, _ a: Int64, _ b: Int64) -> Bool {
        a <= offset &+ claimToleranceSamples && onset <= b &+ claimToleranceSamples
    }

    /// Raw class value of a class detection claiming `e`'s sound (a recorded span, or a
    /// sustained class entry still sounding), or nil.
    func claimant(of e: Event) -> UInt8? {
        for k in 0..<4 where claims.offsets[k] >= 0 {
            if overlaps(e.onsetSample, e.offsetSample, claims.onsets[k], claims.offsets[k]) { return claims.classes[k] }
        }
        for j in 0..<table.count where plans[j].isActive && states[j].phase == .active {
            let c = table[j].soundClass
            if c != .loudImpulse && overlaps(e.onsetSample, e.offsetSample, states[j].onsetSample, Int64.max / 2) {
                return c.rawValue
            }
        }
        return nil
    }

    /// True when a class entry is tracking (impulsive) or confirming (sustained) a sound
    /// that overlaps `e` and may still be reported.
    func claimPending(for e: Event) -> Bool {
        for j in 0..<table.count where plans[j].isActive && table[j].soundClass != .loudImpulse {
            let st = states[j]
            guard st.phase == .tracking || st.phase == .pending else { continue }
            if overlaps(e.onsetSample, e.offsetSample, st.onsetSample, Int64.max / 2) { return true }
        }
        return false
    }

    /// A table entry of class `loud_impulse` judged `e` (no sequence yet): withhold,
    /// report or hold it (see the file header).
    mutating func offerLoudImpulse(_ i: Int, _ e: Event, hop: Int64, emit: (Event) -> Void) {
        if held.isHeld { releaseHeld(emit: emit) }
        if let c = claimant(of: e) {
            rejections[i] = Rejection(.claimed, value: Int32(c), hop: hop)
            return
        }
        if !claimPending(for: e) {
            report(e, emit: emit)
            return
        }
        held.isHeld = true
        held.event = e
        held.entry = i
        held.judgedHop = hop
        held.deadlineHop = hop &+ claimWaitHops
    }

    /// A class detection `e` was emitted: remembers its span and withholds a held loud
    /// impulse it overlaps (a `.start`'s sound goes on: it claims up to now).
    mutating func noteClassDetection(_ e: Event) {
        claims.record(onset: e.onsetSample, offset: e.offsetSample, soundClass: e.soundClass)
        let end = e.phase == .start ? Int64.max / 2 : e.offsetSample
        if held.isHeld && overlaps(held.event.onsetSample, held.event.offsetSample, e.onsetSample, end) {
            rejections[held.entry] = Rejection(.claimed, value: Int32(e.soundClass.rawValue), hop: held.judgedHop)
            held.isHeld = false
        }
    }

    /// End of a hop: a held loud impulse is reported once nothing can claim it any more,
    /// or at its deadline (`force`: now, at the end of input).
    mutating func resolveHeld(hop: Int64, force: Bool, emit: (Event) -> Void) {
        guard held.isHeld else { return }
        if let c = claimant(of: held.event) {
            rejections[held.entry] = Rejection(.claimed, value: Int32(c), hop: hop)
            held.isHeld = false
            return
        }
        if force || hop >= held.deadlineHop || !claimPending(for: held.event) { releaseHeld(emit: emit) }
    }

    mutating func releaseHeld(emit: (Event) -> Void) {
        held.isHeld = false
        report(held.event, emit: emit)
    }

    /// Numbers and emits `e`.
    mutating func report(_ e: Event, emit: (Event) -> Void) {
        sequence &+= 1
        var numbered = e
        numbered.sequence = sequence
        emit(numbered)
    }
}
