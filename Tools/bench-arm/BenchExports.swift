// C entry points for `make bench-arm` (Tools/bench-arm/README.md). Compiled
// only into the bench's Embedded aarch64 objects, as part of the module
// EarshotDetection together with Sources/EarshotDetection,
// Embedded/EarshotDetectionExports.swift (its seeded classifier) and the
// generated shipped table (benchShippedTable), against the Embedded EarshotDSP
// module that `make embedded` builds. The C driver (bench.c) owns all memory.
//
// One state, one workload chosen at init (`what`):
//   0 none        the driver's loop alone (baseline)
//   1 filterbank  OctaveFilterbank.process (8 bands × 4 sections in lockstep)
//   2 chain       AnalysisChain.process (the whole per-sample + per-hop DSP)
//   3 detector    chain + DetectionEngine with the shipped table (DefaultSignatures)
//   4 stageoff    chain + DetectionEngine with an empty table
//   5 stage       chain + DetectionEngine with an empty table and the seeded
//                 64-32-10 int8 classifier (the learned stage: gate, features, MLP)
//   6 classify    CandidateClassifier.classify of one feature vector per "hop"
// Nothing is serialised: the measured calls are exactly the analysis path's.
import EarshotDSP

struct BenchState {
    var what: Int32
    var chain: AnalysisChain
    var bank: OctaveFilterbank
    var engine: DetectionEngine
    var model: CandidateClassifier
    var features = CandidateFeatures()
    var energy = SIMD8<UInt64>()
    var events: UInt64 = 0
    var sink: Int64 = 0
}

@_cdecl("earshot_bench_state_size")
public func earshotBenchStateSize() -> Int {
    MemoryLayout<BenchState>.size + MemoryLayout<BenchState>.alignment
}

/// Sets up workload `what` (see above) at `rate` Hz. Returns the hop in samples.
@_cdecl("earshot_bench_init")
public func earshotBenchInit(_ state: UnsafeMutableRawPointer, _ rate: Int32, _ what: Int32) -> Int32 {
    let config = AnalysisConfig(sampleRate: rate)
    var table = what == 3 ? benchShippedTable() : SignatureTable()
    let model = seededClassifier(seed: 0x5EED_5EED, config: config)
    if what == 5 { table.classifier = model }
    let p = benchState(state)
    p.initialize(to: BenchState(what: what, chain: AnalysisChain(config: config), bank: OctaveFilterbank(sampleRate: rate),
                                engine: DetectionEngine(table: table, config: config), model: model))
    var rng = SplitMix64(state: 0xFEA7)
    for i in 0..<CandidateFeatures.count { p.pointee.features.values[i] = rng.int32(-4_096, 12_288) }
    return config.hopSamples
}

/// One hop of Q15 samples through the workload chosen at init.
@_cdecl("earshot_bench_process")
public func earshotBenchProcess(_ state: UnsafeMutableRawPointer, _ hop: UnsafePointer<Int16>, _ count: Int32) {
    let p = benchState(state)
    let input = UnsafeBufferPointer(start: hop, count: Int(count))
    switch p.pointee.what {
    case 1:
        p.pointee.bank.process(input, energy: &p.pointee.energy)
    case 2:
        var frame = FeatureFrame()
        p.pointee.chain.process(hop: input, into: &frame)
        p.pointee.sink &+= Int64(frame.levelZ)
    case 3, 4, 5:
        var frame = FeatureFrame()
        p.pointee.chain.process(hop: input, into: &frame)
        var batch = EventBatch()
        p.pointee.engine.process(frame, into: &batch)
        p.pointee.events &+= UInt64(batch.count)
    case 6:
        let v = p.pointee.model.classify(p.pointee.features)
        p.pointee.sink &+= Int64(v.margin)
        p.pointee.features.values[0] &+= 1
    default:
        break
    }
}

/// Events emitted (detector, stage), candidates opened and decided (stage).
@_cdecl("earshot_bench_events")
public func earshotBenchEvents(_ state: UnsafeMutableRawPointer) -> UInt64 { benchState(state).pointee.events }
@_cdecl("earshot_bench_candidates")
public func earshotBenchCandidates(_ state: UnsafeMutableRawPointer) -> UInt64 { benchState(state).pointee.engine.candidateCount }
@_cdecl("earshot_bench_decisions")
public func earshotBenchDecisions(_ state: UnsafeMutableRawPointer) -> UInt64 { benchState(state).pointee.engine.candidateDecisions }
/// A value that depends on every result, so nothing is optimised away.
@_cdecl("earshot_bench_sink")
public func earshotBenchSink(_ state: UnsafeMutableRawPointer) -> Int64 {
    let p = benchState(state)
    var s = p.pointee.sink
    for i in 0..<8 { s &+= Int64(bitPattern: p.pointee.energy[i]) }
    return s
}

func benchState(_ p: UnsafeMutableRawPointer) -> UnsafeMutablePointer<BenchState> {
    let a = MemoryLayout<BenchState>.alignment
    let address = UInt(bitPattern: p)
    let mask = UInt(a - 1)
    return UnsafeMutableRawPointer(bitPattern: (address + mask) & ~mask)!.assumingMemoryBound(to: BenchState.self)
}
