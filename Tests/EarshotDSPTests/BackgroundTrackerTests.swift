// BackgroundTracker on synthetic per-hop band levels: steady level, a 2 s
// horn, a lasting rise, a drop, independent lanes, and the scalar variant.
import Testing
import Foundation
@testable import EarshotDSP

@Suite struct BackgroundTrackerTests {
    static let hop = 0.01

    /// Q8.8 level of `dB` plus Gaussian fluctuation of `sigma` dB.
    static func q(_ dB: Double, _ rng: inout SplitMix64, sigma: Double = 2) -> Int16 {
        Int16((256 * (dB + sigma * rng.gaussian())).rounded())
    }

    /// Runs lane 0 of a tracker over a level profile; returns backgrounds (dB) and SNRs (dB).
    static func run(_ profile: (Double) -> Double, seconds: Double, seed: UInt64 = 1) -> ([Double], [Double]) {
        var t = BackgroundTracker(hopSeconds: hop, riseSeconds: 10)
        var rng = SplitMix64(seed: seed)
        var bg: [Double] = [], snr: [Double] = []
        for h in 0..<Int(seconds / hop) {
            let s = t.update(SIMD8(repeating: q(profile(Double(h) * hop), &rng)))
            bg.append(TonalReference.dB(t.background[0]))
            snr.append(TonalReference.dB(s[0]))
        }
        return (bg, snr)
    }

    @Test("steady −50 dB ± 2 dB RMS: background within 1.5 dB below the level, SNR ≈ 0")
    func steady() {
        let (bg, snr) = Self.run({ _ in -50 }, seconds: 30)
        let late = bg[1_500...]
        print("Background: steady −50 dB ± 2 dB: background \(late.min()!)…\(late.max()!) dB")
        #expect(late.allSatisfy { $0 > -51.5 && $0 <= -50 })
        let meanSNR = snr[1_500...].reduce(0, +) / Double(snr.count - 1_500)
        #expect(meanSNR > 0 && meanSNR < 1.5)
    }

    @Test("a 2 s horn 30 dB above the street lifts the background by less than 1 dB")
    func horn() {
        let (bg, snr) = Self.run({ t in t >= 20 && t < 22 ? -20 : -50 }, seconds: 40)
        let before = bg[1_999]
        let lift = bg[2_000...].max()! - before
        print("Background: 2 s horn +30 dB: background lift \(lift) dB, SNR in the horn \(snr[2_100]) dB")
        #expect(lift < 1)
        #expect(snr[2_100] > 25)
    }

    @Test("a lasting 10 dB rise is followed within the configured 10 s (+1/8 and smoothing)")
    func lastingRise() {
        let (bg, _) = Self.run({ t in t < 20 ? -50 : -40 }, seconds: 40)
        // Hops after the step until the background is within 1 dB of the new level.
        let reach = bg[2_000...].firstIndex { $0 > -41.5 }.map { Double($0 - 2_000) * Self.hop }
        print("Background: +10 dB step followed after \(reach ?? -1) s (riseSeconds 10)")
        #expect(reach != nil)
        if let r = reach { #expect(r >= 9 && r <= 12) }
        #expect(bg[2_000 + 800] < -48)  // 8 s after the step it still ignores it
    }

    @Test("a drop of the street level is followed within 1 s")
    func drop() {
        let (bg, _) = Self.run({ t in t < 15 ? -40 : -55 }, seconds: 20)
        let reach = bg[1_500...].firstIndex { $0 < -54 }.map { Double($0 - 1_500) * Self.hop }
        print("Background: −15 dB drop followed after \(reach ?? -1) s")
        #expect(reach != nil && reach! < 1)
    }

    @Test("lanes are independent; floor lanes stay at the floor with SNR 0; scalar variant equals lane 0")
    func lanes() {
        var t = BackgroundTracker(hopSeconds: Self.hop, riseSeconds: 5)
        var scalar = ScalarBackgroundTracker(hopSeconds: Self.hop, riseSeconds: 5)
        var rng = SplitMix64(seed: 8)
        var lastSNR = SIMD8<Int16>()
        for h in 0..<1_500 {
            var l = SIMD8<Int16>(repeating: FeatureFrame.floor)
            l[0] = Self.q(-40, &rng)
            l[3] = Self.q(h >= 1_000 && h < 1_150 ? -10 : -60, &rng)   // 1.5 s event in lane 3
            lastSNR = t.update(l)
            #expect(scalar.update(l[0]) == lastSNR[0])
            #expect(scalar.background == t.background[0])
            if h == 1_100 { #expect(TonalReference.dB(lastSNR[3]) > 45) }
        }
        #expect(t.background[7] == FeatureFrame.floor && lastSNR[7] == 0)
        #expect(abs(TonalReference.dB(t.background[0]) + 40.5) < 1)
        #expect(abs(TonalReference.dB(t.background[3]) + 60.5) < 1)
    }
}
