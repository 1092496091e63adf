// earshot-alloc: counts heap allocations in the steady state of the analysis
// path with a real malloc interposer. Must run with the interposer preloaded:
//   LD_PRELOAD=<dir>/libMallocInterposerSwift.so earshot-alloc [hops]
// Exit status 0 only when the measured loop performed 0 allocations and the
// counter demonstrably works (a deliberate allocation is seen).
import EarshotDSP
import EarshotDetection
import EarshotSignatures
import EarshotTestSupport
import MallocInterposerSwift
#if canImport(Glibc)
import Glibc
#endif

let hops = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 10_000 : 10_000
MallocInterposerSwift.initialize()

/// Proves the counter is live: an allocation inside hook/unhook must count.
func counterSeesAnAllocation() -> Bool {
    MallocInterposerSwift.reset()
    MallocInterposerSwift.hook()
    let p = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 16)
    MallocInterposerSwift.unhook()
    p.deallocate()
    return MallocInterposerSwift.getStatistics().mallocCount >= 1
}

/// A 3 s loop of quiet noise with a decaying noise burst (a shot, at 0.1 s) and a
/// 440 Hz square-wave horn (1.0–1.6 s), Q15: played over and over it keeps the
/// detector's event paths busy (onsets, starts, ends, cooldowns), not only its idle path.
/// Caller deallocates.
func streetLoop(rate: Int32, hopSamples n: Int) -> UnsafeMutableBufferPointer<Int16> {
    let signal = UnsafeMutableBufferPointer<Int16>.allocate(capacity: n * 300)
    let r = Int(rate)
    var x: UInt64 = 0x9E37_79B9_7F4A_7C15
    var decay: Int32 = 0
    for i in signal.indices {
        x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let random = Int32(truncatingIfNeeded: x >> 52) - 2_048     // ±2 048 (−27 dBFS), ÷8 for the street
        let noise = random / 8
        if i == r / 10 { decay = 24_000 }
        let burst = random * decay / 2_048
        decay = decay * 2_047 / 2_048 - (decay > 0 ? 1 : 0)           // e-fold in 2 048 samples
        if decay < 0 { decay = 0 }
        let inHorn = i >= r && i < r + r * 6 / 10
        let tone: Int32 = inHorn ? ((i / (r / 880)) % 2 == 0 ? 6_000 : -6_000) : 0
        signal[i] = Int16(clamping: noise + burst + tone)
    }
    return signal
}

/// Steady-state allocations of `AnalysisChain` (and, with a `table`, the
/// `DetectionEngine` on it) at `rate` over `hops` hops of `streetLoop`.
/// Returns (allocations, events emitted while counted).
func pathAllocations(rate: Int32, hops: Int, table: SignatureTable?) -> (Int, Int) {
    let config = AnalysisConfig(sampleRate: rate)
    var chain = AnalysisChain(config: config)
    var engine = DetectionEngine(table: table ?? SignatureTable(), config: config)
    var events = 0
    let n = Int(chain.config.hopSamples)
    let signal = streetLoop(rate: rate, hopSamples: n)
    defer { signal.deallocate() }
    let loopHops = signal.count / n
    var frame = FeatureFrame()
    func run(_ count: Int) {
        for h in 0..<count {
            let start = (h % loopHops) * n
            chain.process(hop: UnsafeBufferPointer(rebasing: signal[start..<start + n]), into: &frame)
            if table != nil { engine.process(frame) { _ in events &+= 1 } }
        }
    }
    run(100)  // warm-up: first-call lazy work is not steady state
    events = 0
    MallocInterposerSwift.reset()
    MallocInterposerSwift.hook()
    run(hops)
    MallocInterposerSwift.unhook()
    return (MallocInterposerSwift.getStatistics().mallocCount, events)
}

/// A table whose learned stage reports every candidate as a gunshot (random-free weights:
/// only the gunshot output's bias), so the stage's feature, inference and event paths all run.
func learnedStageTable(rate: Int32) -> SignatureTable {
    var m = CandidateClassifier.gateOnly(config: AnalysisConfig(sampleRate: rate))
    m.classes[1] = .gunshot
    m.bias2[1] = 1_000
    m.thresholds[1] = 0
    m.logitUnit = 100
    var table = SignatureTable()
    table.classifier = m
    return table
}

guard counterSeesAnAllocation() else {
    print("alloc-check: the malloc counter is not active (run with LD_PRELOAD=libMallocInterposerSwift.so)")
    exit(2)
}
var failed = false
for rate: Int32 in [16_000, 48_000] {
    let (count, _) = pathAllocations(rate: rate, hops: hops, table: nil)
    print("alloc-check: AnalysisChain \(rate) Hz: \(hops) hops, \(count) heap allocations")
    if count != 0 { failed = true }
    // The shipped table (tuned on recordings; whether it fires on this loop is not its test) and the
    // synthetic-sound table, which must fire here or the event paths went unmeasured.
    let tables = [(name: "default table", table: DefaultSignatures.table, mustFire: false),
                  (name: "synthetic-sound table", table: SignatureTable.relaxedForSyntheticSounds(), mustFire: true),
                  (name: "learned stage", table: learnedStageTable(rate: rate), mustFire: true)]
    for (name, table, mustFire) in tables {
        let (withDetector, events) = pathAllocations(rate: rate, hops: hops, table: table)
        print("alloc-check: AnalysisChain + DetectionEngine (\(name)) \(rate) Hz: \(hops) hops, \(events) events, \(withDetector) heap allocations")
        if withDetector != 0 { failed = true }
        if mustFire && events < hops / 300 {
            print("alloc-check: expected at least one event per 3 s loop (\(hops / 300)) from the \(name)")
            failed = true
        }
    }
}
let localisation = localisationAllocations(events: 100)
print("alloc-check: GCC-PHAT localisation 4-mic 48 kHz: 100 events, \(localisation) heap allocations")
if localisation != 0 { failed = true }
let sustained = sustainedLocalisationAllocations(events: 100)
print("alloc-check: GCC-PHAT sustained-sound localisation (16 x 512 windows, bin mask) 4-mic 48 kHz: 100 events, \(sustained) heap allocations")
if sustained != 0 { failed = true }
exit(failed ? 1 : 0)
