// Runs synthesised audio through a front end and the default table.
import EarshotDSP
import EarshotDetection
import EarshotSignatures
import Foundation

enum FrontEnd { case reference, chain }

/// True once AnalysisChain fills Goertzel bins, background and onset fields
/// (the interim chain leaves them neutral; then the `.chain` suites are skipped).
let chainIsComplete: Bool = {
    var chain = AnalysisChain(config: AnalysisConfig())
    var frame = FeatureFrame()
    var hop = [Int16](repeating: 0, count: 160)
    var sawRise = false
    for h in 0..<100 {
        for i in 0..<160 {
            let t = Double(h * 160 + i) / 16_000
            hop[i] = h < 50 ? 0 : Int16(8_000 * sin(2 * Double.pi * 1_000 * t))
        }
        hop.withUnsafeBufferPointer { chain.process(hop: $0, into: &frame) }
        if frame.riseRate > 0 || frame.onsetOffset >= 0 { sawRise = true }
    }
    return sawRise && frame.binPower[3] != FeatureFrame.floor && frame.backgroundZ != FeatureFrame.floor
}()

/// Events (.impulse and .end, plus .start without end) of `samples` at 16 kHz.
func detect(_ samples: [Double], frontEnd: FrontEnd, table: SignatureTable = DefaultSignatures.table) -> [Event] {
    let config = AnalysisConfig()
    var engine = DetectionEngine(table: table, config: config)
    var events: [Event] = []
    let hop = Int(config.hopSamples)
    var reference = ReferenceFrontEnd(config: config)
    var chain = AnalysisChain(config: config)
    var frame = FeatureFrame()
    var q = [Int16](repeating: 0, count: hop)
    var start = 0
    while start + hop <= samples.count {
        switch frontEnd {
        case .reference:
            frame = reference.process(samples[start..<start + hop])
        case .chain:
            for i in 0..<hop { q[i] = Int16(max(-32_768, min(32_767, (samples[start + i] * 32_767).rounded()))) }
            q.withUnsafeBufferPointer { chain.process(hop: $0, into: &frame) }
        }
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
