// Issue 4/5: `make bench-agent`'s horn (500 ms of 420/840/1260 Hz with 30 ms fades) was
// reported as a gunshot at its end: the impulsive entry tracked it from its fade-in and
// accepted a level that held for 500 ms and then fell. `max_hold_ms` (the time within
// 3 dB of the peak) now rejects it; shots, whose level falls within tens of ms, pass.
import EarshotDetection
import EarshotSignatures
import EarshotTestSupport
import Foundation
import Testing

enum HornScene {
    static let rate = 16_000.0
    /// Uniform noise of amplitude `amplitude` (0.006 ≈ −50 dBFS, the benchmark's light noise).
    static func background(_ seconds: Double, seed: UInt64, amplitude: Double = 0.006) -> [Double] {
        var n = Noise(seed: seed)
        return (0..<Int(seconds * rate)).map { _ in n.next() * amplitude }
    }
    /// The benchmark's horn: 500 ms, 420/840/1260 Hz at 0.18/0.09/0.045, 30 ms linear fades.
    static func horn() -> [Double] {
        (0..<8_000).map { k in
            let t = Double(k) / rate
            let ramp = min(1, Double(k) / 480, Double(8_000 - k) / 480)
            return ramp * (0.18 * sin(2 * .pi * 420 * t) + 0.09 * sin(2 * .pi * 840 * t) + 0.045 * sin(2 * .pi * 1_260 * t))
        }
    }
    /// The benchmark's shot: white noise, amplitude 0.8·e^(−t/25 ms), 250 ms.
    static func benchShot(seed: UInt64) -> [Double] {
        var n = Noise(seed: seed)
        return (0..<4_000).map { k in n.next() * 0.8 * exp(-Double(k) / 400) }
    }
    /// A close, dry shot (the HIL stimulus's recipe): τ 12 ms burst plus a τ 80 ms tail, 120 Hz–2.5 kHz.
    static func dryShot(seed: UInt64) -> [Double] {
        var n = Noise(seed: seed)
        let burst = (0..<6_400).map { i -> Double in
            let t = Double(i) / rate
            return n.next() * exp(-t / 0.012) + 0.3 * n.next() * exp(-t / 0.08) * (t > 0.002 ? 1 : 0)
        }
        let band = TestBiquad.filter(TestBiquad.filter(burst, .lowpass, hz: 2_500), .highpass, hz: 120)
        let peak = band.map(abs).max() ?? 1
        return band.map { $0 * 0.5 / peak }
    }
    /// A shot as the default entry (searched on recorded shots) wants it: a broadband burst
    /// (noise low-passed at 1.5 kHz) over a low-frequency boom (90 Hz, twice the burst's
    /// peak), both decaying (τ 100 ms and 60 ms), total peak 0.5. The entry also wants
    /// ≥ 15 dB/ms and band SNR ≥ 40 dB: use a quiet background.
    static func bodyShot(seed: UInt64) -> [Double] {
        var n = Noise(seed: seed)
        let burst = TestBiquad.filter((0..<9_600).map { i in n.next() * exp(-Double(i) / rate / 0.1) }, .lowpass, hz: 1_500)
        let burstPeak = burst.map(abs).max() ?? 1
        let shot = burst.enumerated().map { i, v in
            let t = Double(i) / rate
            return v / burstPeak + 2 * exp(-t / 0.06) * sin(2 * .pi * 90 * t)
        }
        let peak = shot.map(abs).max() ?? 1
        return shot.map { $0 * 0.5 / peak }
    }
    /// `sound` placed at each of `onsets` (s) over the background.
    static func scene(_ sound: [Double], at onsets: [Double], seconds: Double = 8, seed: UInt64 = 3,
                      backgroundAmplitude: Double = 0.006) -> [Double] {
        var x = background(seconds, seed: seed, amplitude: backgroundAmplitude)
        for o in onsets {
            let start = Int(o * rate)
            for (i, v) in sound.enumerated() where start + i < x.count { x[start + i] += v }
        }
        return x
    }
    /// Onsets (s) of the events of class `name`.
    static func onsets(_ events: [Event], _ name: String, table: SignatureTable) -> [Double] {
        events.filter { $0.phase != .end && table.className(of: $0) == name }.map { Double($0.onsetSample) / rate }
    }
}

@Suite("A horn is not a gunshot (real chain)")
struct HornIsNotGunshotTests {
    static let hornOnsets = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5]

    @Test("benchmark horn ×7 through the relaxed synthetic-sound table: 7 car_horn, 0 gunshot")
    func relaxedHorn() {
        let table = SignatureTable.relaxedForSyntheticSounds()
        let events = detect(HornScene.scene(HornScene.horn(), at: Self.hornOnsets), table: table)
        #expect(HornScene.onsets(events, "gunshot", table: table).isEmpty)
        let horns = HornScene.onsets(events, "car_horn", table: table)
        #expect(horns.count == 7)
        for (h, o) in zip(horns, Self.hornOnsets) { #expect(abs(h - o) < 0.05, "horn onset \(h) s, placed at \(o) s") }
    }

    @Test("benchmark horn ×7 through the default table: 0 gunshot")
    func defaultHorn() {
        let table = DefaultSignatures.table
        let events = detect(HornScene.scene(HornScene.horn(), at: Self.hornOnsets), table: table)
        #expect(HornScene.onsets(events, "gunshot", table: table).isEmpty)
    }

    @Test("shots still fire gunshot: bench and dry shots (relaxed table), a shot with a body (default table)",
          arguments: [1, 2, 3] as [UInt64])
    func shots(seed: UInt64) {
        let onsets = [1.0, 3.0, 5.0]
        let relaxed = SignatureTable.relaxedForSyntheticSounds()
        for shot in [HornScene.benchShot(seed: seed), HornScene.dryShot(seed: seed)] {
            let found = HornScene.onsets(detect(HornScene.scene(shot, at: onsets, seed: seed), table: relaxed), "gunshot", table: relaxed)
            #expect(found.count == 3, "relaxed table, seed \(seed): gunshots at \(found)")
            for (f, o) in zip(found, onsets) { #expect(abs(f - o) < 0.02) }
        }
        let table = DefaultSignatures.table
        let events = detect(HornScene.scene(HornScene.bodyShot(seed: seed), at: onsets, seed: seed, backgroundAmplitude: 0.001), table: table)
        let found = HornScene.onsets(events, "gunshot", table: table)
        #expect(found.count == 3, "default table, seed \(seed): gunshots at \(found); all: \(classNames(events))")
        for (f, o) in zip(found, onsets) { #expect(abs(f - o) < 0.02) }
    }

    @Test("max_hold_ms: read, written, validated; absent = 0 (old tables load unchanged)")
    func field() throws {
        let json = DefaultSignatures.json
        #expect(json.contains("\"max_hold_ms\": 400"))
        let old = json.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("max_hold_ms") }.joined(separator: "\n")
        #expect(!old.contains("max_hold_ms"))
        let table = try SignatureFile.parse(old, fileName: "old.json")
        #expect(table[0].maxHoldMs == 0 && DefaultSignatures.table[0].maxHoldMs == 400)
        #expect(table[2].maxHoldMs == 0 && DefaultSignatures.table[2].maxHoldMs == 100)   // glass_break
        let bad = json.replacingOccurrences(of: "\"max_hold_ms\": 400", with: "\"max_hold_ms\": -5")
        #expect {
            _ = try SignatureFile.parse(bad, fileName: "bad.json")
        } throws: { e in
            "\(e)".contains("max_hold_ms") && "\(e)".contains("gunshot") && "\(e)".contains("bad.json")
        }
    }
}
