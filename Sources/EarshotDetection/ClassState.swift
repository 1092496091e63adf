// The per-entry state machines.
//
// Sustained entries:  idle ─match→ pending ─lasted min_duration, sweep/repetition/
// confidence ok→ active (emit .start) ─gap > gap_ms or duration > max_duration→
// cooldown (emit .end). A pending sound that outlasts max_duration without being
// confirmed becomes `rejected` until it stops (a steady machine hum never turns
// into a horn). Hops that do not match but lie within gap_ms are bridged; at
// least min_match_fraction (default 70 %) of the hops between onset and the
// last match must match.
//
// Impulsive entries:  idle ─rise ≥ min_rise (or an onset) and SNR ok→ tracking
// ─level falls decay_db below the peak, or to background + 3 dB→ judged once:
// duration, decay time, hold, spectral match and crest at the loudest hop, level,
// transients → emit .impulse and cool down, or back to idle. The hold is the
// number of hops within 3 dB of the peak as it stood at each hop (a rise of more
// than 3 dB restarts the count): a pulse's −3 dB width. A sound that holds
// longer than max_hold_ms is dropped while tracking (a horn's steady level with
// a fast fade-in is not a shot, however fast it then ends).
//
// Confidence (Q15 inside, UInt16 with 65 535 = 1.0 in the Event):
//   confidence = S × M
//   S = spectral score, 1 − (mean excess band deviation / 12 dB), clamped to
//       [0, 1]; the mean over the matching hops (sustained) or the loudest hop
//       (impulsive). A hop only matches with excess ≤ max_band_error_db, so
//       with the default 6 dB, S ≥ 0.5.
//   M = SNR margin, 0.5 + (SNR at the loudest hop − min_snr_db) / 24 dB,
//       clamped to [0.5, 1]: a sound just at the threshold scores half.
import EarshotDSP

/// Per-entry running state (inline, fixed size).
public struct ClassState: Sendable {
    enum Phase: UInt8, Sendable { case idle, pending, active, rejected, tracking }
    var phase = Phase.idle
    /// Hop index before which the entry stays silent.
    var cooldownUntil: Int64 = 0
    var onsetSample: Int64 = 0
    var startHop: Int64 = 0
    var lastMatchHop: Int64 = 0
    var lastMatchEnd: Int64 = 0
    var matched: Int64 = 0
    var sumSpectral: Int64 = 0
    var onsets: Int32 = 0
    /// Impulsive: hops within 3 dB of the running peak (see the file header).
    var holdHops: Int64 = 0
    /// Hops (saturating at 255) in which each Goertzel bin was the strongest tonal bin.
    var sweepHops = SIMD16<UInt8>(repeating: 0)
    var peakLevel: Int16 = FeatureFrame.floor
    var peakHop: Int64 = 0
    var peakProfile = SIMD8<Int16>(repeating: FeatureFrame.floor)
    var peakMatch = PeakMatch()
    var floorRef: Int16 = FeatureFrame.floor
    /// Pitch track of the matched hops (entries with a pitch rule): the last pitch (Hz),
    /// the last 8 in a ring, the range, and the counts behind continuity and moving.
    var pitch = PitchTrack()
    /// First hop of the current run of spectrally matching hops (−1 = none) and its onset sample.
    var runStartHop: Int64 = -1
    var runOnset: Int64 = 0

    public init() {}
}

/// The pitch of a sustained sound's matched hops (see `Signature.pitchMaxHz`).
struct PitchTrack: Sendable {
    /// Pitch 1…8 matched hops ago (lane `(count − k) & 7`), Hz.
    var recent = SIMD8<Int16>(repeating: 0)
    var count: Int32 = 0
    var lowest: Int16 = Int16.max
    var highest: Int16 = 0
    /// Hops whose pitch lies within `pitch_step_hz` of the previous hop's.
    var continued: Int32 = 0
    /// Hops compared with the hop 8 before, and those 2.5–40 % away from it.
    var compared: Int32 = 0
    var moved: Int32 = 0

