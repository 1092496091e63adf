import EarshotDSP

/// Cost of localising one event: GCC-PHAT on the 4-mic ReSpeaker square at
/// 48 kHz (4 forward FFTs, 6 pair cross-spectra and inverse FFTs, peak and
/// least-squares), for 2048- and 4096-sample windows. Best of 3 runs of 200
/// events each (the machine is shared; the best run is the least disturbed).
enum LocalisationBenchmark {
    static func run() -> [BenchmarkResult] {
        [2048, 4096].map { n in
            var best = Double.infinity
            for _ in 0..<3 { best = min(best, microsecondsPerEvent(fftSize: n, events: 200)) }
            return BenchmarkResult(key: "localisation_us_per_event_\(n)", value: best)
        }
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
