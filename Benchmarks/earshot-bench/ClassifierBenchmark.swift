import EarshotDSP
import EarshotDetection

/// Cost of the learned decision stage (Sources/EarshotDetection/Classifier).
///
/// `classify_ns_per_candidate`: thread CPU ns of one `CandidateClassifier.classify`
/// on a 64 → 32 → 10 int8 model with seeded random weights, `calls` calls per
/// pass cycling through 256 random feature vectors; median of `passes` passes
/// (`_best` beside it). The stage runs it once per candidate (≤ 1 per second).
///
/// `stage_ns_per_hop`: thread CPU ns per hop that the stage adds to
/// `DetectionEngine.process` (empty signature table with the classifier minus
/// the same table without), over the chain's frames of the synthetic street
/// signal; median of `passes` (`stage_ns_per_hop_engine_without` is the
/// baseline, `stage_candidates_per_minute` how often the gate opened).
enum ClassifierBenchmark {
    static let passes = 5
    /// Calls per pass (100 000 in all).
    static let calls = 20_000

    /// 32 hidden units, 10 outputs, random int8 weights (as `make embedded`'s harness model).
    static func randomModel(config: AnalysisConfig, seed: UInt64 = 0x5EED) -> CandidateClassifier {
        var g = SplitMix64(state: seed)
        var m = CandidateClassifier()
        m.hiddenCount = 32
        m.outputCount = 10
        for k in 1..<10 {
            m.classes[k] = SoundClass(rawValue: UInt8(k - 1))
            m.kinds[k] = k % 2 == 0 ? .sustained : .impulsive
            m.thresholds[k] = g.int32(-20_000, 20_000)
        }
        for i in 0..<CandidateFeatures.count {
            m.inputOffset[i] = g.int32(-512, 2_048)
            m.inputScale[i] = g.int32(150, 700)
        }
        for n in 0..<(32 * CandidateFeatures.count) { m.weights1[n] = Int8(g.int32(-127, 127)) }
        for j in 0..<32 { m.bias1[j] = g.int32(-4_000, 4_000) }
        m.hiddenMultiplier = 400
        m.hiddenShift = 16
        for n in 0..<(10 * 32) { m.weights2[n] = Int8(g.int32(-127, 127)) }
        for k in 0..<10 { m.bias2[k] = g.int32(-2_000, 2_000) }
        m.logitUnit = 16_000
        m.binHz = CandidateClassifier.binHz(for: config)
        return m
    }

    static func run(audioSeconds: Double) -> [BenchmarkResult] {
        let config = AnalysisConfig(sampleRate: 16_000)
        let model = randomModel(config: config)
        var g = SplitMix64(state: 0xFEA7)
        var inputs = [CandidateFeatures](repeating: CandidateFeatures(), count: 256)
        for v in 0..<inputs.count {
            for i in 0..<CandidateFeatures.count { inputs[v].values[i] = g.int32(-15_360, 20_480) }  // −60 … 80 dB
        }
        var sink: Int64 = 0
        var perCall: [Double] = []
        for _ in 0..<passes {
            let t0 = GoertzelBenchmark.threadCPUNanoseconds()
            for c in 0..<calls {
                let v = model.classify(inputs[c & 255])
                sink &+= Int64(v.margin) &+ Int64(v.confidence)
            }
            let t1 = GoertzelBenchmark.threadCPUNanoseconds()
            perCall.append((t1 - t0) / Double(calls))
        }
        perCall.sort()

        // The engine over the chain's frames of the street signal, with and without the stage.
        let hop = Int(config.hopSamples)
        let signal = SyntheticStreet.samples(count: hop * 1_000, rate: 16_000)
        var chain = AnalysisChain(config: config)
        var frames = [FeatureFrame](repeating: FeatureFrame(), count: 1_000)
        signal.withUnsafeBufferPointer { all in
            for h in 0..<1_000 {
                chain.process(hop: UnsafeBufferPointer(rebasing: all[(h * hop)..<(h * hop + hop)]), into: &frames[h])
            }
        }
        let hops = max(1_000, Int(audioSeconds * 100))
        var withStage = SignatureTable()
        withStage.classifier = model
        var candidates: UInt64 = 0
        func engineNsPerHop(_ table: SignatureTable) -> Double {
            var engine = DetectionEngine(table: table, config: config)
            var batch = EventBatch()
            var frame = FeatureFrame()
            let t0 = GoertzelBenchmark.threadCPUNanoseconds()
            for h in 0..<hops {
                frame = frames[h % 1_000]
                frame.hopIndex = Int64(h)
                frame.firstSample = Int64(h * hop)
                engine.process(frame, into: &batch)
                sink &+= Int64(batch.count)
            }
            let t1 = GoertzelBenchmark.threadCPUNanoseconds()
            if table.classifier != nil { candidates = engine.candidateCount; precondition(engine.stageActive) }
            return (t1 - t0) / Double(hops)
        }
        var on: [Double] = [], off: [Double] = []
        for _ in 0..<passes {
            off.append(engineNsPerHop(SignatureTable()))
            on.append(engineNsPerHop(withStage))
        }
        on.sort(); off.sort()
        blackHole(sink)
        return [
            BenchmarkResult(key: "classify_ns_per_candidate", value: perCall[passes / 2]),
            BenchmarkResult(key: "classify_ns_per_candidate_best", value: perCall[0]),
            BenchmarkResult(key: "stage_ns_per_hop", value: on[passes / 2] - off[passes / 2]),
            BenchmarkResult(key: "stage_ns_per_hop_engine_without", value: off[passes / 2]),
            BenchmarkResult(key: "stage_candidates_per_minute", value: Double(candidates) / (Double(hops) / 6_000)),
        ]
    }
}

extension SplitMix64 {
    /// Uniform in lo…hi (the top 32 bits modulo the span; the benchmark's inputs only).
    mutating func int32(_ lo: Int32, _ hi: Int32) -> Int32 {
        lo &+ Int32(truncatingIfNeeded: (next() >> 32) % UInt64(Int64(hi) - Int64(lo) + 1))
    }
}
