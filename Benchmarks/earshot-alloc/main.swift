// earshot-alloc: counts heap allocations in the steady state of the analysis
// path with a real malloc interposer. Must run with the interposer preloaded:
//   LD_PRELOAD=<dir>/libMallocInterposerSwift.so earshot-alloc [hops]
// Exit status 0 only when the measured loop performed 0 allocations and the
// counter demonstrably works (a deliberate allocation is seen).
import EarshotDSP
import EarshotDetection
import EarshotSignatures
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

/// Steady-state allocations of `AnalysisChain` (and, with `detect`, the
/// `DetectionEngine` on the default signature table) at `rate` over `hops`
/// hops of noise with impulses and tone bursts, so events are emitted.
/// Returns (allocations, events emitted).
func pathAllocations(rate: Int32, hops: Int, detect: Bool) -> (Int, Int) {
    let config = AnalysisConfig(sampleRate: rate)
    var chain = AnalysisChain(config: config)
    var engine = DetectionEngine(table: DefaultSignatures.table, config: config)
    var events = 0
    let n = Int(chain.config.hopSamples)
    let signal = UnsafeMutableBufferPointer<Int16>.allocate(capacity: n * 64)
    defer { signal.deallocate() }
    var x: UInt64 = 0x9E37_79B9_7F4A_7C15
    for i in signal.indices {
        x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let noise = Int32(truncatingIfNeeded: x >> 52) - 2_048
        let impulse: Int32 = i % (n * 20) == 7 ? 20_000 : 0
        // A 440 Hz square-ish horn tone in the second half of the buffer.
        let tone: Int32 = i >= n * 32 && (i / (Int(rate) / 880)) % 2 == 0 ? 6_000 : (i >= n * 32 ? -6_000 : 0)
        signal[i] = Int16(clamping: noise + impulse + tone)
    }
    var frame = FeatureFrame()
    func run(_ count: Int) {
        for h in 0..<count {
            let start = (h % 64) * n
            chain.process(hop: UnsafeBufferPointer(rebasing: signal[start..<start + n]), into: &frame)
            if detect { engine.process(frame) { _ in events &+= 1 } }
        }
    }
    run(100)  // warm-up: first-call lazy work is not steady state
    MallocInterposerSwift.reset()
    MallocInterposerSwift.hook()
    run(hops)
    MallocInterposerSwift.unhook()
    return (MallocInterposerSwift.getStatistics().mallocCount, events)
}

guard counterSeesAnAllocation() else {
    print("alloc-check: the malloc counter is not active (run with LD_PRELOAD=libMallocInterposerSwift.so)")
    exit(2)
}
var failed = false
for rate: Int32 in [16_000, 48_000] {
    let (count, _) = pathAllocations(rate: rate, hops: hops, detect: false)
    print("alloc-check: AnalysisChain \(rate) Hz: \(hops) hops, \(count) heap allocations")
    if count != 0 { failed = true }
    let (withDetector, events) = pathAllocations(rate: rate, hops: hops, detect: true)
    print("alloc-check: AnalysisChain + DetectionEngine \(rate) Hz: \(hops) hops, \(events) events, \(withDetector) heap allocations")
    if withDetector != 0 { failed = true }
}
let localisation = localisationAllocations(events: 100)
print("alloc-check: GCC-PHAT localisation 4-mic 48 kHz: 100 events, \(localisation) heap allocations")
if localisation != 0 { failed = true }
let sustained = sustainedLocalisationAllocations(events: 100)
print("alloc-check: GCC-PHAT sustained-sound localisation (16 x 512 windows, bin mask) 4-mic 48 kHz: 100 events, \(sustained) heap allocations")
if sustained != 0 { failed = true }
exit(failed ? 1 : 0)
