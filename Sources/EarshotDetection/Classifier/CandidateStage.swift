// The learned stage inside DetectionEngine: a cheap gate opens a candidate
// when some octave band (125 Hz … 8 kHz) stands `gateOnSNR` over its
// background; the next `CandidateFeatures.windowHops` hops are summarised and
// the classifier decides once. Impulsive classes are reported as one
// `.impulse`; sustained ones as `.start` at the decision and `.end` when the
// sound has stayed below `gateOffSNR` for `endQuietHops` (or lasted
// `maxSustainHops`). After a decision the gate waits for quiet (or a jump of
// `jumpSNR` within 3 hops: a new sound on top of the last) before the next
// candidate, so one physical sound gives at most one event.
//
// Onset: the first onset the chain detected since the band SNR was last
// below 3 dB, else the hop after that (at most 30 hops before the gate).
import EarshotDSP

/// Gate settings of the learned stage, Q8.8 dB and hops.
public struct CandidateGate: Equatable, Sendable {
    /// Band SNR (Q8.8 dB) that opens a candidate.
    public var onSNR: Int16 = 8 * 256
    /// Band SNR (Q8.8 dB) below which a hop counts as quiet.
    public var offSNR: Int16 = 4 * 256
    /// Rise of the band SNR within 3 hops (Q8.8 dB) that opens a new candidate before quiet.
    public var jumpSNR: Int16 = 12 * 256
    /// Quiet hops that end a sustained sound.
    public var endQuietHops: Int32 = 30
    /// Quiet hops after which the gate re-arms.
    public var rearmQuietHops: Int32 = 10
    /// Longest sustained report in hops (60 s at 10 ms).
    public var maxSustainHops: Int64 = 6_000
    public init() {}
}

extension CandidateGate {
    /// Hops after start (0.5 s at 10 ms) before the first candidate: the background
    /// trackers start from nothing, so every band stands "over its background" at first.
    public static let warmUpHops: Int64 = 50
    /// Hops into a candidate after which a jump of the band SNR (`jumpSNR`) restarts it at
    /// the new sound (earlier jumps belong to the onset that opened it).
    public static let restartAfterHops: Int64 = 10
    /// Band level (Q8.8 dBFS) below which a band's SNR is not looked at: near-silent
    /// bands flicker many dB over their own minimum without any sound in them.
    public static let minBandLevel: Int16 = -80 * 256

    /// Loudest hop over the background (Q8.8 dB) a candidate no class claims needs to be
    /// reported as `loud_impulse`.
    public static let loudImpulseOverBackground: Int32 = 20 * 256
    /// At most this fraction (Q8.8, of the 100-hop window) of its hops within 6 dB of
    /// its peak: short, not a sustained sound.
    public static let loudImpulseMaxLoudFraction: Int32 = 256 / 5

    /// Whether a candidate's features describe a loud short impulse (features 32 and 45).
    public static func isLoudImpulse(_ f: borrowing CandidateFeatures) -> Bool {
        let overBackground = f.values[32], loudFraction = f.values[45]
        return overBackground >= loudImpulseOverBackground && loudFraction <= loudImpulseMaxLoudFraction
    }
}

/// Running state of the learned stage (inline, fixed size).
@usableFromInline struct CandidateStageState: Sendable {
    enum Phase: UInt8, Sendable { case idle, collecting, sustaining, waiting }
    var phase = Phase.idle
    var lowHop: Int64 = -1
    var firstOnset: Int64 = -1
    var quietHops: Int32 = 0
    var recentSNR = SIMD4<Int16>(repeating: 0)
    var previousBins = SIMD16<Int16>(repeating: FeatureFrame.floor)
    var accumulator = CandidateAccumulator()
    var startHop: Int64 = 0
    var onsetSample: Int64 = 0
    var lastLoudHop: Int64 = 0
    var peakLevel: Int16 = FeatureFrame.floor
    var peakBands = SIMD8<Int16>(repeating: FeatureFrame.floor)
    /// Highest band SNR (Q8.8 dB) of the candidate collecting so far.
    var peakSNR: Int16 = 0
    var output: Int = 0
    var confidence: UInt16 = 0
    /// The last candidate's verdict and features (for `earshot learn` and tests).
    var lastVerdict = CandidateVerdict()
    var lastFeatures = CandidateFeatures()
    var candidates: UInt64 = 0
    var decisions: UInt64 = 0
    var lastOnset: Int64 = 0
}

