import EarshotDSP

/// Whole `AnalysisChain` speed: audio seconds processed per wall second.
enum ChainBenchmark {
    /// Passes over the audio; the fastest is reported (the pass least disturbed by other
    /// processes and frequency changes on a shared machine), the median and slowest beside it.
    static let passes = 5

    /// Returns `chain_x_realtime` (16 kHz, fastest of `passes`), `chain_x_realtime_median`,
    /// `chain_x_realtime_slowest`, and `chain_x_realtime_48k` (fastest); beside them the share
    /// of hops on which the pitch estimator ran (`chain_pitch_hop_share`) and the fastest
    /// pass with its gate shut (`chain_x_realtime_pitch_off`, the chain without the FFT).
    static func run(audioSeconds: Double) -> [BenchmarkResult] {
        let runs16 = (0..<passes).map { _ in timed(rate: 16_000, audioSeconds: audioSeconds) }
        let r16 = runs16.map(\.timesRealTime).sorted()
        let r48 = (0..<passes).map { _ in timed(rate: 48_000, audioSeconds: audioSeconds / 3).timesRealTime }.sorted()
        let off = (0..<passes).map { _ in timed(rate: 16_000, audioSeconds: audioSeconds, pitchGate: 100).timesRealTime }.max()!
        return [
            BenchmarkResult(key: "chain_x_realtime", value: r16.last!),
            BenchmarkResult(key: "chain_x_realtime_median", value: r16[passes / 2]),
            BenchmarkResult(key: "chain_x_realtime_slowest", value: r16.first!),
            BenchmarkResult(key: "chain_x_realtime_48k", value: r48.last!),
            BenchmarkResult(key: "chain_x_realtime_pitch_off", value: off),
            BenchmarkResult(key: "chain_pitch_hop_share", value: runs16[0].pitchHopShare),
        ]
    }

    /// Wall-clock times real time and thread CPU ns per sample of one run.
    static func timed(rate: Int32, audioSeconds: Double, pitchGate: Double? = nil)
        -> (timesRealTime: Double, cpuNsPerSample: Double, pitchHopShare: Double) {
        var config = AnalysisConfig(sampleRate: rate)
        if let pitchGate { config.pitchGateSnrDb = pitchGate }
        var chain = AnalysisChain(config: config)
        var pitchHops = 0
        let hop = Int(chain.config.hopSamples)
        let signal = SyntheticStreet.samples(count: hop * 1_000, rate: Int(rate))
        let hops = Int(audioSeconds * Double(rate)) / hop
        var frame = FeatureFrame()
        var sink: Int64 = 0
        var cpu = 0.0
        let ns = signal.withUnsafeBufferPointer { all in
            measureNanoseconds {
                cpu = -GoertzelBenchmark.threadCPUNanoseconds()
                defer { cpu += GoertzelBenchmark.threadCPUNanoseconds() }
                for h in 0..<hops {
                    let start = (h % 1_000) * hop
                    chain.process(hop: UnsafeBufferPointer(rebasing: all[start..<start + hop]), into: &frame)
                    sink &+= Int64(frame.levelA)
                    if frame.pitchHz != 0 { pitchHops &+= 1 }
                }
            }
        }
        blackHole(sink)
        return (Double(hops * hop) / Double(rate) / (ns / 1e9), cpu / Double(hops * hop), Double(pitchHops) / Double(max(1, hops)))
    }
}

/// Keeps a value alive so the optimiser cannot delete the measured work.
@inline(never) func blackHole(_ x: Int64) { if x == 0x7FFF_FFFF_FFFF_FFFF { print(x) } }

/// Deterministic street-like test audio: noise, a tone, and impulses (Q15).
enum SyntheticStreet {
    static func samples(count: Int, rate: Int) -> [Int16] {
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        var out = [Int16](repeating: 0, count: count)
        for i in 0..<count {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let noise = Double(Int64(x >> 52) - 2_048)
            let tone = 3_000 * DesignMath.sin(2 * DesignMath.pi * 440 * Double(i) / Double(rate))
            let impulse: Double = i % (rate / 2) == 0 ? 25_000 : 0
            out[i] = Int16(clamping: Int((noise + tone + impulse).rounded()))
        }
        return out
    }
}
