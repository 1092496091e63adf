// Issue 17: `earshot learn --class NAME` takes folders as `analyze` does: their *.wav
// files, walked recursively in sorted order, by the same walker and rules.
import Foundation
import Testing

@Suite("learn --class NAME DIR: folders give their *.wav files, as for analyze")
struct LearnFoldersTests {
    /// One example: 1.5 s of a quiet 300 Hz street, a 0.8 s 1 kHz tone at -20 dBFS, 1 s of street.
    static func example(_ url: URL) throws {
        let street = CLI.tone(dbfs: -60, hz: 300, seconds: 1.5, rate: 16_000)
        let tone = CLI.tone(dbfs: -20, hz: 1_000, seconds: 0.8, rate: 16_000)
        try CLI.writeWAV(street + tone + street.prefix(16_000), rate: 16_000, to: url)
    }

    @Test("a folder of examples (one in a sub-folder, a text file, a dangling link) learns from its 3 WAV files")
    func learnFromFolder() throws {
        let dir = try CLI.scratch("learn-folder")
        defer { try? FileManager.default.removeItem(at: dir) }
        let examples = dir.appendingPathComponent("examples")
        try FileManager.default.createDirectory(at: examples.appendingPathComponent("more"), withIntermediateDirectories: true)
        for name in ["b.wav", "a.wav", "more/c.wav"] { try Self.example(examples.appendingPathComponent(name)) }
        try Data("not audio".utf8).write(to: examples.appendingPathComponent("notes.txt"))
        try FileManager.default.createSymbolicLink(atPath: examples.appendingPathComponent("gone.wav").path,
                                                   withDestinationPath: "nowhere.wav")
        let out = dir.appendingPathComponent("learned.json").path
        let r = try CLI.run(["learn", "--class", "test_chime", "--output", out, examples.path])
        #expect(r.status == 0, "\(r.err)")
        let lines = r.err.split(separator: "\n").map(String.init)
        #expect(lines.first == "learn: \(examples.path)/gone.wav: dangling symbolic link (to nowhere.wav); skipped", "\(r.err)")
        let used = lines.compactMap { line in line.range(of: ": event ").map { String(line[..<$0.lowerBound]) } }
        #expect(used == ["a.wav", "b.wav", "more/c.wav"].map { "\(examples.path)/\($0)" }, "\(r.err)")
        #expect(r.err.contains("\(out): added entry \"test_chime\" from 3 example(s)"), "\(r.err)")
        let check = try CLI.run(["table", "check", out])
        #expect(check.status == 0, "\(check.out)\(check.err)")
    }
}