extension DetectionEngine {
    /// One hop of the learned stage (runs only when `stageActive`).
    mutating func stepCandidates(_ f: FeatureFrame, tonality: SIMD16<Int16>, emit: (Event) -> Void) {
        guard let model = table.classifier else { return }
        let gate = model.gate
        var m: Int16 = 0
        for k in 1..<8 where f.bandLevel[k] > CandidateGate.minBandLevel && f.bandSNR[k] > m { m = f.bandSNR[k] }
        let hop = f.hopIndex
        if m < 3 * 256 {
            stage.lowHop = hop
            stage.firstOnset = -1
        } else if stage.firstOnset < 0 && f.onsetOffset >= 0 {
            stage.firstOnset = f.firstSample &+ Widen.int64(Int32(f.onsetOffset))
        }
        stage.quietHops = m < gate.offSNR ? stage.quietHops &+ 1 : 0
        let jump = Int32(m) &- Int32(stage.recentSNR[0]) >= Int32(gate.jumpSNR)
        stage.recentSNR = SIMD4(stage.recentSNR[1], stage.recentSNR[2], stage.recentSNR[3], m)
        let newBlock = f.binPower != stage.previousBins
        stage.previousBins = f.binPower
        if m >= gate.offSNR { stage.lastLoudHop = hop }

        switch stage.phase {
        case .idle:
            if m >= gate.onSNR && hop >= CandidateGate.warmUpHops { openCandidate(f, tonality: tonality, newBlock: newBlock, snr: m) }
        case .collecting:
            // A sound that starts while a weaker candidate (street noise over the gate) collects
            // gets its own candidate: otherwise it ends up as the tail of the first one's window.
            // Only a sound clearly louder than everything the candidate has held restarts it
            // (its own rise and the jumps inside one sound do not).
            if jump && m >= gate.onSNR && hop &- stage.startHop >= CandidateGate.restartAfterHops
                && Int32(m) >= Int32(stage.peakSNR) &+ Int32(gate.jumpSNR) {
                openCandidate(f, tonality: tonality, newBlock: newBlock, snr: m)
                break
            }
            if m > stage.peakSNR { stage.peakSNR = m }
            stage.accumulator.add(f, tonality: tonality, rank: binRank, newBlock: newBlock)
            if f.levelZ > stage.peakLevel { stage.peakLevel = f.levelZ; stage.peakBands = f.bandLevel }
            if stage.accumulator.isComplete { decide(model, f, emit: emit) }
        case .sustaining:
            if f.levelZ > stage.peakLevel { stage.peakLevel = f.levelZ; stage.peakBands = f.bandLevel }
            if stage.quietHops >= gate.endQuietHops || hop &- stage.startHop >= gate.maxSustainHops {
                emitCandidateEvent(.end, offset: (stage.lastLoudHop &+ 1) &* hopSamples, emit: emit)
                stage.phase = stage.quietHops >= gate.rearmQuietHops ? .idle : .waiting
            }
        case .waiting:
            if stage.quietHops >= gate.rearmQuietHops {
                stage.phase = .idle
            } else if jump && m >= gate.onSNR {
                openCandidate(f, tonality: tonality, newBlock: newBlock, snr: m)
            }
        }
    }

