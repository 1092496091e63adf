// The learned stage's gate, features, integer inference and event reporting,
// on scripted feature frames (no audio).
import EarshotDSP
import Testing
@testable import EarshotDetection

@Suite struct CandidateStageTests {
    static let config = AnalysisConfig()

    /// Runs `frames` through an engine with `table`; returns the events and the engine.
    static func run(_ table: SignatureTable, _ frames: [FeatureFrame]) -> ([Event], DetectionEngine, [Int64]) {
        var engine = DetectionEngine(table: table, config: config)
        var events: [Event] = []
        var onsets: [Int64] = []
        var seen: UInt64 = 0
        for (i, var f) in frames.enumerated() {
            f.hopIndex = Int64(i)
            f.firstSample = Int64(i) * 160
            engine.process(f) { events.append($0) }
            if engine.candidateDecisions != seen, let c = engine.lastCandidate {
                seen = engine.candidateDecisions
                onsets.append(c.onsetSample)
            }
        }
        engine.finish(atSample: Int64(frames.count) * 160) { events.append($0) }
        return (events, engine, onsets)
    }

    static func quiet(_ n: Int) -> [FeatureFrame] { Array(repeating: FrameScript.frame(), count: n) }
    static func loud(_ n: Int, snr: Double = 20) -> [FeatureFrame] {
        Array(repeating: FrameScript.frame(bands: [0, 0, snr, snr, snr, snr - 6, 0, 0]), count: n)
    }

    /// A model that always reports `soundClass` (bias of its output far above "none").
    static func alwaysModel(_ soundClass: SoundClass, kind: SignatureKind) -> CandidateClassifier {
        var m = CandidateClassifier.gateOnly(config: config)
        m.classes[1] = soundClass
        m.kinds[1] = kind
        m.bias2[1] = 1_000
        m.thresholds[1] = 0
        m.logitUnit = 100
        return m
    }

    @Test func oneCandidatePerSoundWithItsOnset() {
        var table = SignatureTable()
        table.classifier = .gateOnly(config: Self.config)
        // A sound at hop 50 (20 hops), a second one during the first's window (hop 100),
        // and a third after quiet (hop 300).
        let frames = Self.quiet(50) + Self.loud(20) + Self.quiet(30) + Self.loud(5) + Self.quiet(195) + Self.loud(20) + Self.quiet(150)
        let (events, engine, onsets) = Self.run(table, frames)
        #expect(events.isEmpty)
        #expect(engine.candidateCount == 2)
        #expect(onsets == [50 * 160, 300 * 160])
        let f = engine.lastCandidate!.features
        #expect(f.values[18] == 20 * 256)                     // band 2 SNR at the loudest hop
        #expect(f.values[32] > 15 * 256)                      // loudest hop over the background
        #expect(f.values[45] == 20 * 256 / 100)               // 20 of 100 hops within 6 dB of the peak
    }

    @Test func quietSoundsOpenNoCandidate() {
        var table = SignatureTable()
        table.classifier = .gateOnly(config: Self.config)
        let (_, engine, _) = Self.run(table, Self.quiet(50) + Self.loud(40, snr: 7) + Self.quiet(150))
        #expect(engine.candidateCount == 0)
    }

    @Test func impulsiveVerdictIsOneEventAndClaimsItsEntries() {
        var table = SignatureTable()
        var shot = Signature(); shot.name = SignatureName("gunshot"); shot.soundClass = .gunshot
        var horn = Signature(); horn.name = SignatureName("car_horn"); horn.soundClass = .carHorn; horn.kind = .sustained
        table.append(shot)
        table.append(horn)
        table.classifier = Self.alwaysModel(.gunshot, kind: .impulsive)
        let (events, engine, _) = Self.run(table, Self.quiet(50) + Self.loud(20) + Self.quiet(150))
        #expect(!engine.isActive(entry: 0))                    // the classifier decides gunshot
        #expect(engine.isActive(entry: 1) == DetectionEngine(table: { var t = table; t.classifier = nil; return t }(), config: Self.config).isActive(entry: 1))
        // The horn entry (a default signature, not claimed) may fire on its own; the gunshot
        // is reported once, by the classifier, never by entry 0.
        #expect(!events.contains { $0.entryIndex == 0 })
        let mine = events.filter { $0.entryIndex == Event.classifierEntry }
        #expect(mine.count == 1)
        guard let e = mine.first else { return }
        #expect(e.soundClass == .gunshot && e.phase == .impulse)
        #expect(e.onsetSample == 50 * 160)
        #expect(e.offsetSample == 70 * 160)                     // the hop after the last loud one
        #expect(e.confidence > 32_768)
    }

