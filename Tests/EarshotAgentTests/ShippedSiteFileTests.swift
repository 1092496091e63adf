import EarshotTestSupport
import Foundation
import Testing

/// Issue 18, item 7: the shipped site file and `[clips]` tell the truth. `enabled = true`
/// was accepted and `config check` said "clips on" though nothing captures clips, and
/// `Deploy/site.toml` named `signatures.toml` where tables are JSON files.
@Suite("shipped site file: clips refused until they exist, the table it names is the packaged JSON")
struct ShippedSiteFileTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("config check refuses [clips] enabled = true, naming the field (exit 2, no 'clips on')")
    func clipsEnabledRefusedByConfigCheck() throws {
        let dir = try CLI.scratch("clips")
        defer { try? FileManager.default.removeItem(at: dir) }
        let site = dir.appendingPathComponent("site.toml")
        try "[sensor]\nid = \"box-1\"\nsite = \"t\"\nboard = \"generic\"\n[clips]\nenabled = true\n"
            .write(to: site, atomically: true, encoding: .utf8)
        let r = try CLI.run(["config", "check", site.path, "--boards-dir", Self.repo.appendingPathComponent("Boards").path])
        #expect(r.status == 2, "\(r.out)\(r.err)")
        #expect(r.err.contains("\(site.path): clips.enabled = true: clip capture is not implemented in this version"), "\(r.err)")
        #expect(!r.out.contains("clips on"), "\(r.out)")
    }

    @Test("Deploy/site.toml names signatures.json, the file the package installs, and that table loads")
    func siteFileNamesTheJSONTable() throws {
        let site = try String(contentsOf: Self.repo.appendingPathComponent("Deploy/site.toml"), encoding: .utf8)
        let tableLines = site.split(separator: "\n").filter { $0.hasPrefix("# table = ") }
        #expect(tableLines.count == 1, "\(tableLines)")
        let named = try #require(tableLines.first?.split(separator: "\"").dropFirst().first.map(String.init))
        #expect(named == "/etc/earshot/signatures.json")
        #expect(!site.contains("signatures.toml"))
        let deb = try String(contentsOf: Self.repo.appendingPathComponent("Deploy/package/build-deb.sh"), encoding: .utf8)
        #expect(deb.contains("table show > \"$STAGE/usr/share/earshot/signatures.json\""))

        // The shipped site with that line uncommented, pointing at what `table show` prints
        // (what the package installs), passes config check.
        let dir = try CLI.scratch("sitetable")
        defer { try? FileManager.default.removeItem(at: dir) }
        let shown = try CLI.run(["table", "show"])
        #expect(shown.status == 0)
        let table = dir.appendingPathComponent("signatures.json")
        try shown.out.write(to: table, atomically: true, encoding: .utf8)
        let edited = site.replacingOccurrences(of: "# table = \"/etc/earshot/signatures.json\"", with: "table = \"\(table.path)\"  #")
        let copy = dir.appendingPathComponent("site.toml")
        try edited.write(to: copy, atomically: true, encoding: .utf8)
        let r = try CLI.run(["config", "check", copy.path, "--boards-dir", Self.repo.appendingPathComponent("Boards").path])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        let analyze = try CLI.run(["table", "check", table.path])
        #expect(analyze.status == 0, "\(analyze.out)\(analyze.err)")
    }
}
