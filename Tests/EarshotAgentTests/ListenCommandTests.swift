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
                // last_rejection: null, or the table field, value, limit and how long ago (≤ 3 s).
                #expect(c.keys.contains("last_rejection"))
                if let r = c["last_rejection"] as? [String: Any] {
                    #expect(!(r["rule"] as? String ?? "").isEmpty)
                    let ago = r["ago_s"] as? Double ?? -1
                    #expect(ago >= 0 && ago <= 3)
                }
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

    @Test("a horn shorter than min_duration_ms: listen names the rule, the duration and the limit")
    func shortHorn() throws {
        let dir = try CLI.scratch("listen-short")
        defer { try? FileManager.default.removeItem(at: dir) }
        func run(_ seconds: Double) throws -> (events: [String], rejections: [[String: Any]]) {
            let scape = DemoSoundscape.make(seconds: 4, plan: [
                DemoEventSpec(className: "car_horn", label: "car horn", onsetSeconds: 1.5, durationSeconds: seconds, levelDBFS: -18),
            ], seed: 7)
            let wav = dir.appendingPathComponent("horn.wav")
            try CLI.writeWAV(scape.samples, rate: scape.rate, to: wav)
            let r = try CLI.run(["listen", "--file", wav.path, "--fast", "--json", "--top", "10", "--board", boardPath()], timeout: 60)
            #expect(r.status == 0, "\(r.err)")
            var events: [String] = [], rejections: [[String: Any]] = []
            for u in r.out.split(separator: "\n").compactMap(CLI.object) {
                for e in u["events"] as? [[String: Any]] ?? [] { events.append(e["class"] as? String ?? "?") }
                for c in u["classes"] as? [[String: Any]] ?? [] where c["class"] as? String == "car_horn" {
                    if let x = c["last_rejection"] as? [String: Any] { rejections.append(x) }
                }
            }
            return (events, rejections)
        }
        let short = try run(0.2)
        #expect(!short.events.contains("car_horn"), "\(short.events)")
        let r = try #require(short.rejections.first { $0["rule"] as? String == "min_duration_ms" }, "\(short.rejections)")
        let value = r["value"] as? Double ?? -1, limit = r["limit"] as? Double ?? -1
        #expect(limit == 300)
        #expect(value >= 100 && value < 300, "\(value)")
        // The same horn at 0.8 s is reported: the duration rule is what turned the short one down.
        let long = try run(0.8)
        #expect(long.events.contains("car_horn"), "\(long.events)")
    }

    func boardPath() -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Boards/generic.toml").path
    }
}
