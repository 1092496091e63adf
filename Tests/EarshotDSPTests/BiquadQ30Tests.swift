// Q30 biquad and cascade against a Double direct-form-I reference computed
// in the test: error bounds, saturation, split-block identity.
import Testing
@testable import EarshotDSP

@Suite struct BiquadQ30Tests {
    /// RBJ cookbook low-pass (Butterworth Q = 1/√2), designed here in Double.
    static func lowPass(_ f0: Double, rate fs: Double, q: Double = 0.707_106_781) -> BiquadCoefficients {
        let w = 2 * FilterTestSignal.pi * f0 / fs, alpha = _sin(w) / (2 * q), c = _cos(w)
        let a0 = 1 + alpha
        return BiquadCoefficients(b0: (1 - c) / 2 / a0, b1: (1 - c) / a0, b2: (1 - c) / 2 / a0, a1: -2 * c / a0, a2: (1 - alpha) / a0)
    }

    /// RBJ band-pass with peak gain `gain` at f0.
    static func bandPass(_ f0: Double, rate fs: Double, q: Double, gain: Double) -> BiquadCoefficients {
        let w = 2 * FilterTestSignal.pi * f0 / fs, alpha = _sin(w) / (2 * q), c = _cos(w)
        let a0 = 1 + alpha
        return BiquadCoefficients(b0: gain * alpha / a0, b1: 0, b2: -gain * alpha / a0, a1: -2 * c / a0, a2: (1 - alpha) / a0)
    }

    /// Max |fixed − round(clamp(Double))| in Q15 LSB.
    static func worstError(_ y: [Int16], _ x: [Int16], _ sections: [BiquadCoefficients]) -> Double {
        var ref = DoubleCascade(sections)
        var worst = 0.0
        for i in x.indices {
            let r = min(max(ref.step(Double(Int(x[i]))).rounded(), -32_768), 32_767)
            worst = max(worst, abs(Double(Int(y[i])) - r))
        }
        return worst
    }

    @Test func singleSectionMatchesDoubleWithinOneLSB() {
        let c = Self.lowPass(1_000, rate: 16_000)
        var f = BiquadQ30(c)
        let x = FilterTestSignal.noise(count: 16_000, seed: 12)
        var y = [Int16](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { i in y.withUnsafeMutableBufferPointer { f.process(i, into: $0) } }
        let worst = Self.worstError(y, x, [c])
        print("BiquadQ30 1 kHz low-pass @16 kHz vs Double: worst \(worst) LSB")
        #expect(worst <= 1)
    }

    @Test func cascadeMatchesDoubleWithinTwoLSB() {
        // The A-weighting design sections at 48 kHz (a 20.6 Hz double pole: a
        // demanding low-frequency case) as a generic cascade.
        let s = AWeightingFilter.sections(sampleRate: 48_000)
        let sections = [s.0, s.1, s.2]
        var cascade = sections.withUnsafeBufferPointer { BiquadCascadeQ30($0) }
        let x = FilterTestSignal.noise(count: 48_000, seed: 13)
        var y = [Int16](repeating: 0, count: x.count), e: UInt64 = 0
        x.withUnsafeBufferPointer { i in y.withUnsafeMutableBufferPointer { cascade.process(i, into: $0, energy: &e) } }
        let worst = Self.worstError(y, x, sections)
        print("BiquadCascadeQ30 (A-weighting sections @48 kHz) vs Double: worst \(worst) LSB")
        #expect(worst <= 2)
    }

    @Test func fullScaleSquareSaturatesNotWraps() {
        // Peak gain 3 at 1 kHz: a full-scale 1 kHz square wave needs ~3.8 × full scale.
        let c = Self.bandPass(1_000, rate: 16_000, q: 2, gain: 3)
        var f = BiquadQ30(c)
        let x: [Int16] = (0..<4_000).map { ($0 / 8) % 2 == 0 ? Int16.max : Int16.min }
        var y = [Int16](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { i in y.withUnsafeMutableBufferPointer { f.process(i, into: $0) } }
        #expect(Self.worstError(y, x, [c]) <= 1)
        #expect(y.contains(Int16.max) && y.contains(Int16.min))
    }

    @Test func splitBlocksGiveIdenticalOutput() {
        let c = Self.bandPass(250, rate: 16_000, q: 4, gain: 1)
        let x = FilterTestSignal.noise(count: 20_000, seed: 14)
        var whole = BiquadQ30(c), split = BiquadQ30(c)
        var y1 = [Int16](repeating: 0, count: x.count), y2 = y1
        x.withUnsafeBufferPointer { i in y1.withUnsafeMutableBufferPointer { whole.process(i, into: $0) } }
        forEachBlock(x, seed: 15) { block, range in
            y2.withUnsafeMutableBufferPointer { split.process(block, into: UnsafeMutableBufferPointer(rebasing: $0[range])) }
        }
        #expect(y1 == y2)

        let s = AWeightingFilter.sections(sampleRate: 16_000)
        let sections = [s.0, s.1, s.2]
        var a = sections.withUnsafeBufferPointer { BiquadCascadeQ30($0) }
        var b = a, c2 = a
        var z1 = [Int16](repeating: 0, count: x.count), z2 = z1
        var e1: UInt64 = 0, e2: UInt64 = 0, e3: UInt64 = 0
        x.withUnsafeBufferPointer { i in z1.withUnsafeMutableBufferPointer { a.process(i, into: $0, energy: &e1) } }
        forEachBlock(x, seed: 16) { block, range in
            z2.withUnsafeMutableBufferPointer { b.process(block, into: UnsafeMutableBufferPointer(rebasing: $0[range]), energy: &e2) }
        }
        forEachBlock(x, seed: 17) { block, _ in c2.process(block, energy: &e3) }
        #expect(z1 == z2)
        #expect(e1 == e2 && e1 == e3)
    }
}

@Suite struct BiquadL1NormTests {
    /// The one-pass worst partial-cascade norm equals the maximum of the
    /// per-cascade norms (the headroom check of every multi-section filter).
    @Test func worstPartialNormEqualsMaximumOfPartialNorms() {
        let s = OctaveBandDesign.sections(lane: 2, sampleRate: 16_000)!
        let sections = [s.0, s.1, s.2, s.3]
        sections.withUnsafeBufferPointer { b in
            for count in 1...4 {
                let part = UnsafeBufferPointer(rebasing: b[0..<count])
                var expected = 0.0
                for n in 1...count {
                    expected = max(expected, BiquadCoefficients.l1Norm(of: UnsafeBufferPointer(rebasing: b[0..<n]), length: 4_000))
                }
                let got = BiquadCoefficients.worstPartialL1Norm(of: part, length: 4_000)
                #expect(abs(got - expected) <= 1e-12 * expected, "\(count) sections: \(got) vs \(expected)")
            }
        }
    }
}
