import EarshotDSP
import MallocInterposerSwift

/// Heap allocations of `events` localisations (GCCPHATLocaliser, 4-mic
/// square, 48 kHz, 4096-sample windows) after one warm-up call. Storage is
/// allocated before counting, as the agent does at configuration time.
func localisationAllocations(events: Int) -> Int {
    let n = 4096
    var x = SIMD8<Double>(), y = SIMD8<Double>()
    x[0] = -0.0405; y[1] = 0.0405; x[2] = 0.0405; y[3] = -0.0405
    let geometry = MicArrayGeometry(count: 4, x: x, y: y, z: SIMD8())!
    let twiddles = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
    defer { twiddles.deallocate() }
    let localiser = GCCPHATLocaliser(config: LocalisationConfig(sampleRate: 48_000, fftSize: n),
                                     geometry: geometry, twiddleStorage: twiddles)
    let workspace = UnsafeMutableBufferPointer<Int32>.allocate(capacity: localiser.workspaceCount)
    defer { workspace.deallocate() }
    let windows = UnsafeMutableBufferPointer<Int16>.allocate(capacity: 4 * n)
    defer { windows.deallocate() }
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    for i in windows.indices {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        windows[i] = Int16(truncatingIfNeeded: Int64(bitPattern: state) >> 50)
    }
    var sink = 0.0
    func run(_ count: Int) {
        for _ in 0..<count {
            sink += localiser.locate(windows: UnsafeBufferPointer(windows), stride: n, frames: n, workspace: workspace).azimuthDeg
        }
    }
    run(1)
    MallocInterposerSwift.reset()
    MallocInterposerSwift.hook()
    run(events)
    MallocInterposerSwift.unhook()
    if sink.isNaN { print("unreachable") }
    return MallocInterposerSwift.getStatistics().mallocCount
}