    /// Adds a matched hop's pitch (Hz > 0).
    mutating func add(_ hz: Int16, stepHz: Int16) {
        let f = Int32(hz)
        if count > 0 {
            let last = Int32(recent[Int((count &- 1) & 7)])
            if abs(f &- last) <= Int32(stepHz) { continued &+= 1 }
        }
        if count >= 8 {
            let old = Int32(recent[Int(count & 7)])
            compared &+= 1
            // 2.5 % ≤ |f − old| / min(f, old) ≤ 40 %, in integers: 40·|d| ≥ m and 5·|d| ≤ 2·m.
            let d = abs(f &- old), m = min(f, old)
            if 40 &* d >= m && 5 &* d <= 2 &* m { moved &+= 1 }
        }
        recent[Int(count & 7)] = hz
        count &+= 1
        lowest = min(lowest, hz)
        highest = max(highest, hz)
    }
}

/// What the loudest hop of a sound looked like.
struct PeakMatch: Sendable {
    var spectral: Int32 = 0
    var spectralOK = false
    var snr: Int16 = 0
    var tonalOK = false
    var crest: Int16 = 0
}

extension DetectionEngine {
    /// One hop for every entry.
    mutating func step(_ frame: FeatureFrame, emit: (Event) -> Void) {
        var view = FrameView(frame, binBand: binBand)
        for b in 0..<16 {
            let raw = Int32(view.tonality[b])
            var old = smoothTonality[b]
            old = old == Int32(Signature.off) ? raw : old &+ ((raw &- old) &>> 2)
            smoothTonality[b] = old
            view.smoothTonality[b] = Saturate.toInt16(old)
        }
        if stageActive { stepCandidates(frame, tonality: view.tonality, emit: emit) }
        for i in 0..<table.count where plans[i].isActive {
            let s = table[i]
            let m = FrameMatch(frame, view: view, signature: s, plan: plans[i], stopAtSNR: states[i].phase == .idle)
            switch s.kind {
            case .sustained: stepSustained(i, s, m, frame, emit: emit)
            case .impulsive: stepImpulsive(i, s, m, frame, emit: emit)
            }
        }
        resolveHeld(hop: frame.hopIndex, force: false, emit: emit)
    }

    /// End of input: close or judge whatever is open.
    mutating func close(atSample: Int64, emit: (Event) -> Void) {
        closeCandidates(atSample: atSample, emit: emit)
        for i in 0..<table.count where plans[i].isActive {
            let s = table[i]
            switch states[i].phase {
            case .active:
                emitEvent(i, s, .end, offset: states[i].lastMatchEnd, emit: emit)
                states[i].phase = .idle
            case .tracking:
                judgeImpulse(i, s, endHop: states[i].lastMatchHop &+ 1, offset: atSample, emit: emit)
            default:
                states[i].phase = .idle
            }
        }
        resolveHeld(hop: atSample / max(1, hopSamples), force: true, emit: emit)
    }

    // MARK: sustained

