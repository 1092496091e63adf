import EarshotDSP

/// Cost of localising one event: GCC-PHAT on the 4-mic ReSpeaker square at
/// 48 kHz (4 forward FFTs, 6 pair cross-spectra and inverse FFTs, peak and
/// least-squares), for 2048- and 4096-sample windows; and a sustained sound's
/// path (16 windows of 512 samples, 256 apart, with the background bin mask from
/// 16 windows before it). Best of 3 runs of 200 events each (the machine is
/// shared; the best run is the least disturbed).
enum LocalisationBenchmark {
    static func run() -> [BenchmarkResult] {
        var results = [2048, 4096].map { n in
            var best = Double.infinity
            for _ in 0..<3 { best = min(best, microsecondsPerEvent(fftSize: n, events: 200)) }
            return BenchmarkResult(key: "localisation_us_per_event_\(n)", value: best)
        }
        var best = Double.infinity
        for _ in 0..<3 { best = min(best, microsecondsPerSustainedEvent(events: 200)) }
        results.append(BenchmarkResult(key: "localisation_us_per_sustained_event_16x512", value: best))
        return results
    }

    /// The ReSpeaker 4-mic square (metres): x, y of mics 0…3.
    static func square() -> MicArrayGeometry {
        var x = SIMD8<Double>(), y = SIMD8<Double>()
        x[0] = -0.0405; y[1] = 0.0405; x[2] = 0.0405; y[3] = -0.0405
        return MicArrayGeometry(count: 4, x: x, y: y, z: SIMD8())!
    }

    /// Q15 noise, `count` samples from a fixed LCG, scaled by 2^-`quieter`.
    static func noise(_ count: Int, seed: UInt64, quieter: Int) -> [Int16] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int16(truncatingIfNeeded: Int64(bitPattern: state) >> (50 + quieter))
        }
    }

    /// Wall-clock µs per `locateAveraged` call (16 × 512-sample windows, bin mask
    /// against 16 background windows) on a 4-channel noise source with integer delays
    /// over a quieter background.
    static func microsecondsPerSustainedEvent(events: Int) -> Double {
        let n = 512, segments = GCCPHATLocaliser.maxSegments, hop = 256
        let span = (segments - 1) * hop + n
        let twiddles = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        defer { twiddles.deallocate() }
        let localiser = GCCPHATLocaliser(config: LocalisationConfig(sampleRate: 48_000, fftSize: n),
                                         geometry: square(), twiddleStorage: twiddles)
        let workspace = UnsafeMutableBufferPointer<Int32>.allocate(capacity: localiser.averagedWorkspaceCount)
        defer { workspace.deallocate() }
        let binPower = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
        defer { binPower.deallocate() }
        let windows = UnsafeMutableBufferPointer<Int16>.allocate(capacity: 4 * span)
        defer { windows.deallocate() }
        let background = UnsafeMutableBufferPointer<Int16>.allocate(capacity: 4 * span)
        defer { background.deallocate() }
        let source = noise(span + 16, seed: 0x2545_F491_4F6C_DD1D, quieter: 0)
        let delays = [0, 5, 9, 4]
        for c in 0..<4 {
            let bed = noise(2 * span, seed: 0x9E37_79B9_7F4A_7C15 &+ UInt64(c), quieter: 3)
            for i in 0..<span {
                background[c * span + i] = bed[i]
                windows[c * span + i] = source[i + delays[c]] / 2 &+ bed[span + i]
            }
        }
        var sink = 0.0
        let ns = measureNanoseconds {
            for _ in 0..<events {
                sink += localiser.locateAveraged(windows: UnsafeBufferPointer(windows), stride: span, segments: segments, hop: hop,
                                                 noise: UnsafeBufferPointer(background), noiseStride: span, noiseSegments: segments,
                                                 binPower: binPower, maskRatio: 10, workspace: workspace).azimuthDeg
            }
        }
        if sink.isNaN { print("unreachable") }
        return ns / Double(events) / 1000
    }

    /// Wall-clock µs per `locate` call on a 4-channel noise burst with integer delays.
    static func microsecondsPerEvent(fftSize n: Int, events: Int) -> Double {
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
        var noise = [Int16](repeating: 0, count: n + 16)
        for i in noise.indices {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            noise[i] = Int16(truncatingIfNeeded: Int64(bitPattern: state) >> 50)
        }
        let delays = [0, 5, 9, 4]
        for c in 0..<4 { for i in 0..<n { windows[c * n + i] = noise[i + delays[c]] } }
        var sink = 0.0
        let ns = measureNanoseconds {
            for _ in 0..<events {
                sink += localiser.locate(windows: UnsafeBufferPointer(windows), stride: n, frames: n,
                                         workspace: workspace).azimuthDeg
            }
        }
        if sink.isNaN { print("unreachable") }
        return ns / Double(events) / 1000
    }
}