    mutating func openCandidate(_ f: FeatureFrame, tonality: SIMD16<Int16>, newBlock: Bool, snr: Int16) {
        let hop = f.hopIndex
        stage.peakSNR = snr
        stage.phase = .collecting
        stage.candidates &+= 1
        stage.startHop = hop
        stage.accumulator = CandidateAccumulator()
        stage.accumulator.add(f, tonality: tonality, rank: binRank, newBlock: newBlock)
        stage.peakLevel = f.levelZ
        stage.peakBands = f.bandLevel
        if stage.firstOnset >= 0 {
            stage.onsetSample = stage.firstOnset
        } else {
            stage.onsetSample = max(max(stage.lowHop &+ 1, hop &- 30), 0) &* hopSamples
        }
    }

    mutating func decide(_ model: CandidateClassifier, _ f: FeatureFrame, emit: (Event) -> Void) {
        let features = stage.accumulator.features(rank: binRank)
        let verdict = model.classify(features)
        stage.lastFeatures = features
        stage.lastVerdict = verdict
        stage.lastOnset = stage.onsetSample
        stage.decisions &+= 1
        stage.phase = .waiting
        guard verdict.reported else {
            if stageReportsLoudImpulses && CandidateGate.isLoudImpulse(features) {
                stage.output = -1
                stage.confidence = 32_768
                emitCandidateEvent(.impulse, offset: (stage.lastLoudHop &+ 1) &* hopSamples, emit: emit)
            }
            return
        }
        stage.output = verdict.output
        stage.confidence = verdict.confidence
        if model.kinds[verdict.output] == .sustained {
            emitCandidateEvent(.start, offset: f.firstSample &+ hopSamples, emit: emit)
            stage.phase = .sustaining
        } else {
            emitCandidateEvent(.impulse, offset: (stage.lastLoudHop &+ 1) &* hopSamples, emit: emit)
        }
    }

    /// End of input: a sustained report still open gets its `.end`; a candidate
    /// still collecting is judged on the hops it has.
    mutating func closeCandidates(atSample: Int64, emit: (Event) -> Void) {
        guard let model = table.classifier, stageActive else { return }
        switch stage.phase {
        case .collecting:
            var last = FeatureFrame()
            last.firstSample = atSample &- hopSamples
            decide(model, last, emit: emit)
            if stage.phase == .sustaining {
                emitCandidateEvent(.end, offset: min(atSample, (stage.lastLoudHop &+ 1) &* hopSamples), emit: emit)
            }
        case .sustaining:
            emitCandidateEvent(.end, offset: min(atSample, (stage.lastLoudHop &+ 1) &* hopSamples), emit: emit)
        default:
            break
        }
        stage.phase = .idle
    }

    mutating func emitCandidateEvent(_ phase: EventPhase, offset: Int64, emit: (Event) -> Void) {
        guard let model = table.classifier else { return }
        sequence &+= 1
        var e = Event()
        e.soundClass = stage.output < 0 ? .loudImpulse : model.classes[stage.output]
        e.entryIndex = Event.classifierEntry
        e.phase = phase
        e.sequence = sequence
        e.onsetSample = stage.onsetSample
        e.offsetSample = max(offset, stage.onsetSample &+ hopSamples)
        e.peakLevel = stage.peakLevel
        if let splOffset {
            e.isCalibrated = true
            e.peakLevelSPL = Saturate.toInt16(Int32(stage.peakLevel) &+ Int32(splOffset))
        }
        e.confidence = stage.confidence
        e.bandProfile = stage.peakBands
        emit(e)
    }

    /// Candidates the learned stage has opened since the engine started.
    public var candidateCount: UInt64 { stage.candidates }
    /// Candidates the learned stage has decided (a caller that sees this grow
    /// during `process` reads `lastCandidate`).
    public var candidateDecisions: UInt64 { stage.decisions }
    /// The onset (sample), features and verdict of the last candidate decided
    /// (nil before the first).
    public var lastCandidate: (onsetSample: Int64, features: CandidateFeatures, verdict: CandidateVerdict)? {
        stage.decisions == 0 ? nil : (stage.lastOnset, stage.lastFeatures, stage.lastVerdict)
    }
}
