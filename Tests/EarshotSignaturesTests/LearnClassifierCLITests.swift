// `earshot learn --classifier` end to end: synthesised example recordings with a
// labels.tsv, background recordings, the learned table checked and run by
// `earshot analyze` on recordings it never saw.
import EarshotTestSupport
import Foundation
import Testing

@Suite("earshot learn --classifier")
struct LearnClassifierCLITests {
    static let classes: [(name: String, make: @Sendable (UInt64) -> [Double])] = [
        ("gunshot", { Signals.gunshot(seed: $0) }),
        ("glass_break", { Signals.glass(seed: $0) }),
        ("siren", { Signals.siren(seed: $0) }),
    ]

    /// Seconds into a recording where its event starts: after the first second, where the
    /// background trackers still hold the filters' start-up (a box runs for years; a file
    /// starts cold).
    static let eventAt = 2.0

    /// `seconds` of the suite's street noise with `event` added at `eventAt`.
    static func scene(seconds: Double, seed: UInt64, event: [Double]) -> [Double] {
        var x = Signals.scene(seconds: seconds, seed: seed, event: [])
        let start = Int(eventAt * Signals.rate)
        for i in 0..<event.count where start + i < x.count { x[start + i] += event[i] }
        return x
    }

    @Test("trains from labelled folders, the table checks, and unseen recordings are recognised")
    func trainsAndRecognises() throws {
        let bin = try #require(earshotBinary(), "earshot binary not found next to the test bundle")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("earshot-learn-classifier-\(UUID().uuidString)")
        let examples = dir.appendingPathComponent("examples"), background = dir.appendingPathComponent("background")
        try FileManager.default.createDirectory(at: examples, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: background, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        var labels = "file\tclass\tonset_s\toffset_s\n"
        for (c, cls) in Self.classes.enumerated() {
            for k in 0..<8 {
                let event = cls.make(UInt64(100 * c + k))
                let file = "\(cls.name)-\(k).wav"
                try writeWAV16(Self.scene(seconds: 4, seed: UInt64(1_000 + 100 * c + k), event: event), rate: 16_000,
                               to: examples.appendingPathComponent(file))
                labels += "\(file)\t\(cls.name)\t\(Self.eventAt)\t\(Self.eventAt + Double(event.count) / Signals.rate)\n"
            }
        }
        try labels.write(to: examples.appendingPathComponent("labels.tsv"), atomically: true, encoding: .utf8)
        for k in 0..<4 {
            try writeWAV16(Signals.scene(seconds: 6, seed: UInt64(5_000 + k), event: Signals.traffic(seed: UInt64(k))), rate: 16_000,
                           to: background.appendingPathComponent("street-\(k).wav"))
        }

        let table = dir.appendingPathComponent("learned.json").path
        let (code, _, err) = try run(bin, ["learn", "--classifier", "--examples", examples.path, "--background", background.path,
                                           "--epochs", "200", "--hidden", "16", "--output", table])
        #expect(code == 0, "\(err)")
        #expect(err.contains("of 24 labelled events open a candidate"), "\(err)")
        #expect(err.contains("classifier with 3 classes"), "\(err)")
        let (checkCode, checkOut, checkErr) = try run(bin, ["table", "check", table])
        #expect(checkCode == 0, "\(checkOut)\(checkErr)")

        // Recordings the training never saw: other seeds, each class once.
        let unseen = dir.appendingPathComponent("unseen")
        try FileManager.default.createDirectory(at: unseen, withIntermediateDirectories: true)
        for (c, cls) in Self.classes.enumerated() {
            try writeWAV16(Self.scene(seconds: 4, seed: UInt64(9_000 + c), event: cls.make(UInt64(900 + c))), rate: 16_000,
                           to: unseen.appendingPathComponent("\(cls.name).wav"))
        }
        let (aCode, aOut, aErr) = try run(bin, ["analyze", "--table", table, "--format", "dcase", unseen.path])
        #expect(aCode == 0, "\(aErr)")
        let found = aOut.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }.filter { $0.count == 4 }
        var right = 0
        for cls in Self.classes where found.contains(where: { $0[0].hasSuffix("\(cls.name).wav") && $0[3] == cls.name }) { right += 1 }
        #expect(right >= 2, "recognised \(right) of 3 unseen recordings:\n\(aOut)")
        let wrong = found.filter { row in !Self.classes.contains { row[0].hasSuffix("\($0.name).wav") && row[3] == $0.name } }
        #expect(wrong.count <= 1, "\(wrong)\n\(aOut)")

        // Bad input names the folder: an examples folder without recordings.
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let (eCode, _, eErr) = try run(bin, ["learn", "--classifier", "--examples", empty.path, "--background", background.path])
        #expect(eCode != 0)
        #expect(eErr.contains(empty.path), "\(eErr)")
    }
}
