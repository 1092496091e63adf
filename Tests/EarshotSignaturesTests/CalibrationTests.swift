import EarshotDSP
import EarshotDetection
import Foundation
import Testing
@testable import EarshotSignatures

@Suite("earshot learn --background")
struct CalibrationTests {
    /// The chime of LearnTests at `dBFS`, 1 s into a 3 s scene of −60 dBFS noise.
    static func scene(_ seed: UInt64, chimeDBFS: Double) -> [FeatureFrame] {
        let a = Signals.tone({ _ in 700 }, seconds: 0.8), b = Signals.tone({ _ in 1_200 }, seconds: 0.8)
        let chime = Signals.level(Signals.envelope(zip(a, b).map { $0 + 0.8 * $1 }), chimeDBFS)
        return chainFrames(Signals.scene(seconds: 3, seed: seed, event: chime))
    }

    /// A learner fed −20 dBFS chimes of `seeds`, and their frames.
    static func learner(seeds: [UInt64]) -> (SignatureLearner, [[FeatureFrame]]) {
        var learner = SignatureLearner(config: AnalysisConfig())
        var examples: [[FeatureFrame]] = []
        for seed in seeds {
            let f = scene(seed, chimeDBFS: -20)
            let added = learner.add(frames: f)
            #expect(added != nil)
            examples.append(f)
        }
        return (learner, examples)
    }

    @Test("each ladder level is at least as strict as the one before")
    func ladder() {
        var s = Signature()
        s.kind = .sustained
        s.minSNR = 12 * 256
        s.minDurationMs = 200
        s.maxDurationMs = 5_000
        s.maxBandError = 5 * 256
        s.bandTolerance = SIMD8(20 * 256, 10 * 256, 8 * 256, 6 * 256, 4 * 256, 60 * 256, 60 * 256, 3 * 256)
        var previous = s
        for level in 1...12 {
            let t = SignatureCalibrator.tightened(s, level: level, shortestExampleMs: 600)
            #expect(t.minSNR >= previous.minSNR && t.minSNR <= 60 * 256)
            #expect(t.minSNR == Int16(min(60 * 256, 12 * 256 + level * 3 * 256)))
            #expect(t.maxBandError <= previous.maxBandError && t.maxBandError >= 384)
            #expect(t.minDurationMs >= previous.minDurationMs && t.minDurationMs <= 540, "\(t.minDurationMs)")
            for k in 0..<8 {
                if s.bandTolerance[k] >= Signature.ignoreBand {
                    #expect(t.bandTolerance[k] == s.bandTolerance[k])   // ignored bands stay ignored
                } else {
                    #expect(t.bandTolerance[k] <= previous.bandTolerance[k] && t.bandTolerance[k] >= 3 * 256)
                }
            }
            previous = t
        }
        // Level 1 by hand: 0.9 × 20 dB = 18 dB, 1.15 × 200 ms = 230 ms.
        let one = SignatureCalibrator.tightened(s, level: 1, shortestExampleMs: nil)
        #expect(one.bandTolerance[0] == Int16((Double(20 * 256) * 0.9).rounded()))
        #expect(one.minDurationMs == 230)
        #expect(SignatureCalibrator.tightened(s, level: 0, shortestExampleMs: nil) == s)
    }

    @Test("a quieter chime in the background is silenced; the examples still fire")
    func silencesBackground() throws {
        let (learner, examples) = Self.learner(seeds: [3, 4])
        let learned = learner.signature(name: "chime")
        // The street: the same chime 14 dB quieter, twice, plus two quiet scenes.
        let background = [Self.scene(11, chimeDBFS: -34), Self.scene(12, chimeDBFS: -34),
                          chainFrames(Signals.scene(seconds: 3, seed: 13, event: [])),
                          chainFrames(Signals.scene(seconds: 3, seed: 14, event: []))]
        let calibrator = SignatureCalibrator(config: AnalysisConfig())
        let asLearned = background.map { calibrator.firings(of: learned, in: $0) }
        #expect(asLearned[0] >= 1 && asLearned[1] >= 1, "the learned entry must hear the quiet chime: \(asLearned)")
        #expect(asLearned[2] == 0 && asLearned[3] == 0)

        let outcome = calibrator.calibrate(learned, examples: examples, background: background,
                                           shortestExampleMs: learner.examples.map(\.durationMs).min())
        #expect(outcome.learned.backgroundFirings == asLearned.reduce(0, +))
        #expect(outcome.learned.examplesDetected == 2)
        #expect(outcome.quiet)
        #expect(outcome.chosen.level >= 1)
        #expect(outcome.chosen.backgroundFirings == 0)
        #expect(outcome.chosen.examplesDetected == 2)
        #expect(outcome.signature.minSNR > learned.minSNR)
        #expect(abs(outcome.backgroundSeconds - 12) < 0.05)
        // Measured again from scratch, the written entry behaves as reported.
        #expect(background.allSatisfy { calibrator.firings(of: outcome.signature, in: $0) == 0 })
        #expect(examples.allSatisfy { calibrator.firings(of: outcome.signature, in: $0) >= 1 })
    }

