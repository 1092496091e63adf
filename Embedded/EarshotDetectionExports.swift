// C entry points for the Embedded build of EarshotDetection (`make embedded`,
// "learned stage" check). Compiled only into the bare-metal objects, as the
// module EarshotDetection together with Sources/EarshotDetection, against the
// Embedded EarshotDSP module. The C harness owns all memory.
//
// The engine's table has no signatures (no DefaultSignatures: an empty
// SignatureTable) and a classifier whose weights come from a seed through
// SplitMix64 (pure UInt64 arithmetic, identical on every target), so the
// comparison exercises the gate, the feature accumulator and the int8 MLP.
//
// Records written by `earshot_detect_process` / `earshot_detect_finish`,
// little-endian, field by field (no padding):
//   'E' (1) class rawValue (1) phase (1) onsetSample (8) offsetSample (8) confidence (2)   = 21 bytes
//   'C' (1) decision number (8) features 64 × Int32 (256) logits 16 × Int32 (64)            = 329 bytes
import EarshotDSP

/// Chain + engine + counters, in caller memory.
struct DetectionHarness {
    var chain: AnalysisChain
    var engine: DetectionEngine
    var decisions: UInt64 = 0
    var events: UInt64 = 0
    /// Samples analysed so far (the end-of-input sample for `finish`).
    var samples: Int64 = 0
}

extension SplitMix64 {
    /// Uniform in lo … hi (inclusive), hi − lo < 2^32.
    mutating func int32(_ lo: Int32, _ hi: Int32) -> Int32 {
        let span = UInt64(UInt32(bitPattern: hi &- lo)) &+ 1
        return lo &+ Int32(truncatingIfNeeded: (next() &>> 32) % span)
    }
}

/// A classifier with 32 hidden units and 10 outputs ("none" + SoundClass 0 … 8),
/// weights from `seed`. Scales are chosen so hidden units and logits use their
/// range and the thresholds let a share of candidates report.
func seededClassifier(seed: UInt64, config: AnalysisConfig) -> CandidateClassifier {
    var rng = SplitMix64(state: seed)
    var m = CandidateClassifier()
    m.hiddenCount = 32
    m.outputCount = 10
    for k in 1..<10 {
        m.classes[k] = SoundClass(rawValue: UInt8(truncatingIfNeeded: k &- 1))
        m.kinds[k] = k % 2 == 0 ? .sustained : .impulsive
        m.thresholds[k] = rng.int32(-20_000, 20_000)
    }
    for i in 0..<CandidateFeatures.count {
        m.inputOffset[i] = rng.int32(-512, 2_048)
        m.inputScale[i] = rng.int32(150, 700)        // ~32 LSB per 10 … 45 dB
    }
    for n in 0..<(32 * CandidateFeatures.count) { m.weights1[n] = Int8(truncatingIfNeeded: rng.int32(-127, 127)) }
    for j in 0..<32 { m.bias1[j] = rng.int32(-4_000, 4_000) }
    m.hiddenMultiplier = 400
    m.hiddenShift = 16
    for n in 0..<(10 * 32) { m.weights2[n] = Int8(truncatingIfNeeded: rng.int32(-127, 127)) }
    for k in 0..<10 { m.bias2[k] = rng.int32(-2_000, 2_000) }
    m.logitUnit = 16_000
    m.gate = CandidateGate()
    m.binHz = CandidateClassifier.binHz(for: config)
    return m
}

/// Bytes the caller must provide for the detection harness state.
@_cdecl("earshot_detect_state_size")
public func earshotDetectStateSize() -> Int {
    MemoryLayout<DetectionHarness>.size + MemoryLayout<DetectionHarness>.alignment
}

/// Largest number of bytes one `earshot_detect_process` / `_finish` call writes.
@_cdecl("earshot_detect_max_bytes")
public func earshotDetectMaxBytes() -> Int { 2 * EventBatch.capacity * 21 + 2 * 329 }

/// Designs chain and engine for `rate` Hz with the classifier from `seed`.
/// Returns 1 when the learned stage is active, 0 otherwise.
@_cdecl("earshot_detect_init")
public func earshotDetectInit(_ state: UnsafeMutableRawPointer, _ rate: Int32, _ seed: UInt64) -> Int32 {
    let config = AnalysisConfig(sampleRate: rate)
    var table = SignatureTable()
    table.classifier = seededClassifier(seed: seed, config: config)
    let p = detectionState(state)
    p.initialize(to: DetectionHarness(chain: AnalysisChain(config: config), engine: DetectionEngine(table: table, config: config)))
    return p.pointee.engine.stageActive ? 1 : 0
}

