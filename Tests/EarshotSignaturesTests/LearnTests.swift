import EarshotDSP
import EarshotDetection
import Foundation
import EarshotTestSupport
import Testing
@testable import EarshotSignatures

@Suite("earshot learn")
struct LearnTests {
    /// Frames of `samples` from the real `AnalysisChain`.
    static func frames(_ samples: [Double]) -> [FeatureFrame] { chainFrames(samples) }

    /// A two-tone 700 + 1 200 Hz chime of 0.8 s: a "new" class.
    static func chime(_ seed: UInt64) -> [Double] {
        let a = Signals.tone({ _ in 700 }, seconds: 0.8), b = Signals.tone({ _ in 1_200 }, seconds: 0.8)
        return Signals.level(Signals.envelope(zip(a, b).map { $0 + 0.8 * $1 }), -20)
    }

    @Test("learns region, template and tonal bins from two examples")
    func learner() throws {
        var learner = SignatureLearner(config: AnalysisConfig())
        for seed: UInt64 in [3, 4] {
            let added = learner.add(frames: Self.frames(Signals.scene(seconds: 3, seed: seed, event: Self.chime(seed))))
            let ex = try #require(added)
            // Event region 1.0…1.8 s, within 30 ms.
            #expect(abs(Double(ex.firstHop) * 0.01 - 1.0) <= 0.03)
            #expect(abs(Double(ex.lastHop + 1) * 0.01 - 1.8) <= 0.03)
            #expect(ex.peakDBFS > ex.backgroundDBFS + 30)
        }
        let s = learner.signature(name: "chime")
        #expect(s.kind == .sustained)
        #expect(s.soundClass.rawValue >= SoundClass.firstCustom || s.soundClass == .loudImpulse)
        let hz = (0..<8).map { Int(s.tonalHz[$0]) }.filter { $0 > 0 }
        #expect(hz.contains(700) && hz.contains(1_200), "\(hz)")
        // The loudest bands are 500 Hz (700 Hz tone) and 1 kHz (1 200 Hz tone): template near 0 there.
        #expect(Double(s.bandTemplate[3]) / 256 > -4 && Double(s.bandTemplate[4]) / 256 > -6)
        #expect(Double(s.bandTemplate[0]) / 256 < -15)
        #expect(s.minDurationMs >= 300 && s.minDurationMs <= 500)
        #expect(s.maxDurationMs >= 1_600)

        // The learned entry, added to the default table, detects a third example.
        var table = DefaultSignatures.table
        let inserted = table.upsert(s)
        #expect(inserted)
        let back = try SignatureFile.parse(SignatureFile.encode(table), fileName: "learned.json")
        let events = detect(Signals.scene(seconds: 4, seed: 9, event: Self.chime(9)), table: back)
        #expect(events.contains { back.className(of: $0) == "chime" && $0.phase == .start },
                "\(events.map { back.className(of: $0) })")
    }

    @Test("refining an entry keeps its kind and cooldown and widens durations")
    func refine() throws {
        var learner = SignatureLearner(config: AnalysisConfig())
        learner.add(frames: Self.frames(Signals.scene(seconds: 3, seed: 5, event: Self.chime(5))))
        let base = DefaultSignatures.table[5]   // car_horn
        let s = learner.signature(name: "car_horn", refining: base)
        #expect(s.kind == base.kind && s.cooldownMs == base.cooldownMs && s.minConfidence == base.minConfidence)
        #expect(s.soundClass == .carHorn)
        #expect(s.minDurationMs <= base.minDurationMs && s.maxDurationMs >= base.maxDurationMs)
        for k in 0..<8 { #expect(s.bandTolerance[k] >= base.bandTolerance[k] || s.bandTolerance[k] == 60 * 256) }
    }

    @Test("no event above the background: the example is refused")
    func silence() {
        var learner = SignatureLearner(config: AnalysisConfig())
        let added = learner.add(frames: Self.frames(Signals.scene(seconds: 2, seed: 6, event: [])))
        #expect(added == nil)
        #expect(learner.examples.isEmpty)
    }

    @Test("CLI: earshot learn writes a table that earshot table check accepts")
    func cli() throws {
        guard let bin = earshotBinary() else {
            Issue.record("earshot binary not found next to the test bundle; build the earshot product")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("earshot-learn-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = []
        for seed: UInt64 in [7, 8] {
            let url = dir.appendingPathComponent("chime\(seed).wav")
            try writeWAV16(Signals.scene(seconds: 3, seed: seed, event: Self.chime(seed)), rate: 16_000, to: url)
            paths.append(url.path)
        }
        let out = dir.appendingPathComponent("learned.json").path
        let (code, _, err) = try run(bin, ["learn", "--class", "chime", "--output", out] + paths)
        #expect(code == 0, "\(err)")
        #expect(err.contains("added entry \"chime\" from 2 example(s)"), "\(err)")
        let table = try SignatureFile.load(path: out)
        #expect(table.count == 11)
        #expect(table.index(named: SignatureName(string: "chime")) == 10)
        let (checkCode, checkOut, _) = try run(bin, ["table", "check", out])
        #expect(checkCode == 0)
        #expect(checkOut.hasPrefix("\(out): ok, 11 entries"))
        let (badCode, _, badErr) = try run(bin, ["learn", "--class", "Bad Name", paths[0]])
        #expect(badCode == 64, "\(badErr)")
    }
}

/// Writes mono 16-bit PCM.
func writeWAV16(_ samples: [Double], rate: Int, to url: URL) throws {
    var d = Data()
    func u16(_ v: Int) { d.append(UInt8(v & 0xFF)); d.append(UInt8(v >> 8 & 0xFF)) }
    func u32(_ v: Int) { for k in 0..<4 { d.append(UInt8(v >> (8 * k) & 0xFF)) } }
    d.append(contentsOf: Array("RIFF".utf8)); u32(36 + samples.count * 2)
    d.append(contentsOf: Array("WAVEfmt ".utf8)); u32(16); u16(1); u16(1); u32(rate); u32(rate * 2); u16(2); u16(16)
    d.append(contentsOf: Array("data".utf8)); u32(samples.count * 2)
    for s in samples { u16(Int(Int16(max(-32_768, min(32_767, (s * 32_767).rounded())))) & 0xFFFF) }
    try d.write(to: url)
}

/// The `earshot` executable next to the test bundle.
func earshotBinary() -> URL? { BuiltExecutable.url("earshot") }

func run(_ bin: URL, _ args: [String]) throws -> (Int32, String, String) {
    try BuiltExecutable.run(bin, args)
}
