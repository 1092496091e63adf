// Runs synthesised audio through the real AnalysisChain and a signature table.
import EarshotDSP
import EarshotDetection
import EarshotSignatures

/// Events (.impulse, .start and .end) of `samples` (full scale ±1.0, 16 kHz),
/// quantised to Int16 and analysed by `AnalysisChain` with the default config.
func detect(_ samples: [Double], table: SignatureTable = DefaultSignatures.table) -> [Event] {
    let config = AnalysisConfig()
    var engine = DetectionEngine(table: table, config: config)
    var events: [Event] = []
    let hop = Int(config.hopSamples)
    var chain = AnalysisChain(config: config)
    var frame = FeatureFrame()
    var q = [Int16](repeating: 0, count: hop)
    var start = 0
    while start + hop <= samples.count {
        for i in 0..<hop { q[i] = Int16(max(-32_768, min(32_767, (samples[start + i] * 32_767).rounded()))) }
        q.withUnsafeBufferPointer { chain.process(hop: $0, into: &frame) }
        engine.process(frame) { events.append($0) }
        start += hop
    }
    engine.finish(atSample: Int64(start)) { events.append($0) }
    return events
}

/// Names of the classes that reported (impulses and sustained starts), in order.
func classNames(_ events: [Event]) -> [String] {
    let table = DefaultSignatures.table
    return events.filter { $0.phase != .end }.map { table.className(of: $0) }
}

/// Feature frames of `samples` (full scale ±1.0, 16 kHz) from `AnalysisChain`.
func chainFrames(_ samples: [Double]) -> [FeatureFrame] {
    let config = AnalysisConfig()
    let hop = Int(config.hopSamples)
    var chain = AnalysisChain(config: config)
    var frame = FeatureFrame()
    var q = [Int16](repeating: 0, count: hop)
    var frames: [FeatureFrame] = []
    var start = 0
    while start + hop <= samples.count {
        for i in 0..<hop { q[i] = Int16(max(-32_768, min(32_767, (samples[start + i] * 32_767).rounded()))) }
        q.withUnsafeBufferPointer { chain.process(hop: $0, into: &frame) }
        frames.append(frame)
        start += hop
    }
    return frames
}
