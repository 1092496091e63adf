import EarshotTestSupport
import Foundation
import Testing

/// Issue 17: one sector numbering everywhere. Sectors are 0-based, as in the event payload,
/// status and log; `gpio list` and the demo say the same number, with the camera preset
/// (sector + 1) beside it.
@Suite("sector numbering: 0-based in gpio list, demo, payload schema")
struct SectorNumberingTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("gpio list: the first line is sector 0 (preset 1)")
    func gpioList() throws {
        let r = try CLI.run(["gpio", "list", "--fake", "--board", Self.repo.appendingPathComponent("Boards/rpi4-respeaker-4mic.toml").path])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("  sector 0 (preset 1): line "), "\(r.out)")
        #expect(!r.out.contains("  sector 4 "), "\(r.out)")
    }

    @Test("demo: the pulse line and the fake chip name the same 0-based sector as the payload")
    func demo() throws {
        let r = try CLI.run(["demo"], timeout: 120)
        let pulse = try #require(r.out.split(separator: "\n").first { $0.contains(": pulse line ") }, "\(r.out)")
        let sector = try #require(pulse.range(of: "sector ").map { pulse[$0.upperBound...].prefix { $0.isNumber } }.flatMap { Int($0) })
        #expect(pulse.contains("sector \(sector) (preset \(sector + 1)): pulse line"), "\(pulse)")
        #expect(r.out.contains("(sector \(sector)) → active (high)"), "\(r.out)")
        let schema = try String(contentsOf: Self.repo.appendingPathComponent("Schemas/event.schema.json"), encoding: .utf8)
        #expect(schema.contains("0-based PTZ sector"))
    }
}