    /// A loud impulse no class claims is reported once, by the stage, as loud_impulse; the
    /// table's loud_impulse entry steps aside so a classified shot is not also a loud impulse.
    @Test func unclaimedImpulseIsOneLoudImpulse() {
        var table = SignatureTable()
        var impulse = Signature(); impulse.name = SignatureName("loud_impulse"); impulse.soundClass = .loudImpulse
        table.append(impulse)
        var m = Self.alwaysModel(.gunshot, kind: .impulsive)
        m.thresholds[1] = Int32.max                              // never reports gunshot
        table.classifier = m
        let (events, engine, _) = Self.run(table, Self.quiet(50) + Self.loud(5, snr: 40) + Self.quiet(200))
        #expect(!engine.isActive(entry: 0))
        #expect(events.count == 1)
        #expect(events.first?.soundClass == .loudImpulse && events.first?.entryIndex == Event.classifierEntry)
        // A long loud sound is no impulse; a reported gunshot is no loud impulse either.
        let (long, _, _) = Self.run(table, Self.quiet(50) + Self.loud(300, snr: 40) + Self.quiet(100))
        #expect(long.isEmpty)
        m.thresholds[1] = 0
        table.classifier = m
        let (shot, _, _) = Self.run(table, Self.quiet(50) + Self.loud(5, snr: 40) + Self.quiet(200))
        #expect(shot.map(\.soundClass) == [.gunshot])
    }

    @Test func sustainedVerdictStartsAndEnds() {
        var table = SignatureTable()
        table.classifier = Self.alwaysModel(.siren, kind: .sustained)
        let (events, _, _) = Self.run(table, Self.quiet(50) + Self.loud(300) + Self.quiet(100))
        #expect(events.map(\.phase) == [.start, .end])
        #expect(events.allSatisfy { $0.soundClass == .siren && $0.onsetSample == 50 * 160 })
        #expect(events[0].offsetSample == 150 * 160)            // decided after the 1 s window
        #expect(events[1].offsetSample == 350 * 160)
    }

    @Test func modelForOtherBinsStaysOff() {
        var table = SignatureTable()
        var m = Self.alwaysModel(.gunshot, kind: .impulsive)
        m.binHz[0] = 123
        table.classifier = m
        let (events, engine, _) = Self.run(table, Self.quiet(50) + Self.loud(20) + Self.quiet(150))
        #expect(!engine.stageActive)
        #expect(events.isEmpty)
    }

    /// The integer network against a straightforward reference on random weights.
    @Test func inferenceMatchesReference() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            var m = CandidateClassifier()
            m.hiddenCount = Int.random(in: 1...48, using: &rng)
            m.outputCount = Int.random(in: 2...16, using: &rng)
            m.hiddenMultiplier = Int32.random(in: 1...(1 << 20), using: &rng)
            m.hiddenShift = Int32.random(in: 0...30, using: &rng)
            m.logitUnit = 50
            for i in 0..<64 {
                m.inputOffset[i] = Int32.random(in: -5_000...5_000, using: &rng)
                m.inputScale[i] = Int32.random(in: 0...200_000, using: &rng)
            }
            for n in 0..<(m.hiddenCount * 64) { m.weights1[n] = Int8.random(in: -127...127, using: &rng) }
            for j in 0..<m.hiddenCount { m.bias1[j] = Int32.random(in: -100_000...100_000, using: &rng) }
            for n in 0..<(m.outputCount * m.hiddenCount) { m.weights2[n] = Int8.random(in: -127...127, using: &rng) }
            for k in 0..<m.outputCount { m.bias2[k] = Int32.random(in: -10_000...10_000, using: &rng) }
            var x = CandidateFeatures()
            for i in 0..<64 { x.values[i] = Int32.random(in: -20_000...20_000, using: &rng) }
            var z = [Int]()
            for i in 0..<64 {
                let p = (Int(x.values[i]) - Int(m.inputOffset[i])) * Int(m.inputScale[i])
                z.append(Swift.max(-127, Swift.min(127, p >> 16)))
            }
            var h = [Int]()
            for j in 0..<m.hiddenCount {
                var acc = Int(m.bias1[j])
                for i in 0..<64 { acc += Int(m.weights1[j * 64 + i]) * z[i] }
                let r = m.hiddenShift > 0 ? 1 << (Int(m.hiddenShift) - 1) : 0
                h.append(Swift.max(0, Swift.min(127, (acc * Int(m.hiddenMultiplier) + r) >> Int(m.hiddenShift))))
            }
            let logits = m.logits(x)
            for k in 0..<m.outputCount {
                var acc = Int(m.bias2[k])
                for j in 0..<m.hiddenCount { acc += Int(m.weights2[k * m.hiddenCount + j]) * h[j] }
                #expect(Int(logits[k]) == acc)
            }
            let v = m.classify(x)
            var best = 1
            for k in 2..<m.outputCount where logits[k] > logits[best] { best = k }
            #expect(v.output == best && v.margin == logits[best] - logits[0])
        }
    }
}
