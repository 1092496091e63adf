import EarshotTestSupport
import Foundation
import Testing

/// Issue 17: the README's exit-code table is true of the binary (2 configuration,
/// 3 audio, 64 usage), and a truncated WAV (a recorder cut by power loss) is analysed up
/// to where it ends with a one-line warning, by `listen`, `analyze` and `run --input`.
@Suite("exit codes as the README's table says; truncated WAV analysed with a warning")
struct ExitCodesTableTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let board = repo.appendingPathComponent("Boards/generic.toml").path

    /// 3 s of tone as a WAV whose data chunk declares the 3 s but whose file holds 1.5 s.
    func truncatedWAV(in dir: URL) throws -> String {
        let url = dir.appendingPathComponent("cut.wav")
        try CLI.writeWAV(CLI.tone(dbfs: -20, hz: 1_000, seconds: 3, rate: 16_000), rate: 16_000, to: url)
        let data = try Data(contentsOf: url)
        try data.prefix(44 + 48_000).write(to: url)
        return url.path
    }

    @Test("listen / analyze / run --input on a truncated WAV: exit 0, the present 1.5 s analysed, one warning line")
    func truncatedIsAnalysed() throws {
        let dir = try CLI.scratch("truncated")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try truncatedWAV(in: dir)
        let warning = "\(wav): warning: truncated recording: the data chunk declares 96000 bytes but the file ends after 48000 (1.5 s missing); analysed up to where it ends (1.5 s)"

        let listen = try CLI.run(["listen", "--file", wav, "--fast", "--board", Self.board, "--json"])
        #expect(listen.status == 0, "\(listen.out)\(listen.err)")
        #expect(listen.err.split(separator: "\n").map(String.init) == [warning], "\(listen.err)")

        let analyze = try CLI.run(["analyze", "--format", "jsonl", wav])
        #expect(analyze.status == 0, "\(analyze.err)")
        #expect(analyze.err.split(separator: "\n").map(String.init) == [warning], "\(analyze.err)")

        let site = dir.appendingPathComponent("site.toml")
        try TestSiteFile(sensor: "box-1", board: Self.board, mode: "events", port: 1, outbox: dir.appendingPathComponent("outbox").path)
            .text.write(to: site, atomically: true, encoding: .utf8)
        let run = try CLI.run(["run", "--config", site.path, "--input", wav, "--exit-at-end"], timeout: 30)
        #expect(run.err.contains("warning: " + warning), "\(run.err)")
        #expect(run.status == 0, "\(run.err)")
        #expect(run.err.contains("end of input: 150 hops analysed"), "\(run.err)")
    }

    @Test("2 configuration, 3 audio, 64 usage: config/table check, listen on a non-WAV, meter on an absent device, bad option")
    func table() throws {
        let dir = try CLI.scratch("exitcodes")
        defer { try? FileManager.default.removeItem(at: dir) }
        let badBoard = dir.appendingPathComponent("b.toml")
        try "name = \"b\"\n[audio]\nrate = 44100\n".write(to: badBoard, atomically: true, encoding: .utf8)
        let badTable = dir.appendingPathComponent("t.json")
        try "{\"version\": 1}".write(to: badTable, atomically: true, encoding: .utf8)
        let notWAV = dir.appendingPathComponent("x.wav")
        try "not audio at all".write(to: notWAV, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["config", "check", badBoard.path]).status == 2)
        #expect(try CLI.run(["table", "check", badTable.path]).status == 2)
        #expect(try CLI.run(["meter", "--board", badBoard.path, "--duration", "1"]).status == 2)
        #expect(try CLI.run(["listen", "--file", notWAV.path, "--fast", "--board", Self.board]).status == 3)
        #expect(try CLI.run(["meter", "--board", Self.board, "--device", "earshot_no_such_pcm", "--duration", "1"]).status == 3)
        #expect(try CLI.run(["meter", "--no-such-option"]).status == 64)
    }
}