/// Samples per hop.
@_cdecl("earshot_detect_hop_samples")
public func earshotDetectHopSamples(_ state: UnsafeMutableRawPointer) -> Int32 {
    detectionState(state).pointee.chain.config.hopSamples
}

/// Candidates opened / decided and events emitted so far.
@_cdecl("earshot_detect_candidates")
public func earshotDetectCandidates(_ state: UnsafeMutableRawPointer) -> UInt64 { detectionState(state).pointee.engine.candidateCount }
@_cdecl("earshot_detect_decisions")
public func earshotDetectDecisions(_ state: UnsafeMutableRawPointer) -> UInt64 { detectionState(state).pointee.decisions }
@_cdecl("earshot_detect_events")
public func earshotDetectEvents(_ state: UnsafeMutableRawPointer) -> UInt64 { detectionState(state).pointee.events }

/// One hop of Q15 samples through chain and engine; writes the records of this
/// hop to `out` (at most `earshot_detect_max_bytes`) and returns their length.
@_cdecl("earshot_detect_process")
public func earshotDetectProcess(_ state: UnsafeMutableRawPointer, _ hop: UnsafePointer<Int16>, _ count: Int32,
                                 _ out: UnsafeMutableRawPointer) -> Int32 {
    let p = detectionState(state)
    var frame = FeatureFrame()
    p.pointee.chain.process(hop: UnsafeBufferPointer(start: hop, count: Int(count)), into: &frame)
    p.pointee.samples &+= Widen.int64(count)
    var batch = EventBatch()
    p.pointee.engine.process(frame, into: &batch)
    var w = RecordWriter(out: out)
    w.records(p, batch)
    return Int32(truncatingIfNeeded: w.offset)
}

/// End of input: closes open candidates and sustained sounds.
@_cdecl("earshot_detect_finish")
public func earshotDetectFinish(_ state: UnsafeMutableRawPointer, _ out: UnsafeMutableRawPointer) -> Int32 {
    let p = detectionState(state)
    var batch = EventBatch()
    let end = p.pointee.samples
    p.pointee.engine.finish(atSample: end) { batch.append($0) }
    var w = RecordWriter(out: out)
    w.records(p, batch)
    return Int32(truncatingIfNeeded: w.offset)
}

struct RecordWriter {
    let out: UnsafeMutableRawPointer
    var offset = 0
    mutating func put8(_ v: UInt8) { out.storeBytes(of: v, toByteOffset: offset, as: UInt8.self); offset &+= 1 }
    mutating func put16(_ v: UInt16) { out.storeBytes(of: v.littleEndian, toByteOffset: offset, as: UInt16.self); offset &+= 2 }
    mutating func put32(_ v: Int32) { out.storeBytes(of: v.littleEndian, toByteOffset: offset, as: Int32.self); offset &+= 4 }
    mutating func put64(_ v: Int64) { out.storeBytes(of: v.littleEndian, toByteOffset: offset, as: Int64.self); offset &+= 8 }

    /// The hop's events, then the candidate decided in it (if any).
    mutating func records(_ p: UnsafeMutablePointer<DetectionHarness>, _ batch: EventBatch) {
        for i in 0..<batch.count {
            let e = batch[i]
            put8(0x45)  // 'E'
            put8(e.soundClass.rawValue)
            put8(e.phase.rawValue)
            put64(e.onsetSample)
            put64(e.offsetSample)
            put16(e.confidence)
            p.pointee.events &+= 1
        }
        let decided = p.pointee.engine.candidateDecisions
        if decided != p.pointee.decisions, let c = p.pointee.engine.lastCandidate, let model = p.pointee.engine.table.classifier {
            p.pointee.decisions = decided
            put8(0x43)  // 'C'
            put64(Int64(bitPattern: decided))
            for i in 0..<CandidateFeatures.count { put32(c.features.values[i]) }
            let logits = model.logits(c.features)
            for k in 0..<16 { put32(logits[k]) }
        }
    }
}

func detectionState(_ p: UnsafeMutableRawPointer) -> UnsafeMutablePointer<DetectionHarness> {
    let a = MemoryLayout<DetectionHarness>.alignment
    let address = UInt(bitPattern: p)
    let mask = UInt(a - 1)
    return UnsafeMutableRawPointer(bitPattern: (address + mask) & ~mask)!.assumingMemoryBound(to: DetectionHarness.self)
}
