import EarshotTestSupport
import Foundation
import Testing

/// Issue 17: with the shipped table (no learned stage), one physical sound gives one event.
/// The table's `loud_impulse` entry reported the demo's shot, window and horn beside their
/// classes (7 events, 7 camera pulses for 4 sounds); it now reports only sounds no class
/// claims, and the classes' own detections are exactly what they were.
@Suite("one sound, one event: loud_impulse steps aside for a class (earshot analyze, shipped table)", .serialized)
struct OneSoundOneEventTests {
    struct Found: Equatable { var cls: String; var onset: Double; var offset: Double }

    static func analyze(_ wav: String, table: String? = nil) throws -> [Found] {
        let r = try CLI.run(["analyze", wav, "--format", "jsonl"] + (table.map { ["--table", $0] } ?? []), timeout: 300)
        #expect(r.status == 0, "\(r.err)")
        return r.out.split(separator: "\n").compactMap { line in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let c = o["class"] as? String, let on = o["onset_s"] as? Double, let off = o["offset_s"] as? Double else { return nil }
            return Found(cls: c, onset: on, offset: off)
        }
    }

    @Test("two demo minutes (8 placed sounds): 8 events with their classes, no loud_impulse; the classes' events are those of a table without loud_impulse")
    func demoMinutes() throws {
        let dir = try CLI.scratch("one-event")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = dir.appendingPathComponent("street.wav").path
        let w = try CLI.run(["demo", "--write-wav", wav, "--minutes", "2"])
        #expect(w.status == 0, "\(w.err)")
        let placed = w.out.split(separator: "\n").map { $0.split(separator: "\t") }.filter { $0.count == 4 }
        #expect(placed.count == 8)

        let found = try Self.analyze(wav)
        #expect(found.map(\.cls) == placed.map { String($0[3]) }, "\(found)")
        #expect(!found.contains { $0.cls == "loud_impulse" }, "\(found)")

        // Class detections are untouched: the same as with the loud_impulse entry removed.
        let shown = try CLI.run(["table", "show"])
        var table = try #require(try JSONSerialization.jsonObject(with: Data(shown.out.utf8)) as? [String: Any])
        let entries = try #require(table["entries"] as? [[String: Any]])
        table["entries"] = entries.filter { $0["name"] as? String != "loud_impulse" }
        let noLoud = dir.appendingPathComponent("no-loud.json")
        try JSONSerialization.data(withJSONObject: table).write(to: noLoud)
        let without = try Self.analyze(wav, table: noLoud.path)
        #expect(found.filter { $0.cls != "loud_impulse" } == without, "\(found) vs \(without)")
    }
}
