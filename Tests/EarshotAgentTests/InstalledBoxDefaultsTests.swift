import EarshotTestSupport
import Foundation
import Testing

/// Issue 17, "installed-box defaults": the technician's commands run from `/` on a box
/// whose only configuration is the installed site file (here a scratch `etc/earshot`,
/// named by `$EARSHOT_SITE` as the package test names its scratch root): they use the
/// site's board, accept bare board names from the installed boards folder, and
/// `--board` overrides the site's board everywhere.
@Suite("installed box: board from the site file, bare board names, --board overrides")
struct InstalledBoxDefaultsTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A scratch `etc/earshot` with `site.toml` naming board `siteBoard` and, in
    /// `boards/`, an ALSA file-plugin replay board `replay.toml` and the repository's
    /// rpi4-respeaker-4mic (PTZ lines). Returns (site path, environment, dir).
    func installedBox(siteBoard: String, siteExtra: String = "") throws -> (site: String, env: [String: String], dir: URL) {
        let dir = try CLI.scratch("installed")
        let etc = dir.appendingPathComponent("etc/earshot")
        let boards = etc.appendingPathComponent("boards")
        try FileManager.default.createDirectory(at: boards, withIntermediateDirectories: true)
        let (board, env) = try CLI.replay(CLI.tone(dbfs: -30, hz: 1_000, seconds: 3, rate: 16_000), rate: 16_000, in: dir)
        try FileManager.default.moveItem(atPath: board, toPath: boards.appendingPathComponent("replay.toml").path)
        try FileManager.default.copyItem(at: Self.repo.appendingPathComponent("Boards/rpi4-respeaker-4mic.toml"),
                                         to: boards.appendingPathComponent("rpi4-respeaker-4mic.toml"))
        let site = etc.appendingPathComponent("site.toml")
        try """
        [sensor]
        id = "box-1"
        site = "t"
        board = "\(siteBoard)"
        \(siteExtra)
        """.write(to: site, atomically: true, encoding: .utf8)
        var all = env
        all["EARSHOT_SITE"] = site.path
        return (site.path, all, dir)
    }

    @Test("meter from / with no option uses the installed site's board (exit 0, its replay device)")
    func meterUsesSiteBoard() throws {
        let box = try installedBox(siteBoard: "replay")
        defer { try? FileManager.default.removeItem(at: box.dir) }
        let r = try CLI.run(["meter", "--duration", "1", "--json"], in: URL(fileURLWithPath: "/"), env: box.env)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("\"final\":true"), "\(r.out)")
    }

    @Test("listen --board NAME (bare) is looked up in the installed boards folder")
    func bareBoardName() throws {
        let box = try installedBox(siteBoard: "rpi4-respeaker-4mic")
        defer { try? FileManager.default.removeItem(at: box.dir) }
        let r = try CLI.run(["listen", "--board", "replay", "--duration", "1", "--json"], in: URL(fileURLWithPath: "/"), env: box.env)
        #expect(r.status == 0, "\(r.err)")
        let bad = try CLI.run(["meter", "--board", "replya", "--duration", "1"], in: URL(fileURLWithPath: "/"), env: box.env)
        #expect(bad.status == 2)
        // meter reports on standard output, as its other errors (MeterCommandTests.errors).
        #expect((bad.out + bad.err).contains("did you mean \"replay\"?"), "\(bad.out)\(bad.err)")
    }

    @Test("meter --config SITE uses that site's board")
    func explicitSite() throws {
        let box = try installedBox(siteBoard: "replay")
        defer { try? FileManager.default.removeItem(at: box.dir) }
        var env = box.env
        env["EARSHOT_SITE"] = "/nonexistent/site.toml"
        let r = try CLI.run(["meter", "--config", box.site, "--duration", "1", "--json"], in: URL(fileURLWithPath: "/"), env: env)
        #expect(r.status == 0, "\(r.err)")
    }

    @Test("gpio list from / shows the installed site's board lines")
    func gpioUsesSiteBoard() throws {
        let box = try installedBox(siteBoard: "rpi4-respeaker-4mic")
        defer { try? FileManager.default.removeItem(at: box.dir) }
        let r = try CLI.run(["gpio", "list", "--fake"], in: URL(fileURLWithPath: "/"), env: box.env)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("board rpi4-respeaker-4mic: chip"), "\(r.out)")
    }

    @Test("selftest --fake --board FILE without any site file: configuration passes (no exit 2)")
    func selftestBoardWithoutSite() throws {
        let dir = try CLI.scratch("selftest-nosite")
        defer { try? FileManager.default.removeItem(at: dir) }
        let board = Self.repo.appendingPathComponent("Boards/generic.toml").path
        let r = try CLI.run(["selftest", "--fake", "--board", board, "--timeout-ms", "1000"], in: URL(fileURLWithPath: "/"),
                            env: ["EARSHOT_SITE": dir.appendingPathComponent("absent.toml").path], timeout: 60)
        #expect(r.status != 2, "\(r.out)\(r.err)")
        #expect(r.out.contains("PASS  configuration: site defaults"), "\(r.out)")
        #expect(r.out.contains("PASS  detector:"), "\(r.out)")
    }

    @Test("selftest --board FILE overrides a site whose own board does not resolve")
    func selftestBoardOverridesSite() throws {
        let box = try installedBox(siteBoard: "no-such-board")
        defer { try? FileManager.default.removeItem(at: box.dir) }
        let board = Self.repo.appendingPathComponent("Boards/generic.toml").path
        let r = try CLI.run(["selftest", "--fake", "--config", box.site, "--board", board, "--timeout-ms", "1000"],
                            in: URL(fileURLWithPath: "/"), env: box.env, timeout: 60)
        #expect(r.status != 2, "\(r.out)\(r.err)")
        #expect(r.out.contains("PASS  configuration:"), "\(r.out)")
        let run = try CLI.run(["run", "--config", box.site, "--board", "no-such-board-either", "--exit-after", "0.1"],
                              in: URL(fileURLWithPath: "/"), env: box.env)
        #expect(run.status == 2)
        #expect(run.err.contains("no board named no-such-board-either"), "\(run.err)")
    }
}
