// Level meter: Leq (energy mean) vs Double, Lmax/Lmin exact, L10/L50/L90 vs
// percentiles computed in the test, split windows.
import Testing
@testable import EarshotDSP

@Suite struct LevelMeterTests {
    /// Random hops: level uniform in −85 … −5 dBFS, energy consistent with it.
    static func hops(_ count: Int, seed: UInt64) -> [(energy: UInt64, samples: Int32, level: Int32)] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let dB = -85 + 80 * Double(rng.below(1_000_000)) / 1_000_000
            let samples: Int32 = 160
            let energy = UInt64((_pow(10, dB / 10) * 536_870_912 * 160).rounded())
            return (energy, samples, Int32((dB * 256).rounded()))
        }
    }

    @Test func statisticsMatchDoubleReferences() {
        let h = Self.hops(3_001, seed: 9)
        var m = LevelMeter()
        for x in h { m.add(energy: x.energy, sampleCount: x.samples, levelQ8_8: x.level) }
        let r = m.report()
        let totalE = h.reduce(0.0) { $0 + Double($1.energy) }
        let totalN = h.reduce(0.0) { $0 + Double(Int($1.samples)) }
        let leq = FilterTestSignal.dB(totalE / totalN / 536_870_912)
        #expect(abs(Decibel.toDouble(r.leq) - leq) < 0.02, "Leq \(Decibel.toDouble(r.leq)) vs \(leq)")
        #expect(r.lmax == h.map(\.level).max()! && r.lmin == h.map(\.level).min()!)
        #expect(r.hops == 3_001)
        // Level exceeded by p % of the hops: the ceil(p·n/100)-th largest.
        let sorted = h.map(\.level).sorted(by: >)
        for (p, value) in [(10, r.l10), (50, r.l50), (90, r.l90)] {
            let ref = sorted[(p * sorted.count + 99) / 100 - 1]
            #expect(abs(value - ref) <= LevelMeter.binWidthQ8_8, "L\(p): \(value) vs \(ref) (Q8.8)")
        }
        #expect(r.l10 >= r.l50 && r.l50 >= r.l90)
    }

    @Test func emptyWindowAndReset() {
        var m = LevelMeter()
        #expect(m.report().leq == Decibel.floorQ8_8 && m.report().hops == 0)
        m.add(energy: 536_870_912 * 160, sampleCount: 160, levelQ8_8: 0)
        #expect(abs(m.report().leq) <= 2)  // a full-scale sine hop reads 0 dBFS
        m.reset()
        #expect(m.report() == LevelMeter().report())
    }

    @Test func levelsBeyondTheHistogramClamp() {
        var m = LevelMeter()
        m.add(energy: 1, sampleCount: 160, levelQ8_8: -150 * 256)
        m.add(energy: UInt64.max / 4, sampleCount: 160, levelQ8_8: 30 * 256)
        let r = m.report()
        #expect(r.lmin == -150 * 256 && r.lmax == 30 * 256)
        #expect(r.l90 == LevelMeter.lowestQ8_8 + LevelMeter.binWidthQ8_8 / 2)
        #expect(r.l10 == LevelMeter.lowestQ8_8 + Int32(LevelMeter.binCount - 1) * LevelMeter.binWidthQ8_8 + LevelMeter.binWidthQ8_8 / 2)
    }

    @Test func splitIntoTwoWindowsCoversTheSameHops() {
        // State carries across add() calls: one meter fed everything equals
        // the same hops fed in random-sized runs.
        let h = Self.hops(500, seed: 10)
        var a = LevelMeter(), b = LevelMeter()
        for x in h { a.add(energy: x.energy, sampleCount: x.samples, levelQ8_8: x.level) }
        var rng = SplitMix64(seed: 11)
        var i = 0
        while i < h.count {
            let n = min(h.count - i, rng.below(40))
            for x in h[i..<i + n] { b.add(energy: x.energy, sampleCount: x.samples, levelQ8_8: x.level) }
            i += n
        }
        #expect(a.report() == b.report())
    }
}