    mutating func stepSustained(_ i: Int, _ s: Signature, _ m: FrameMatch,
                                _ frame: FeatureFrame, emit: (Event) -> Void) {
        let hop = frame.hopIndex
        let p = plans[i]
        var st = states[i]
        let levelOK = p.minLevel == Signature.off || frame.levelZ >= p.minLevel
        // The run of hops that pass the spectral, SNR and level gates: its first
        // hop is the sound's onset, because smoothed tonality lags by 1–3 hops.
        let shaped = m.spectralOK && m.snrOK && levelOK
        if !shaped {
            st.runStartHop = -1
        } else if st.runStartHop < 0 {
            st.runStartHop = hop
            st.runOnset = frame.firstSample &+ (frame.onsetOffset >= 0 ? Widen.int64(frame.onsetOffset) : 0)
        }
        let lagging = st.runStartHop >= 0 && hop &- st.runStartHop < 3
        var match = shaped && (m.tonalOK || (lagging && st.phase != .idle))
        if match && st.phase != .idle
            && Int32(frame.levelZ) < Int32(st.peakLevel) &- Int32(s.maxLevelDrop) { match = false }

        switch st.phase {
        case .idle:
            if match && hop >= st.cooldownUntil {
                let runStart = st.runStartHop
                let runOnset = st.runOnset
                let cooldown = st.cooldownUntil
                st = ClassState()
                st.runStartHop = runStart
                st.runOnset = runOnset
                st.cooldownUntil = cooldown
                st.phase = .pending
                st.onsetSample = runOnset
                st.startHop = max(runStart, cooldown)
                absorb(&st, m, frame, s)
                st.matched = hop &- st.startHop &+ 1
            }
        case .pending, .active, .rejected:
            if match {
                absorb(&st, m, frame, s)
                if frame.onsetOffset >= 0 { st.onsets &+= 1 }
            } else if hop &- st.lastMatchHop > p.gapHops {
                let lasted = st.lastMatchHop &- st.startHop &+ 1
                if st.phase == .pending && lasted < p.minDurationHops {
                    rejections[i] = Rejection(.minDuration, value: milliseconds(lasted), limit: s.minDurationMs, hop: hop)
                }
                if st.phase == .active {
                    states[i] = st
                    emitEvent(i, s, .end, offset: st.lastMatchEnd, emit: emit)
                    st.cooldownUntil = hop &+ p.cooldownHops
                }
                st.phase = .idle
                states[i] = st
                return
            }
            let span = st.lastMatchHop &- st.startHop &+ 1
            if st.phase == .pending {
                if span > p.maxDurationHops {
                    st.phase = .rejected
                    rejections[i] = Rejection(.maxDuration, value: milliseconds(span), limit: s.maxDurationMs, hop: hop)
                } else if span >= p.minDurationHops && match {
                    let unconfirmed = confirmation(st, s, span: span, hop: hop)
                    if unconfirmed.rule == .none {
                        st.phase = .active
                        states[i] = st
                        let c = confidence(st, s)
                        if c >= s.minConfidence {
                            emitEvent(i, s, .start, offset: st.lastMatchEnd, emit: emit)
                        } else {
                            st.phase = .rejected
                            rejections[i] = Rejection(.minConfidence, value: Int32(c), limit: Int32(s.minConfidence), hop: hop)
                        }
                    } else {
                        rejections[i] = unconfirmed
                    }
                }
            } else if st.phase == .active && span >= p.maxDurationHops {
                states[i] = st
                emitEvent(i, s, .end, offset: st.lastMatchEnd, emit: emit)
                st.phase = .idle
                st.cooldownUntil = hop &+ p.cooldownHops
            }
        case .tracking:
            st.phase = .idle
        }
        states[i] = st
    }

    /// Adds a matching hop to the sound.
    func absorb(_ st: inout ClassState, _ m: FrameMatch, _ frame: FeatureFrame, _ s: Signature) {
        st.lastMatchHop = frame.hopIndex
        st.lastMatchEnd = frame.firstSample &+ hopSamples
        st.matched &+= 1
        st.sumSpectral &+= Widen.int64(m.spectral)
        if m.dominantBin >= 0 && m.dominantBin < 16 && st.sweepHops[m.dominantBin] < 255 {
            st.sweepHops[m.dominantBin] &+= 1
        }
        if s.pitchMaxHz > 0 && frame.pitchHz > 0 { st.pitch.add(frame.pitchHz, stepHz: s.pitchStepHz) }
        if frame.levelZ > st.peakLevel {
            st.peakLevel = frame.levelZ
            st.peakHop = frame.hopIndex
            st.peakProfile = frame.bandLevel
            st.peakMatch = PeakMatch(spectral: m.spectral, spectralOK: m.spectralOK, snr: m.snr,
                                     tonalOK: m.tonalOK, crest: frame.crest)
        }
    }

