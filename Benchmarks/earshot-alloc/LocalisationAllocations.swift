import EarshotDSP
import MallocInterposerSwift

/// The ReSpeaker 4-mic square (±40.5 mm on x and y), metres.
private func respeakerSquare() -> MicArrayGeometry {
    var x = SIMD8<Double>(), y = SIMD8<Double>()
    x[0] = -0.0405; y[1] = 0.0405; x[2] = 0.0405; y[3] = -0.0405
    return MicArrayGeometry(count: 4, x: x, y: y, z: SIMD8())!
}

/// Fills `buffer` with Q15 noise from a fixed LCG.
private func fillNoise(_ buffer: UnsafeMutableBufferPointer<Int16>) {
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    for i in buffer.indices {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        buffer[i] = Int16(truncatingIfNeeded: Int64(bitPattern: state) >> 50)
    }
}

/// Heap allocations of `events` calls of `locate` after one warm-up call.
private func allocations(events: Int, _ locate: () -> Double) -> Int {
    var sink = locate()
    MallocInterposerSwift.reset()
    MallocInterposerSwift.hook()
    for _ in 0..<events { sink += locate() }
    MallocInterposerSwift.unhook()
    if sink.isNaN { print("unreachable") }
    return MallocInterposerSwift.getStatistics().mallocCount
}

/// Heap allocations of `events` localisations (GCCPHATLocaliser, 4-mic
/// square, 48 kHz, 4096-sample windows) after one warm-up call. Storage is
/// allocated before counting, as the agent does at configuration time.
func localisationAllocations(events: Int) -> Int {
    let n = 4096
    let twiddles = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
    defer { twiddles.deallocate() }
    let localiser = GCCPHATLocaliser(config: LocalisationConfig(sampleRate: 48_000, fftSize: n),
                                     geometry: respeakerSquare(), twiddleStorage: twiddles)
    let workspace = UnsafeMutableBufferPointer<Int32>.allocate(capacity: localiser.workspaceCount)
    defer { workspace.deallocate() }
    let windows = UnsafeMutableBufferPointer<Int16>.allocate(capacity: 4 * n)
    defer { windows.deallocate() }
    fillNoise(windows)
    return allocations(events: events) {
        localiser.locate(windows: UnsafeBufferPointer(windows), stride: n, frames: n, workspace: workspace).azimuthDeg
    }
}

/// Heap allocations of `events` sustained-sound localisations
/// (`locateAveraged`: 16 windows of 512 samples, 256 apart, with the background
/// bin mask from 16 windows before the sound), 4-mic square, 48 kHz, after one
/// warm-up call; storage allocated before counting.
func sustainedLocalisationAllocations(events: Int) -> Int {
    let n = 512, segments = GCCPHATLocaliser.maxSegments, hop = 256
    let span = (segments - 1) * hop + n
    let twiddles = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
    defer { twiddles.deallocate() }
    let localiser = GCCPHATLocaliser(config: LocalisationConfig(sampleRate: 48_000, fftSize: n),
                                     geometry: respeakerSquare(), twiddleStorage: twiddles)
    let workspace = UnsafeMutableBufferPointer<Int32>.allocate(capacity: localiser.averagedWorkspaceCount)
    defer { workspace.deallocate() }
    let binPower = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    defer { binPower.deallocate() }
    let windows = UnsafeMutableBufferPointer<Int16>.allocate(capacity: 4 * span)
    defer { windows.deallocate() }
    let background = UnsafeMutableBufferPointer<Int16>.allocate(capacity: 4 * span)
    defer { background.deallocate() }
    fillNoise(windows)
    for i in background.indices { background[i] = windows[i] >> 3 }
    return allocations(events: events) {
        localiser.locateAveraged(windows: UnsafeBufferPointer(windows), stride: span, segments: segments, hop: hop,
                                 noise: UnsafeBufferPointer(background), noiseStride: span, noiseSegments: segments,
                                 binPower: binPower, maskRatio: 10, workspace: workspace).azimuthDeg
    }
}
