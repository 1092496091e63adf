import EarshotTestSupport
import Foundation
import Testing

/// Issue 17: `config check` resolves files given together, `config show` prints a
/// configuration that is valid again (round trip), and both exit 2 (configuration,
/// as the README's exit-code table says) on an invalid file.
@Suite("earshot config: files given together, show round trip, exit 2")
struct ConfigFilesTogetherTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Board files of the repository, sorted.
    func repoBoards() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: Self.repo.appendingPathComponent("Boards").path)
            .filter { $0.hasSuffix(".toml") }.sorted().map { Self.repo.appendingPathComponent("Boards/" + $0).path }
    }

    @Test("config check Boards/*.toml Deploy/site.toml: the site finds generic among the boards given (exit 0)")
    func boardsGivenTogether() throws {
        let dir = try CLI.scratch("together")
        defer { try? FileManager.default.removeItem(at: dir) }
        let site = Self.repo.appendingPathComponent("Deploy/site.toml").path
        let r = try CLI.run(["config", "check"] + repoBoards() + [site], in: dir, env: ["EARSHOT_BOARDS_DIR": dir.path])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("OK: \(site): site demo"), "\(r.out)")
        #expect(r.out.contains("board generic (\(Self.repo.path)/Boards/generic.toml)"), "\(r.out)")
        let alone = try CLI.run(["config", "check", site], in: dir, env: ["EARSHOT_BOARDS_DIR": dir.path])
        #expect(alone.status == 2, "\(alone.out)")
        #expect(alone.err.contains("no board named generic"))
    }

    @Test("config show SITE > x.toml: x.toml checks OK from another folder and shows the same values")
    func showRoundTrip() throws {
        let dir = try CLI.scratch("roundtrip")
        defer { try? FileManager.default.removeItem(at: dir) }
        let site = Self.repo.appendingPathComponent("Deploy/site.toml").path
        let shown = try CLI.run(["config", "show", site, "--boards-dir", Self.repo.appendingPathComponent("Boards").path], in: dir)
        #expect(shown.status == 0, "\(shown.err)")
        let copy = dir.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        let saved = copy.appendingPathComponent("x.toml")
        try shown.out.write(to: saved, atomically: true, encoding: .utf8)
        let check = try CLI.run(["config", "check", saved.path], in: URL(fileURLWithPath: "/"))
        #expect(check.status == 0, "\(check.err)")
        let again = try CLI.run(["config", "show", saved.path], in: URL(fileURLWithPath: "/"))
        #expect(again.status == 0, "\(again.err)")
        // Same document but for the first comment line, which names the file shown.
        #expect(again.out.split(separator: "\n").dropFirst() == shown.out.split(separator: "\n").dropFirst())

        let board = Self.repo.appendingPathComponent("Boards/rpi4-respeaker-4mic.toml").path
        let b = try CLI.run(["config", "show", board], in: dir)
        let savedBoard = copy.appendingPathComponent("b.toml")
        try b.out.write(to: savedBoard, atomically: true, encoding: .utf8)
        let b2 = try CLI.run(["config", "show", savedBoard.path], in: dir)
        #expect(b2.status == 0, "\(b2.err)")
        #expect(b2.out.split(separator: "\n").dropFirst() == b.out.split(separator: "\n").dropFirst())
    }

    @Test("invalid board, site or table file: exit 2 (configuration)")
    func invalidIsExit2() throws {
        let dir = try CLI.scratch("exit2")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("b.toml")
        try "name = \"b\"\n[audio]\nrate = 44100\n".write(to: bad, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["config", "check", bad.path]).status == 2)
        #expect(try CLI.run(["config", "show", bad.path]).status == 2)
        let table = dir.appendingPathComponent("t.json")
        try "{\"version\": 1, \"entries\": [{\"nam\": 1}]}".write(to: table, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["table", "check", table.path]).status == 2)
    }
}