    @Test("a background that holds the class itself cannot be silenced without losing the examples")
    func cannotSilence() throws {
        let (learner, examples) = Self.learner(seeds: [5, 6])
        let learned = learner.signature(name: "chime")
        let background = [Self.scene(21, chimeDBFS: -20)]   // the very sound, as loud as the examples
        let outcome = SignatureCalibrator(config: AnalysisConfig())
            .calibrate(learned, examples: examples, background: background)
        #expect(!outcome.quiet)
        #expect(outcome.chosen.backgroundFirings >= 1)
        #expect(outcome.chosen.examplesDetected * 4 >= outcome.learned.examplesDetected * 3)
    }

    @Test("an allowance of firings is honoured")
    func allowance() throws {
        var learner = SignatureLearner(config: AnalysisConfig())
        let example = Self.scene(7, chimeDBFS: -20)
        let added = learner.add(frames: example)
        #expect(added != nil)
        let learned = learner.signature(name: "chime")
        let background = [Self.scene(31, chimeDBFS: -34)]
        let calibrator = SignatureCalibrator(config: AnalysisConfig())
        let fired = calibrator.firings(of: learned, in: background[0])
        #expect(fired >= 1)
        let outcome = calibrator.calibrate(learned, examples: [example], background: background, allowedFirings: fired)
        #expect(outcome.quiet && outcome.chosen.level == 0 && outcome.signature == learned)
    }

    @Test("CLI: earshot learn --background reports the firings and writes the stricter entry")
    func cli() throws {
        guard let bin = earshotBinary() else {
            Issue.record("earshot binary not found next to the test bundle; build the earshot product")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("earshot-calib-\(UInt32.random(in: 0...UInt32.max))")
        let street = dir.appendingPathComponent("street")
        try FileManager.default.createDirectory(at: street, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func chime(_ dBFS: Double) -> [Double] {
            let a = Signals.tone({ _ in 700 }, seconds: 0.8), b = Signals.tone({ _ in 1_200 }, seconds: 0.8)
            return Signals.level(Signals.envelope(zip(a, b).map { $0 + 0.8 * $1 }), dBFS)
        }
        var examples: [String] = []
        for seed: UInt64 in [7, 8] {
            let url = dir.appendingPathComponent("chime\(seed).wav")
            try writeWAV16(Signals.scene(seconds: 3, seed: seed, event: chime(-20)), rate: 16_000, to: url)
            examples.append(url.path)
        }
        try writeWAV16(Signals.scene(seconds: 3, seed: 41, event: chime(-34)), rate: 16_000,
                       to: street.appendingPathComponent("a.wav"))
        try writeWAV16(Signals.scene(seconds: 3, seed: 42, event: chime(-34)), rate: 16_000,
                       to: street.appendingPathComponent("b.wav"))
        let plain = dir.appendingPathComponent("plain.json").path
        let strict = dir.appendingPathComponent("strict.json").path
        let (c1, _, e1) = try run(bin, ["learn", "--class", "chime", "--output", plain] + examples)
        #expect(c1 == 0, "\(e1)")
        let (c2, _, e2) = try run(bin, ["learn", "--class", "chime", "--output", strict, "--background", street.path] + examples)
        #expect(c2 == 0, "\(e2)")
        #expect(e2.contains("learn: chime: 6.0 s of background: "), "\(e2)")
        #expect(e2.contains("examples detected 2/2 → 2/2"), "\(e2)")
        #expect(!e2.contains("could not get within"), "\(e2)")
        #expect(e2.contains("learn: chime: the entry fires on 2 of its 2 example(s)"), "\(e2)")
        // An example that starts with the sound (no street before it) is named as one the entry misses.
        let abrupt = dir.appendingPathComponent("abrupt.wav")
        try writeWAV16(Array(Signals.scene(seconds: 3, seed: 9, event: chime(-20)).dropFirst(16_000)), rate: 16_000, to: abrupt)
        let (c5, _, e5) = try run(bin, ["learn", "--class", "chime", "--output", plain, examples[0], abrupt.path])
        #expect(c5 == 0, "\(e5)")
        #expect(e5.contains("learn: chime: the entry fires on 1 of its 2 example(s)"), "\(e5)")
        #expect(e5.contains("silent on \(abrupt.path)."), "\(e5)")
        let name = SignatureName(string: "chime")
        let p = try SignatureFile.load(path: plain), q = try SignatureFile.load(path: strict)
        let before = p[try #require(p.index(named: name))], after = q[try #require(q.index(named: name))]
        #expect(after.minSNR > before.minSNR)
        // Bad inputs: a missing background path (exit 1, named), an absurd allowance (usage, 64).
        let (c3, _, e3) = try run(bin, ["learn", "--class", "chime", "--output", strict,
                                        "--background", dir.appendingPathComponent("nowhere").path] + examples)
        #expect(c3 == 1 && e3.contains("nowhere: cannot open"), "\(e3)")
        let (c4, _, e4) = try run(bin, ["learn", "--class", "chime", "--background-allow", "-1",
                                        "--background", street.path] + examples)
        #expect(c4 == 64 && e4.contains("--background-allow"), "\(e4)")
    }
}