    /// Distinct strongest tonal bins of a sound: bins that were the strongest in at least
    /// 3 hops (30 ms at a 10 ms hop) and in at least 1/16 of the matched hops. A bin that
    /// wins one or two hops — the broadband attack, or two equal horn tones trading places
    /// with a harmonic — is not a visited pitch; counting it made `sweep_bins` depend on
    /// where the 10 ms hops fell in the sound (the HIL VM missed a horn at 1 alignment in 5).
    static func sweepBins(_ hops: SIMD16<UInt8>, matched: Int64) -> Int8 {
        let needed = UInt8(truncatingIfNeeded: min(255, max(3, matched / 16)))
        var count: Int8 = 0
        for b in 0..<16 where hops[b] >= needed { count &+= 1 }
        return count
    }

    /// Sweep, repetition and coverage checks before a sustained `.start`: the
    /// first that fails (rule `.none` when all pass).
    func confirmation(_ st: ClassState, _ s: Signature, span: Int64, hop: Int64) -> Rejection {
        // min_match_fraction of the hops since the onset matched (Q15).
        if st.matched &* 32_768 < span &* Widen.int64(s.minMatchFraction) {
            let fraction = Int32(truncatingIfNeeded: min(32_767, st.matched &* 32_768 / max(1, span)))
            return Rejection(.matchFraction, value: fraction, limit: Int32(s.minMatchFraction), hop: hop)
        }
        let distinct = Self.sweepBins(st.sweepHops, matched: st.matched)
        if s.minSweepBins > 0 && distinct < s.minSweepBins {
            return Rejection(.sweepBins, value: Int32(distinct), limit: Int32(s.minSweepBins), hop: hop)
        }
        if s.maxSweepBins > 0 && distinct > s.maxSweepBins {
            return Rejection(.sweepBins, value: Int32(distinct), limit: Int32(s.maxSweepBins), hop: hop)
        }
        if s.pitchMaxHz > 0, let why = pitchConfirmation(st.pitch, s, hop: hop) { return why }
        if s.minRepetition > 0 || s.maxRepetition > 0 {
            // onsets per second, Q8.8 Hz = onsets · 256 · rate / (span · hopSamples)
            let rate = (Widen.int64(st.onsets) &* 256 &* Widen.int64(config.sampleRate))
                / max(1, span &* hopSamples)
            let value = Int32(truncatingIfNeeded: min(2_147_483_647, rate))
            if s.minRepetition > 0 && rate < Widen.int64(s.minRepetition) {
                return Rejection(.repetition, value: value, limit: Int32(s.minRepetition), hop: hop)
            }
            if s.maxRepetition > 0 && rate > Widen.int64(s.maxRepetition) {
                return Rejection(.repetition, value: value, limit: Int32(s.maxRepetition), hop: hop)
            }
        }
        return Rejection()
    }

    /// The pitch rules of a sustained sound (nil when all pass): continuity, moving, span.
    func pitchConfirmation(_ t: PitchTrack, _ s: Signature, hop: Int64) -> Rejection? {
        func share(_ part: Int32, _ whole: Int32) -> Int32 {
            whole <= 0 ? 0 : Int32(truncatingIfNeeded: min(32_767, Widen.int64(part) &* 32_768 / Widen.int64(whole)))
        }
        let continuity = share(t.continued, t.count &- 1)
        if s.minPitchContinuity > 0 && continuity < Int32(s.minPitchContinuity) {
            return Rejection(.pitchContinuity, value: continuity, limit: Int32(s.minPitchContinuity), hop: hop)
        }
        let moving = share(t.moved, t.compared)
        if s.minPitchMoving > 0 && moving < Int32(s.minPitchMoving) {
            return Rejection(.pitchMoving, value: moving, limit: Int32(s.minPitchMoving), hop: hop)
        }
        if s.minPitchSpan > 0 {
            let span = t.count == 0 || t.lowest <= 0 ? 0
                : Int32(truncatingIfNeeded: min(32_767, Widen.int64(t.highest) &* 256 / Widen.int64(t.lowest)))
            if span < Int32(s.minPitchSpan) {
                return Rejection(.pitchSpan, value: span, limit: Int32(s.minPitchSpan), hop: hop)
            }
        }
        return nil
    }

