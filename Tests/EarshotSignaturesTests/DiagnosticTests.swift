import EarshotDSP
import Foundation
import Testing
@testable import EarshotDetection
import EarshotSignatures

/// Prints, per scene and entry, how many hops pass each gate (run with
/// EARSHOT_DIAG=1 swift test --filter Diagnostic). Not an assertion suite.
@Suite("Diagnostic dump", .enabled(if: ProcessInfo.processInfo.environment["EARSHOT_DIAG"] != nil))
struct DiagnosticTests {
    @Test func dump() {
        let table = DefaultSignatures.table
        let config = AnalysisConfig()
        var engine = DetectionEngine(table: table, config: config)
        for scene in classScenes + confuserScenes {
            let audio = Signals.scene(seconds: 7, seed: 101, event: scene.make(1))
            var fe = ReferenceFrontEnd(config: config)
            var counts = [[Int]](repeating: [0, 0, 0, 0], count: table.count)
            var errSum = [Double](repeating: 0, count: table.count)
            var maxRise = 0.0, maxCrest = 0.0, maxSNR = 0.0
            var toneMax = [Double](repeating: -120, count: table.count)
            var rel = [Double](repeating: 0, count: 8)
            var peak = -200.0
            var start = 0
            while start + 160 <= audio.count {
                let f = fe.process(audio[start..<start + 160])
                start += 160
                var view = FrameView(f, binBand: engine.binBand)
                view.smoothTonality = view.tonality
                if Double(f.levelZ) / 256 > peak { peak = Double(f.levelZ) / 256; rel = (0..<8).map { Double(view.relative[$0]) / 256 } }
                guard f.hopIndex >= 100 && f.hopIndex < 100 + scene.make(1).count / 160 else { continue }
                maxRise = max(maxRise, Double(f.riseRate) / 256)
                maxCrest = max(maxCrest, Double(f.crest) / 256)
                maxSNR = max(maxSNR, Double((0..<8).map { f.bandSNR[$0] }.max()!) / 256)
                for i in 0..<table.count {
                    let m = FrameMatch(f, view: view, signature: table[i], plan: engine.plans[i])
                    counts[i][0] += 1
                    if m.spectralOK { counts[i][1] += 1 }
                    if m.snrOK { counts[i][2] += 1 }
                    if m.tonalOK { counts[i][3] += 1 }
                    errSum[i] += Double(m.bandError) / 256
                    toneMax[i] = max(toneMax[i], Double(m.tonality) / 256)
                }
            }
            print("== \(scene.name): peak \(String(format: "%.1f", peak)) rel@peak \(rel.map { String(format: "%.0f", $0) }) rise \(String(format: "%.1f", maxRise)) crest \(String(format: "%.1f", maxCrest)) snr \(String(format: "%.1f", maxSNR))")
            for i in 0..<table.count {
                let c = counts[i]
                print("   \(table.className(of: table[i].soundClass).padding(toLength: 14, withPad: " ", startingAt: 0)) hops \(c[0]) spec \(c[1]) snr \(c[2]) tonal \(c[3]) meanErr \(String(format: "%.1f", errSum[i] / Double(max(1, c[0])))) toneMax \(String(format: "%.1f", toneMax[i]))")
            }
            print("   events: \(classNames(detect(audio, frontEnd: .reference)))")
            engine.reset()
        }
    }
}
