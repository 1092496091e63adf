// A-weighting: IEC 61672-1 class 1 tolerances measured on the fixed-point
// filter against the standard's analytic A(f), level accuracy, silence,
// saturation, split-block identity.
import Testing
@testable import EarshotDSP

@Suite struct AWeightingFilterTests {
    /// Analytic A-weighting of IEC 61672-1 (Annex E), normalised to exactly
    /// 0 dB at 1 kHz, in dB. Computed here, independently of the filter design.
    static func analyticADB(_ f: Double) -> Double {
        func ra(_ f: Double) -> Double {
            let f1 = 20.598997, f2 = 107.65265, f3 = 737.86223, f4 = 12194.217
            let f2sq = f * f
            return f4 * f4 * f2sq * f2sq / ((f2sq + f1 * f1) * (f2sq + f4 * f4) * ((f2sq + f2 * f2) * (f2sq + f3 * f3)).squareRoot())
        }
        return 20 * _log10(ra(f) / ra(1_000))
    }

    /// IEC 61672-1 class 1 acceptance limits (dB) on the deviation from the
    /// design goal, at the standard's nominal frequencies (Table 2 of
    /// IEC 61672-1:2002/2013, as reproduced in GOST 17187-2010 Table 2,
    /// https://ajdocs.ru/gsp/30214/14). Lower limit −∞ is written −99.
    static let class1: [(f: Double, up: Double, low: Double)] = [
        (10, 3.5, -99), (12.5, 3.0, -99), (16, 2.5, -4.5), (20, 2.5, -2.5), (25, 2.5, -2.0),
        (31.5, 2.0, -2.0), (40, 1.5, -1.5), (50, 1.5, -1.5), (63, 1.5, -1.5), (80, 1.5, -1.5),
        (100, 1.5, -1.5), (125, 1.5, -1.5), (160, 1.5, -1.5), (200, 1.5, -1.5), (250, 1.4, -1.4),
        (315, 1.4, -1.4), (400, 1.4, -1.4), (500, 1.4, -1.4), (630, 1.4, -1.4), (800, 1.4, -1.4),
        (1_000, 1.1, -1.1), (1_250, 1.4, -1.4), (1_600, 1.6, -1.6), (2_000, 1.6, -1.6), (2_500, 1.6, -1.6),
        (3_150, 1.6, -1.6), (4_000, 1.6, -1.6), (5_000, 2.1, -2.1), (6_300, 2.1, -2.6), (8_000, 2.1, -3.1),
        (10_000, 2.6, -3.6), (12_500, 3.0, -6.0), (16_000, 3.5, -17.0), (20_000, 4.0, -99),
    ]

    /// Gain (dB) of the fixed-point filter for a sine of `f` Hz: 0.2 s to
    /// settle, then whole half-periods (≥ 0.05 s), energy ratio.
    static func measuredGainDB(rate: Int32, frequency f: Double, amplitude: Double = 16_000) -> Double {
        var filter = FilterDesigns.aWeighting(rate)
        let fs = Double(Int(rate))
        let settle = Int(0.2 * fs)
        let halfPeriods = max(1.0, (0.05 * 2 * f).rounded(.up))
        let window = Int((halfPeriods * fs / (2 * f)).rounded())
        let x = FilterTestSignal.sine(frequency: f, sampleRate: fs, amplitude: amplitude, count: settle + window)
        var discard: UInt64 = 0, e: UInt64 = 0
        x.withUnsafeBufferPointer { all in
            filter.process(UnsafeBufferPointer(rebasing: all[0..<settle]), energy: &discard)
            filter.process(UnsafeBufferPointer(rebasing: all[settle...]), energy: &e)
        }
        let input = x[settle...].reduce(0.0) { $0 + Double(Int($1)) * Double(Int($1)) }
        return FilterTestSignal.dB(max(Double(e), 1e-3) / input)
    }