    /// `hops` in ms at this configuration (saturating).
    func milliseconds(_ hops: Int64) -> Int32 {
        let ms = hops &* hopSamples &* 1_000 / max(1, Widen.int64(config.sampleRate))
        return Int32(truncatingIfNeeded: max(0, min(2_147_483_647, ms)))
    }

    // MARK: impulsive

    /// Width of the hold band below an impulse's peak: 3 dB, Q8.8.
    static var holdBand: Int32 { 3 * 256 }

    mutating func stepImpulsive(_ i: Int, _ s: Signature, _ m: FrameMatch,
                                _ frame: FeatureFrame, emit: (Event) -> Void) {
        let hop = frame.hopIndex
        let p = plans[i]
        var st = states[i]
        switch st.phase {
        case .tracking:
            if frame.onsetOffset >= 0 && hop > st.startHop { st.onsets &+= 1 }
            let level = Int32(frame.levelZ)
            if level > Int32(st.peakLevel) &+ Self.holdBand {
                st.holdHops = 1
            } else if level >= Int32(st.peakLevel) &- Self.holdBand {
                st.holdHops &+= 1
            }
            if frame.levelZ > st.peakLevel { absorb(&st, m, frame, s) } else { st.lastMatchHop = hop }
            let decayed = Int32(frame.levelZ) <= Int32(st.peakLevel) &- Int32(s.decayDrop)
                || Int32(frame.levelZ) <= Int32(st.floorRef) &+ 3 * 256
            if decayed {
                states[i] = st
                judgeImpulse(i, s, endHop: hop, offset: frame.firstSample, emit: emit)
                return
            }
            if hop &- st.startHop > p.maxDurationHops {
                st.phase = .idle  // too long for this impulsive class
                rejections[i] = Rejection(.maxDuration, value: milliseconds(hop &- st.startHop), limit: s.maxDurationMs, hop: hop)
            } else if p.maxHoldHops > 0 && st.holdHops > p.maxHoldHops {
                st.phase = .idle  // holding too long for this impulsive class
                rejections[i] = Rejection(.maxHold, value: milliseconds(st.holdHops), limit: s.maxHoldMs, hop: hop)
            }
        default:
            let rising = s.minRise == Signature.off ? frame.onsetOffset >= 0 : frame.riseRate >= s.minRise
            if hop >= st.cooldownUntil && rising && m.snrOK {
                st = ClassState()
                st.phase = .tracking
                st.cooldownUntil = hop
                st.startHop = hop
                st.onsetSample = frame.firstSample &+ (frame.onsetOffset >= 0 ? Widen.int64(frame.onsetOffset) : 0)
                st.floorRef = frame.backgroundZ
                st.onsets = 1
                st.holdHops = 1
                absorb(&st, m, frame, s)
            }
        }
        states[i] = st
    }

