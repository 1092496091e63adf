// Issue 17: in a folder run, a dangling symbolic link and a directory named `x.wav`
// each say so in one stderr line instead of passing in silence; the rest is analysed.
import Foundation
import Testing

@Suite("analyze DIR: dangling links and directories named *.wav are named on stderr")
struct AnalyzeFolderNotesTests {
    @Test("dangling link → 'analyze: …: dangling symbolic link (to …); skipped'; directory x.wav → one line; exit 0")
    func danglingLinkAndWavDirectory() throws {
        let dir = try CLI.scratch("analyze-notes")
        defer { try? FileManager.default.removeItem(at: dir) }
        try CLI.writeWAV(CLI.tone(dbfs: -30, hz: 1_000, seconds: 1, rate: 16_000), rate: 16_000,
                         to: dir.appendingPathComponent("good.wav"))
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("gone.wav").path,
                                                   withDestinationPath: "nowhere.wav")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("x.wav"), withIntermediateDirectories: false)
        let r = try CLI.run(["analyze", "--format", "jsonl", dir.path])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.split(separator: "\n").map(String.init) == [
            "analyze: \(dir.path)/gone.wav: dangling symbolic link (to nowhere.wav); skipped",
            "analyze: \(dir.path)/x.wav: a directory, not a WAV file; walked as a folder",
        ], "\(r.err)")
        for line in r.out.split(separator: "\n") {
            #expect(CLI.object(line)?["file"] as? String == "\(dir.path)/good.wav", "\(line)")
        }
    }

    @Test("a directory named x.wav is still walked: a bad file inside it is named after the note, exit 1")
    func wavDirectoryIsWalked() throws {
        let dir = try CLI.scratch("analyze-wavdir")
        defer { try? FileManager.default.removeItem(at: dir) }
        let sub = dir.appendingPathComponent("x.wav")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: false)
        try Data("hello world, not audio".utf8).write(to: sub.appendingPathComponent("inner.wav"))
        let r = try CLI.run(["analyze", "--format", "jsonl", dir.path])
        #expect(r.status == 1, "\(r.err)")
        #expect(r.err.split(separator: "\n").map(String.init) == [
            "analyze: \(dir.path)/x.wav: a directory, not a WAV file; walked as a folder",
            "\(dir.path)/x.wav/inner.wav: not a WAV file (starts with \"hell\", expected \"RIFF\")",
        ], "\(r.err)")
    }
}
