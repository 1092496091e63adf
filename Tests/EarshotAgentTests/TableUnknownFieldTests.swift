// Issue 17: an unknown field in a signature table says which known field it is
// closest to, as the configuration reader does for unknown sections and keys.
import Foundation
import Testing

@Suite("table check: an unknown field says 'did you mean'")
struct TableUnknownFieldTests {
    /// The built-in table (`earshot table show`) with its first `field` renamed to `typo`.
    static func table(renaming field: String, to typo: String, in dir: URL) throws -> String {
        let shown = try CLI.run(["table", "show"])
        try #require(shown.status == 0, "\(shown.err)")
        let range = try #require(shown.out.range(of: "\"\(field)\""), "\(shown.out)")
        let path = dir.appendingPathComponent("signatures.json").path
        try shown.out.replacingCharacters(in: range, with: "\"\(typo)\"").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("\"min_duraton_ms\" → 'unknown field; did you mean \"min_duration_ms\"? Known fields: …', exit 2")
    func entryFieldTypo() throws {
        let dir = try CLI.scratch("table-typo")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try Self.table(renaming: "min_duration_ms", to: "min_duraton_ms", in: dir)
        let r = try CLI.run(["table", "check", path])
        #expect(r.status == 2, "\(r.out)\(r.err)")
        let text = r.out + r.err
        #expect(text.contains("field \"min_duraton_ms\": unknown field; did you mean \"min_duration_ms\"? Known fields: name, kind,"),
                "\(text)")
    }

    @Test("a top-level typo (\"entires\") is named with its suggestion; a name far from every field gets none")
    func topLevelAndFarTypos() throws {
        let dir = try CLI.scratch("table-typo-top")
        defer { try? FileManager.default.removeItem(at: dir) }
        let top = try CLI.run(["table", "check", try Self.table(renaming: "entries", to: "entires", in: dir)])
        #expect(top.status == 2)
        #expect((top.out + top.err).contains("field \"entires\": unknown top-level field; did you mean \"entries\"? Expected \"version\""),
                "\(top.out)\(top.err)")
        let far = try CLI.run(["table", "check", try Self.table(renaming: "min_duration_ms", to: "colour", in: dir)])
        #expect(far.status == 2)
        #expect((far.out + far.err).contains("field \"colour\": unknown field; known fields: name, kind,"), "\(far.out)\(far.err)")
        #expect(!(far.out + far.err).contains("did you mean"), "\(far.out)\(far.err)")
    }
}
