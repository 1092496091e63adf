@testable import EarshotOffline
import EarshotAudio
import EarshotDSP
import Foundation
import Testing
@testable import EarshotAgent

@Suite("Offline front end: WAV → hops → AnalysisChain")
struct OfflineFramesTests {
    @Test("hop = rate/100, last partial hop zero-padded, frames in order", arguments: [8_000, 16_000, 44_100, 48_000])
    func hopsPerRate(rate: Int) throws {
        let dir = try offlineTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let count = rate / 2 + 37  // 0.5 s and a partial hop
        let url = try writePCM16([sine(hz: 1_000, dBFS: -20, rate: rate, count: count)], rate: rate,
                                 to: dir.appendingPathComponent("s.wav"))
        let source = try OfflineFrameSource(path: url.path)
        let hop = rate / 100
        #expect(source.hopSamples == hop)
        #expect(source.config.sampleRate == Int32(rate))
        var firsts: [Int64] = []
        var levels: [Double] = []
        try source.forEachFrame { f in
            firsts.append(f.firstSample)
            levels.append(Double(f.levelZ) / 256)
        }
        let expectedHops = (count + hop - 1) / hop
        #expect(source.hopCount == Int64(expectedHops))
        #expect(firsts == (0..<expectedHops).map { Int64($0 * hop) })
        // Full hops of a −20 dBFS sine read −20 dBFS (allow the chain's start-up and DC blocker: skip 10 hops).
        let steady = levels[10..<(levels.count - 1)]
        #expect(steady.allSatisfy { abs($0 + 20) < 0.5 }, "\(steady.min()!) … \(steady.max()!)")
    }

    @Test("channel selection reaches the chain: silent channel, mean of opposite signals")
    func channelSelection() throws {
        let dir = try offlineTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = sine(hz: 500, dBFS: -10, rate: 16_000, count: 16_000)
        let url = try writePCM16([s, [Double](repeating: 0, count: s.count), s.map { -$0 }], rate: 16_000,
                                 to: dir.appendingPathComponent("c.wav"))
        func maxLevel(_ sel: WAVChannelSelection) throws -> Double {
            var m = -200.0
            try OfflineFrameSource(path: url.path, options: OfflineFrameOptions(selection: sel)).forEachFrame { f in
                m = max(m, Double(f.levelZ) / 256)
            }
            return m
        }
        #expect(abs(try maxLevel(.channel(0)) + 10) < 0.5)
        #expect(try maxLevel(.channel(1)) <= -100)
        #expect(abs(try maxLevel(.channel(2)) + 10) < 0.5)
        #expect(try maxLevel(.mean) <= -90)  // (s + 0 − s)/3 = 0 up to rounding
    }

    @Test("a pristine designed chain reused across files gives the same frames as a fresh design")
    func reusedDesign() throws {
        let dir = try offlineTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var noise = [Double](repeating: 0, count: 8_000)
        var seed: UInt64 = 3
        for i in noise.indices {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1
            noise[i] = (Double(seed >> 11) / Double(1 << 53) - 0.5) * 0.5
        }
        let a = try writePCM16([noise], rate: 16_000, to: dir.appendingPathComponent("a.wav")).path
        let b = try writePCM16([sine(hz: 3_000, dBFS: -6, rate: 16_000, count: 8_000)], rate: 16_000,
                               to: dir.appendingPathComponent("b.wav")).path
        func frames(_ path: String, _ designed: AnalysisChain?) throws -> [FeatureFrame] {
            var out: [FeatureFrame] = []
            try OfflineFrameSource(path: path).forEachFrame(designed: designed) { out.append(copy $0) }
            return out
        }
        let pristine = AnalysisChain(config: AnalysisConfig(sampleRate: 16_000))
        let freshB = try frames(b, nil)
        _ = try frames(a, pristine)
        #expect(try frames(b, pristine) == freshB)
        #expect(freshB.count == 50)
    }

    @Test("a bad file fails at open with the reader's one-line error")
    func badFile() throws {
        let dir = try offlineTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("bad.wav")
        try Data("not a wav at all".utf8).write(to: url)
        #expect(throws: WAVError.self) { _ = try OfflineAnalyzer().analyze(path: url.path) { _ in } }
    }
}

@Suite("Offline inputs: files and directory walks")
struct OfflineInputsTests {
    @Test func walkSortedRecursiveWavOnly() throws {
        let dir = try offlineTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("b"), withIntermediateDirectories: true)
        for name in ["z.wav", "a.WAV", "b/m.wav", "notes.txt", ".hidden.wav", "b/k.wav"] {
            try Data().write(to: dir.appendingPathComponent(name))
        }
        let got = expandOfflineInputs([dir.path, dir.appendingPathComponent("notes.txt").path, dir.appendingPathComponent("missing.wav").path])
        let base = dir.path + "/"
        #expect(got.count == 6)
        #expect(Array(got.prefix(4)) == [.file(base + "a.WAV"), .file(base + "b/k.wav"), .file(base + "b/m.wav"), .file(base + "z.wav")])
        #expect(got[4] == .file(base + "notes.txt"))
        #expect(got[5] == .unusable(base + "missing.wav: cannot open: No such file or directory"))
    }
}
