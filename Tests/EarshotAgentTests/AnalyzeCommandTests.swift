import Foundation
import Testing

@Suite("earshot analyze (runs the built binary)")
struct AnalyzeCommandTests {
    /// A directory with two good files and one corrupt file between them.
    static func mixedDirectory() throws -> URL {
        let dir = try offlineTempDirectory()
        var shots = [Double](repeating: 0, count: 48_000)
        var seed: UInt64 = 7
        for start in stride(from: 8_000, to: 40_000, by: 16_000) {  // decaying noise bursts every 1 s
            for i in 0..<1_600 {
                seed = seed &* 6_364_136_223_846_793_005 &+ 1
                shots[start + i] = 0.9 * exp(-Double(i) / 300) * (Double(seed >> 11) / Double(1 << 53) * 2 - 1)
            }
        }
        try writePCM16([shots], rate: 16_000, to: dir.appendingPathComponent("a_shots.wav"))
        try Data("RIFF\u{10}\u{00}\u{00}\u{00}WAVEfmt ".utf8).write(to: dir.appendingPathComponent("b_corrupt.wav"))
        try writePCM16([sine(hz: 1_000, dBFS: -30, rate: 48_000, count: 48_000), sine(hz: 700, dBFS: -20, rate: 48_000, count: 48_000)],
                       rate: 48_000, to: dir.appendingPathComponent("c_stereo.wav"))
        return dir
    }

    @Test("directory run: corrupt file → one stderr line naming it, others analysed, exit 1")
    func directoryWithCorruptFile() throws {
        let dir = try Self.mixedDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (code, out, err) = try runEarshot(["analyze", "--format", "dcase", dir.path])
        #expect(code == 1)
        let errLines = err.split(separator: "\n")
        #expect(errLines.count == 1)
        #expect(errLines.first?.hasPrefix(dir.path + "/b_corrupt.wav: truncated header") == true, "\(err)")
        for line in out.split(separator: "\n") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            #expect(f.count == 4, "\(line)")
            guard f.count == 4, let on = Double(f[1]), let off = Double(f[2]) else { Issue.record("unparsable: \(line)"); continue }
            #expect(f[0].hasSuffix("a_shots.wav") || f[0].hasSuffix("c_stereo.wav"))
            #expect(0 <= on && on <= off && off <= 3.01)
            #expect(!f[3].isEmpty && !f[3].contains(" "))
        }
    }

    @Test("every bad input gives one line naming the file; good files still analysed")
    func badInputs() throws {
        let dir = try offlineTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = try writePCM16([sine(hz: 440, dBFS: -20, rate: 16_000, count: 16_000)], rate: 16_000,
                                  to: dir.appendingPathComponent("good.wav")).path
        let empty = dir.appendingPathComponent("empty.wav").path
        FileManager.default.createFile(atPath: empty, contents: Data())
        let text = dir.appendingPathComponent("text.wav").path
        FileManager.default.createFile(atPath: text, contents: Data("hello world, not audio".utf8))
        let missing = dir.appendingPathComponent("missing.wav").path
        let (code, _, err) = try runEarshot(["analyze", "--format", "jsonl", empty, good, text, missing])
        #expect(code == 1)
        let lines = err.split(separator: "\n").map(String.init)
        #expect(lines == [
            "\(empty): empty file (0 bytes), not a WAV file",
            "\(text): not a WAV file (starts with \"hell\", expected \"RIFF\")",
            "\(missing): cannot open: No such file or directory",
        ])
        let (okCode, _, okErr) = try runEarshot(["analyze", "--format", "jsonl", good])
        #expect(okCode == 0)
        #expect(okErr.isEmpty)
    }

    @Test("jsonl output: valid JSON objects with the documented keys")
    func jsonl() throws {
        let dir = try Self.mixedDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, out, _) = try runEarshot(["analyze", "--format", "jsonl", "--channel", "mean", dir.path])
        for line in out.split(separator: "\n") {
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(Set(obj.keys) == ["file", "class", "onset_s", "offset_s", "duration_s", "onset_sample", "peak_dbfs", "peak_db_spl", "confidence"])
        }
    }

    @Test("usage errors: bad --channel; a board file that cannot be loaded stops the run with exit 2")
    func usage() throws {
        #expect(try runEarshot(["analyze", "--channel", "left", "x.wav"]).0 == 64)
        let dir = try offlineTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try writePCM16([sine(hz: 440, dBFS: -20, rate: 16_000, count: 1_600)], rate: 16_000,
                                 to: dir.appendingPathComponent("a.wav")).path
        let missing = dir.appendingPathComponent("nope.toml").path
        let (code, out, err) = try runEarshot(["analyze", "--board", missing, wav])
        #expect(code == 2)
        #expect(out.isEmpty)
        #expect(err.hasPrefix(missing), "\(err)")
    }

    @Test("--board: a calibrated board gives peak_db_spl = peak_dbfs + offset; its analysis_channel is the default")
    func board() throws {
        let dir = try offlineTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try Self.mixedDirectory()
        defer { try? FileManager.default.removeItem(at: wav) }
        let boardPath = dir.appendingPathComponent("b.toml").path
        try Data("""
            name = "test-board"
            [audio]
            rate = 16000
            channels = 4
            analysis_channel = 3
            [microphone]
            calibration_offset_db = 100.0
            """.utf8).write(to: URL(fileURLWithPath: boardPath))
        let (code, out, err) = try runEarshot(["analyze", "--format", "jsonl", "--board", boardPath, "--channel", "0",
                                               wav.appendingPathComponent("a_shots.wav").path])
        #expect(code == 0, "\(err)")
        for line in out.split(separator: "\n") {
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let dbfs = try #require(obj["peak_dbfs"] as? Double)
            let spl = try #require(obj["peak_db_spl"] as? Double)
            #expect(abs(spl - (dbfs + 100)) < 0.02)
        }
        // The board's analysis_channel 3 is the default: a stereo file has no channel 3 …
        let stereo = wav.appendingPathComponent("c_stereo.wav").path
        let (badCode, _, badErr) = try runEarshot(["analyze", "--board", boardPath, stereo])
        #expect(badCode == 1)
        #expect(badErr == "\(stereo): channel 3 requested but the file has 2 channels (0…1)\n")
        // … and --channel overrides it.
        #expect(try runEarshot(["analyze", "--board", boardPath, "--channel", "1", stereo]).0 == 0)
    }
}