    /// Decides whether the tracked impulse is this class; emits and cools down if so.
    mutating func judgeImpulse(_ i: Int, _ s: Signature, endHop: Int64, offset: Int64, emit: (Event) -> Void) {
        let p = plans[i]
        var st = states[i]
        st.phase = .idle
        st.lastMatchEnd = offset
        let duration = endHop &- st.startHop
        let pm = st.peakMatch
        // The rules in order; the first that fails is recorded (same verdict as all of them together).
        var why = Rejection()
        if duration < p.minDurationHops {
            why = Rejection(.minDuration, value: milliseconds(duration), limit: s.minDurationMs, hop: endHop)
        } else if duration > p.maxDurationHops {
            why = Rejection(.maxDuration, value: milliseconds(duration), limit: s.maxDurationMs, hop: endHop)
        } else if p.maxDecayHops != 0 && endHop &- st.peakHop > p.maxDecayHops {
            why = Rejection(.maxDecay, value: milliseconds(endHop &- st.peakHop), limit: s.maxDecayMs, hop: endHop)
        } else if p.maxHoldHops != 0 && st.holdHops > p.maxHoldHops {
            why = Rejection(.maxHold, value: milliseconds(st.holdHops), limit: s.maxHoldMs, hop: endHop)
        } else if !pm.spectralOK {
            why = Rejection(.spectrumAtPeak, hop: endHop)
        } else if !pm.tonalOK {
            why = Rejection(.tonalityAtPeak, hop: endHop)
        } else if pm.snr < s.minSNR {
            why = Rejection(.snrAtPeak, value: Int32(pm.snr), limit: Int32(s.minSNR), hop: endHop)
        } else if s.minCrest != Signature.off && pm.crest < s.minCrest {
            why = Rejection(.minCrest, value: Int32(pm.crest), limit: Int32(s.minCrest), hop: endHop)
        } else if p.minLevel != Signature.off && st.peakLevel < p.minLevel {
            why = Rejection(.minLevel, value: Int32(st.peakLevel), limit: Int32(p.minLevel), hop: endHop)
        } else if Int32(st.onsets) < Int32(s.minTransients) {
            why = Rejection(.minTransients, value: Int32(st.onsets), limit: Int32(s.minTransients), hop: endHop)
        }
        states[i] = st
        guard why.rule == .none else {
            rejections[i] = why
            return
        }
        st.matched = 1
        st.sumSpectral = Widen.int64(pm.spectral)
        states[i] = st
        let c = confidence(st, s)
        guard c >= s.minConfidence else {
            rejections[i] = Rejection(.minConfidence, value: Int32(c), limit: Int32(s.minConfidence), hop: endHop)
            return
        }
        emitEvent(i, s, .impulse, offset: offset, hop: endHop, emit: emit)
        states[i].cooldownUntil = endHop &+ p.cooldownHops
    }

    // MARK: events

    /// confidence = S × M (see the file header), as UInt16 with 65 535 = 1.0.
    func confidence(_ st: ClassState, _ s: Signature) -> UInt16 {
        let spectral = st.matched > 0 ? Int32(truncatingIfNeeded: st.sumSpectral / st.matched) : 0
        var margin = 16_384 &+ ((Int32(st.peakMatch.snr) &- Int32(s.minSNR)) &* 16_384) / (24 * 256)
        margin = max(16_384, min(32_767, margin))
        let q15 = (spectral &* margin) &>> 15
        return UInt16(truncatingIfNeeded: min(65_535, max(0, q15 &* 2 &+ (q15 &>> 14))))
    }

    /// Reports entry `i`'s sound: a `loud_impulse` impulse only when no class claims it (see
    /// LoudImpulseClaim.swift), any other class at once. `hop`: the hop being judged.
    mutating func emitEvent(_ i: Int, _ s: Signature, _ phase: EventPhase, offset: Int64, hop: Int64 = 0,
                            emit: (Event) -> Void) {
        let st = states[i]
        var e = Event()
        e.soundClass = s.soundClass
        e.entryIndex = UInt8(truncatingIfNeeded: i)
        e.phase = phase
        e.onsetSample = st.onsetSample
        e.offsetSample = offset
        e.peakLevel = st.peakLevel
        if let splOffset {
            e.isCalibrated = true
            e.peakLevelSPL = Saturate.toInt16(Int32(st.peakLevel) &+ Int32(splOffset))
        }
        e.confidence = confidence(st, s)
        e.bandProfile = st.peakProfile
        if s.soundClass == .loudImpulse {
            if phase == .impulse { offerLoudImpulse(i, e, hop: hop, emit: emit) } else { report(e, emit: emit) }
            return
        }
        noteClassDetection(e)
        report(e, emit: emit)
    }
}
