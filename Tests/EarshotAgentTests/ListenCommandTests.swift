import EarshotAgent
import Foundation
import Testing

/// `earshot listen --json` on synthesised audio (WAV replay, as fast as the analysis goes).
@Suite("earshot listen")
struct ListenCommandTests {
    @Test("demo street sounds: listen reports the same events as earshot analyze; classes ranked with consistent fields")
    func street() throws {
        let dir = try CLI.scratch("listen")
        defer { try? FileManager.default.removeItem(at: dir) }
        let scape = DemoSoundscape.make(seconds: 11, plan: [
            DemoEventSpec(className: "gunshot", label: "gunshot", onsetSeconds: 2, durationSeconds: 0.4, levelDBFS: -12),
            DemoEventSpec(className: "glass_break", label: "breaking window", onsetSeconds: 5, durationSeconds: 0.8, levelDBFS: -18),
            DemoEventSpec(className: "car_horn", label: "car horn", onsetSeconds: 8, durationSeconds: 0.9, levelDBFS: -18),
        ], seed: 7)
        let wav = dir.appendingPathComponent("street.wav")
        try CLI.writeWAV(scape.samples, rate: scape.rate, to: wav)
        let r = try CLI.run(["listen", "--file", wav.path, "--fast", "--json", "--top", "10", "--board", boardPath()], timeout: 60)
        #expect(r.status == 0, "\(r.err)")
        let updates = r.out.split(separator: "\n").compactMap(CLI.object)
        #expect(updates.count == 110)  // 11 s, one update per 100 ms
        var listened: [String] = []
        for u in updates {
            for e in u["events"] as? [[String: Any]] ?? [] where e["phase"] as? String != "end" {
                listened.append(e["class"] as? String ?? "?")
            }
            let classes = try #require(u["classes"] as? [[String: Any]])
            #expect(classes.count == 10)
            let scores = classes.compactMap { $0["score"] as? Double }
            #expect(scores == scores.sorted(by: >))
            for c in classes {
                let snr = c["snr_db"] as? Double ?? .nan, minSNR = c["min_snr_db"] as? Double ?? .nan
                #expect(abs((c["snr_margin_db"] as? Double ?? .nan) - (snr - minSNR)) < 0.011)
                let gates = c["gates"] as? [String: Bool] ?? [:]
                #expect(gates["snr"] == (snr >= minSNR - 0.005))
                #expect(!(c["why"] as? String ?? "").isEmpty)
            }
        }
        let analyze = try CLI.run(["analyze", wav.path, "--format", "jsonl"], timeout: 60)
        #expect(analyze.status == 0 || analyze.status == 1, "\(analyze.err)")
        let analyzed = analyze.out.split(separator: "\n").compactMap(CLI.object).compactMap { $0["class"] as? String }
        #expect(listened.sorted() == analyzed.sorted(), "listen \(listened) vs analyze \(analyzed)")
        #expect(!listened.isEmpty)
    }

    @Test("silence: nothing fires, every class says why (SNR or level)")
    func silence() throws {
        let dir = try CLI.scratch("listen-quiet")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = dir.appendingPathComponent("quiet.wav")
        try CLI.writeWAV([Int16](repeating: 0, count: 16_000), rate: 16_000, to: wav)
        let r = try CLI.run(["listen", "--file", wav.path, "--fast", "--json", "--board", boardPath()])
        #expect(r.status == 0, "\(r.err)")
        let updates = r.out.split(separator: "\n").compactMap(CLI.object)
        #expect(updates.count == 10)
        for u in updates {
            #expect((u["events"] as? [Any])?.isEmpty == true)
            for c in u["classes"] as? [[String: Any]] ?? [] {
                let why = c["why"] as? String ?? ""
                #expect(why.hasPrefix("not above background") || why.hasPrefix("too quiet") || why.hasPrefix("inactive"), "\(why)")
            }
        }
        let text = try CLI.run(["listen", "--file", wav.path, "--fast", "--board", boardPath()])
        #expect(text.out.contains("0 event(s) over 1.0 s"))
        let missing = try CLI.run(["listen", "--file", dir.appendingPathComponent("none.wav").path, "--board", boardPath()])
        #expect(missing.status == 3)
    }

    func boardPath() -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Boards/generic.toml").path
    }
}
