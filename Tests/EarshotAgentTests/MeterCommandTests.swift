import Foundation
import Testing

/// `earshot meter --json` on a synthesised tone replayed through libasound's file plugin.
@Suite("earshot meter")
struct MeterCommandTests {
    @Test("−20 dBFS 1 kHz tone: LAeq, LAmax, 1 kHz band and ~10 updates/s of audio")
    func tone() throws {
        let dir = try CLI.scratch("meter")
        defer { try? FileManager.default.removeItem(at: dir) }
        let rate = 16_000
        let samples = CLI.tone(dbfs: -20, hz: 1_000, seconds: 3, rate: rate)
        let (board, env) = try CLI.replay(samples, rate: rate, in: dir)
        let r = try CLI.run(["meter", "--board", board, "--duration", "2", "--json"], env: env)
        #expect(r.status == 0, "\(r.err)")
        let objects = r.out.split(separator: "\n").compactMap(CLI.object)
        let updates = objects.filter { $0["final"] == nil }
        #expect(updates.count == 20)  // 2 s of audio, one update per 100 ms
        let final = try #require(objects.last)
        #expect(final["final"] as? Bool == true)
        // Reference: the rounded input's own mean-square level; A-weighting at 1 kHz is 0 dB by definition.
        let reference = CLI.dbfs(samples[0..<(2 * rate)])
        let aAt1k = aWeightingDB(1_000)
        let laeq = try #require(final["laeq_dbfs"] as? Double)
        #expect(abs(laeq - (reference + aAt1k)) < 0.1, "LAeq \(laeq) vs \(reference)")
        let lamax = try #require(final["lamax_dbfs"] as? Double)
        #expect(abs(lamax - reference) < 0.1)
        let bands = try #require(final["bands_leq_dbfs"] as? [Double])
        #expect(bands.count == 8)
        #expect(abs(bands[4] - reference) < 0.3, "1 kHz band \(bands[4])")
        // An octave filter one octave off-centre attenuates a pure tone by ≥ 15 dB; two octaves off by ≥ 40 dB.
        #expect(bands[3] < reference - 15 && bands[5] < reference - 15)
        #expect(bands[2] < reference - 40 && bands[6] < reference - 40)
        #expect(final["clipped_samples"] as? Int == 0)
        #expect(final["laeq_db_spl"] is NSNull)
        let mid = try #require(updates.dropFirst(5).first)
        #expect(abs((mid["la_dbfs"] as? Double ?? 0) - reference) < 0.1)
        #expect(mid["clipping"] as? Bool == false)
    }

    @Test("full-scale square wave: clipping reported; calibrated board adds dB SPL")
    func clipping() throws {
        let dir = try CLI.scratch("meter-clip")
        defer { try? FileManager.default.removeItem(at: dir) }
        let samples: [Int16] = (0..<16_000).map { ($0 / 8) % 2 == 0 ? 32_767 : -32_768 }
        let (board, env) = try CLI.replay(samples, rate: 16_000, in: dir, boardExtra: "calibration_offset_db = 120.0")
        let r = try CLI.run(["meter", "--board", board, "--duration", "0.5", "--json"], env: env)
        #expect(r.status == 0, "\(r.err)")
        let objects = r.out.split(separator: "\n").compactMap(CLI.object)
        #expect(objects.first?["clipping"] as? Bool == true)
        let final = try #require(objects.last)
        #expect((final["clipped_samples"] as? Int ?? 0) > 1_000)
        let laeq = try #require(final["laeq_dbfs"] as? Double), spl = try #require(final["laeq_db_spl"] as? Double)
        #expect(abs(spl - laeq - 120) < 0.02)
        let text = try CLI.run(["meter", "--board", board, "--duration", "0.3"], env: env)
        #expect(text.out.contains("CLIPPING:"))
        #expect(text.out.contains("WARNING:"))
    }

    @Test("unknown device: exit 3 with the device named; bad board: exit 2")
    func errors() throws {
        let dir = try CLI.scratch("meter-err")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (board, env) = try CLI.replay([0], rate: 16_000, in: dir)
        let r = try CLI.run(["meter", "--board", board, "--device", "earshot_no_such_pcm", "--duration", "1"], env: env)
        #expect(r.status == 3)
        #expect(r.out.contains("earshot_no_such_pcm"))
        let bad = try CLI.run(["meter", "--board", dir.appendingPathComponent("missing.toml").path, "--duration", "1"])
        #expect(bad.status == 2)
        #expect(bad.out.contains("missing.toml"))
    }

    /// IEC 61672 A-weighting in dB at `f` Hz (A(1 kHz) ≈ 0).
    func aWeightingDB(_ f: Double) -> Double {
        let f2 = f * f
        let ra = pow(12_194.0, 2) * f2 * f2 / ((f2 + pow(20.6, 2)) * sqrt((f2 + pow(107.7, 2)) * (f2 + pow(737.9, 2))) * (f2 + pow(12_194.0, 2)))
        return 20 * log10(ra) + 2.00
    }
}