    /// Class 1 at every nominal frequency up to `limit` Hz: 20 kHz at 48 kHz;
    /// at 16 kHz the honest limit is 6.3 kHz (8 kHz is Nyquist itself).
    @Test(arguments: [(Int32(48_000), 20_000.0), (Int32(16_000), 6_300.0)])
    func class1TolerancesOnFixedPointFilter(rate: Int32, limit: Double) {
        var worstDeviation = 0.0, worstMargin = Double.infinity
        for row in Self.class1 where row.f <= limit {
            // Low frequencies are attenuated by up to 70 dB: drive them at full scale.
            let gain = Self.measuredGainDB(rate: rate, frequency: row.f, amplitude: row.f < 100 ? 32_000 : 16_000)
            let deviation = gain - Self.analyticADB(row.f)
            worstDeviation = max(worstDeviation, abs(deviation))
            worstMargin = min(worstMargin, min(row.up - deviation, deviation - row.low))
            #expect(deviation <= row.up && deviation >= row.low,
                    "A-weighting @\(rate) Hz, \(row.f) Hz: \(gain) dB, analytic \(Self.analyticADB(row.f)) dB")
        }
        print("A-weighting @\(rate) Hz up to \(limit) Hz: worst |deviation| \(worstDeviation) dB, worst class 1 margin \(worstMargin) dB")
        // Design accuracy, tighter than class 1 (measured: 0.83 dB at 48 kHz,
        // at 20 kHz; 0.40 dB at 16 kHz, at 6.3 kHz).
        #expect(worstDeviation < (rate == 48_000 ? 0.9 : 0.5))
    }

    @Test(arguments: [Int32(16_000), Int32(48_000)])
    func minus20dBFS1kHzSineReadsMinus20(rate: Int32) {
        let fs = Double(Int(rate))
        var filter = FilterDesigns.aWeighting(rate)
        let n = Int(fs / 2)
        let x = FilterTestSignal.sine(frequency: 1_000, sampleRate: fs, amplitude: 32_768 * 0.1, count: n)
        var discard: UInt64 = 0, e: UInt64 = 0
        x.withUnsafeBufferPointer { all in
            filter.process(UnsafeBufferPointer(rebasing: all[0..<n / 2]), energy: &discard)
            filter.process(UnsafeBufferPointer(rebasing: all[(n / 2)...]), energy: &e)
        }
        let level = Decibel.toDouble(Decibel.powerQ8_8(e) &+ Decibel.dBFSOffsetQ8_8(sampleCount: n - n / 2))
        print("A-weighted -20 dBFS 1 kHz sine @\(rate) Hz: \(level) dBFS")
        #expect(abs(level - -20) <= 0.1)
    }

    /// Low levels: −60 and −80 dBFS 1 kHz sines read within 0.2 / 0.3 dB of
    /// the rounded input's own 1 kHz component (computed here by
    /// correlation). Measured: −60 → +0.08 (16 kHz), +0.01 dB (48 kHz);
    /// −80 → +0.02 (16 kHz), −0.23 dB (48 kHz). The −0.23 dB is the output's
    /// rounding to Q15 before squaring (a deterministic 48-sample-periodic
    /// error on a 3-LSB signal), not section round-off: first-order error
    /// feedback in all three sections gave the same reading to 1e-12 dB.
    @Test(arguments: [Int32(16_000), Int32(48_000)])
    func lowLevel1kHzSinesReadTheirLevel(rate: Int32) {
        let fs = Double(Int(rate))
        var readings: [String] = []
        for amplitude in [32.768, 3.2768] {
            var filter = FilterDesigns.aWeighting(rate)
            let settle = Int(0.2 * fs), window = Int(0.1 * fs)
            let x = FilterTestSignal.sine(frequency: 1_000, sampleRate: fs, amplitude: amplitude, count: settle + window)
            var discard: UInt64 = 0, e: UInt64 = 0
            x.withUnsafeBufferPointer { all in
                filter.process(UnsafeBufferPointer(rebasing: all[0..<settle]), energy: &discard)
                filter.process(UnsafeBufferPointer(rebasing: all[settle...]), energy: &e)
            }
            var sn = 0.0, cs = 0.0
            for n in settle..<x.count {
                let phase = 2 * FilterTestSignal.pi * 1_000 * Double(n) / fs
                sn += Double(Int(x[n])) * _sin(phase); cs += Double(Int(x[n])) * _cos(phase)
            }
            let input = 20 * _log10(2 * (sn * sn + cs * cs).squareRoot() / Double(window) / 32_768)
            let reading = e == 0 ? -Double.infinity : FilterTestSignal.dB(Double(e) / Double(window) / 536_870_912)
            readings.append("input \(input) reads \(reading)")
            #expect(abs(reading - input) < (amplitude > 10 ? 0.2 : 0.3), "A-weighting @\(rate) Hz: 1 kHz component \(input) dBFS reads \(reading) dBFS")
        }
        print("A-weighting @\(rate) Hz low-level 1 kHz sines (dBFS): \(readings)")
    }

    @Test(arguments: [Int32(16_000), Int32(48_000)])
    func silenceAfterLoudSignalIsExactlyZero(rate: Int32) {
        var filter = FilterDesigns.aWeighting(rate)
        let loud = FilterTestSignal.noise(count: Int(rate) / 2, seed: 3)
        var e: UInt64 = 0
        loud.withUnsafeBufferPointer { filter.process($0, energy: &e) }
        let silence = [Int16](repeating: 0, count: Int(rate))
        var tail: UInt64 = 0
        silence.withUnsafeBufferPointer { filter.process($0, energy: &tail) }  // decay
        tail = 0
        silence.withUnsafeBufferPointer { filter.process($0, energy: &tail) }
        #expect(tail == 0)
        #expect(abs(filter.w1) <= 4 && abs(filter.v1) <= 4 && abs(filter.u1) <= 4,
                "states after silence: \(filter.u1) \(filter.v1) \(filter.w1)")
    }

    @Test(arguments: [Int32(16_000), Int32(48_000)])
    func fullScaleSquareWavesSaturateNotWrap(rate: Int32) {
        let fs = Double(Int(rate))
        for f in [31.5, 1_000, 2_500, 0.4 * fs] {
            var filter = FilterDesigns.aWeighting(rate)
            let n = Int(0.25 * fs)
            let square: [Int16] = (0..<n).map { i in
                _sin(2 * FilterTestSignal.pi * f * Double(i) / fs) >= 0 ? Int16.max : Int16.min
            }
            var out = [Int16](repeating: 0, count: n)
            var e: UInt64 = 0
            square.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { filter.process(x, into: $0, energy: &e) } }
            // Reference: the same sections in Double, clamped to Q15; the fixed
            // output follows it (no wrap-around flips sign) within 2 LSB.
            let s = AWeightingFilter.sections(sampleRate: fs)
            var ref = DoubleCascade([s.0, s.1, s.2])
            var worst = 0.0
            for i in 0..<n {
                let y = ref.step(Double(Int(square[i])))
                worst = max(worst, abs(Double(Int(out[i])) - min(max(y.rounded(), -32_768), 32_767)))
            }
            #expect(worst <= 2, "rate \(rate) f \(f): worst |fixed − clamped Double| \(worst) LSB")
            #expect(abs(filter.u1) < FilterFormat.stateLimit && abs(filter.w1) < FilterFormat.stateLimit)
        }
    }

    @Test(arguments: [Int32(16_000), Int32(48_000)])
    func splitBlocksGiveIdenticalOutput(rate: Int32) {
        let x = FilterTestSignal.noise(count: 20_000, seed: 21)
        var whole = FilterDesigns.aWeighting(rate)
        var y1 = [Int16](repeating: 0, count: x.count), e1: UInt64 = 0
        x.withUnsafeBufferPointer { b in y1.withUnsafeMutableBufferPointer { whole.process(b, into: $0, energy: &e1) } }
        var split = FilterDesigns.aWeighting(rate)
        var y2 = [Int16](repeating: 0, count: x.count), e2: UInt64 = 0
        forEachBlock(x, seed: 5) { block, range in
            y2.withUnsafeMutableBufferPointer { all in
                split.process(block, into: UnsafeMutableBufferPointer(rebasing: all[range]), energy: &e2)
            }
        }
        var e3: UInt64 = 0
        var energyOnly = FilterDesigns.aWeighting(rate)
        forEachBlock(x, seed: 6) { block, _ in energyOnly.process(block, energy: &e3) }
        #expect(y1 == y2)
        #expect(e1 == e2 && e1 == e3)
    }
}
