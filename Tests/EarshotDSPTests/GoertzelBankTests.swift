// GoertzelBank against a Double DFT of the same block, silence, full-scale
// square waves, headroom at the lowest allowed bin, split-block identity and
// sliding-mode equivalence.
import Testing
import Foundation
@testable import EarshotDSP

@Suite struct GoertzelBankTests {
    /// Runs `bank` over `x` in one call; returns every completed block's power.
    static func powers(_ bank: inout GoertzelBank, _ x: [Int16]) -> [SIMD16<Int16>] {
        var out = [SIMD16<Int16>](repeating: SIMD16(), count: x.count / bank.hopSamples + 1)
        let n = x.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { bank.process(xs, powers: $0) }
        }
        return Array(out[0..<n])
    }

    static func bins(_ f: [Float]) -> SIMD16<Float> {
        var v = SIMD16<Float>(repeating: 1_000)
        for (k, x) in f.enumerated() { v[k] = x }
        return v
    }

    @Test("power within 0.1 dB of a Double DFT, on-bin and off-bin, −6…−60 dBFS",
          arguments: [(16_000, 160), (16_000, 400), (48_000, 480), (48_000, 2_048)])
    func matchesDFT(rate: Int, n: Int) {
        let freqs: [Float] = rate == 16_000
            ? [400, 500, 800, 1_000, 1_500, 2_000, 2_500, 3_000, 3_500, 4_000, 450, 700, 960, 1_200, 1_800, 6_000]
            : [400, 700, 1_000, 2_500, 3_150, 4_000, 6_000, 9_000, 12_500, 16_000, 20_000]
        var worst = 0.0, worstLeak = 0.0
        var compared = 0
        for (i, level) in [-6.0, -20.0, -40.0, -60.0].enumerated() {
            for (j, fb) in freqs.enumerated() where j % 3 == i % 3 {
                // On-bin, and off-bin by 0.37 of a DFT bin width.
                for offset in [0.0, 0.37 * Double(rate) / Double(n)] {
                    var bank = GoertzelBank(sampleRate: Int32(rate), frequencies: Self.bins(freqs),
                                            binCount: Int32(freqs.count), blockSamples: Int32(n), hopSamples: Int32(n))
                    let x = TonalSignal.sine(Double(fb) + offset, rate: Double(rate), dBFS: level, count: 2 * n)
                    let p = Self.powers(&bank, x)
                    #expect(p.count == 2)
                    for k in 0..<freqs.count {
                        let ref = TonalReference.dftPowerDBFS(x[n..<2 * n], f: Double(freqs[k]), rate: Double(rate))
                        let got = TonalReference.dB(p[1][k])
                        // Rounding in the resonator acts like input noise of
                        // 1/12 LSB² (floor ≈ −117 dBFS at N = 160): leakage
                        // bins between −80 and −70 dBFS get 0.5 dB.
                        if ref > -80 && ref <= -70 {
                            #expect(abs(got - ref) < 0.5, "leakage bin \(freqs[k]) Hz: \(got) vs DFT \(ref)")
                            worstLeak = max(worstLeak, abs(got - ref))
                        }
                        guard ref > -70 else { continue }
                        worst = max(worst, abs(got - ref))
                        compared += 1
                        #expect(abs(got - ref) < 0.1, "rate \(rate) N \(n) bin \(freqs[k]) Hz signal \(Double(fb) + offset) Hz \(level) dBFS: \(got) vs DFT \(ref)")
                    }
                    // The sine itself reads its level on-bin (AES17 normalisation).
                    if offset == 0 { #expect(abs(TonalReference.dB(p[1][j]) - level) < 0.1) }
                }
            }
        }
        print("Goertzel vs DFT rate \(rate) N \(n): \(compared) bins compared, max |error| \(worst) dB (leakage −80…−70 dBFS: \(worstLeak) dB)")
        #expect(compared > 40)
    }

    @Test("silence reads the floor; no limit cycle after a loud burst", arguments: [1, 3])
    func silence(overlap: Int) {
        let hop = 160
        var bank = GoertzelBank(sampleRate: 16_000, frequencies: AnalysisConfig().binFrequencies, binCount: 12,
                                blockSamples: Int32(hop * overlap), hopSamples: Int32(hop))
        var x = TonalSignal.sine(1_000, rate: 16_000, dBFS: -1, count: 800)
        x += [Int16](repeating: 0, count: 40 * hop)
        let p = Self.powers(&bank, x)
        #expect(p.count == x.count / hop)
        // After the burst has left the block span, every lane is silent.
        for h in (800 / hop + overlap)..<p.count {
            for k in 0..<16 { #expect(p[h][k] == FeatureFrame.floor) }
        }
        #expect(TonalReference.dB(p[3][3]) > -2)  // the 1 kHz bin saw the burst
        #expect(TonalReference.dB(FeatureFrame.floor) < -90)
    }

    @Test("full-scale square waves saturate nothing and read like the DFT",
          arguments: [(16_000, 160, 1_000.0), (16_000, 2_048, 81.0), (48_000, 2_048, 242.0), (48_000, 480, 23_900.0)])
    func fullScaleSquare(rate: Int, n: Int, f: Double) {
        let third = f * 3 < Double(rate) / 2 ? f * 3 : f / 3
        var bank = GoertzelBank(sampleRate: Int32(rate), frequencies: Self.bins([Float(f), Float(third), 400]),
                                binCount: 3, blockSamples: Int32(n), hopSamples: Int32(n))
        // Worst case for the state: x[k] = ±full scale with the sign of
        // sin(ω(N−k)), which drives s[N−1] toward 32768·Σ|sin(mω)|/sin ω.
        let w = 2 * Double.pi * f / Double(rate)
        let x: [Int16] = (0..<n).map { k in sin(w * Double(n - k)) >= 0 ? Int16.max : Int16.min }
            + (0..<n).map { k in (k / max(1, Int(Double(rate) / f / 2))) % 2 == 0 ? Int16.max : Int16.min }
        let p = Self.powers(&bank, x)
        for b in 0..<2 {
            for k in 0..<3 {
                let fk = k == 2 ? 400.0 : (k == 0 ? f : third)
                let ref = TonalReference.dftPowerDBFS(x[(b * n)..<(b * n + n)], f: fk, rate: Double(rate))
                let got = TonalReference.dB(p[b][k])
                if ref > -80 { #expect(abs(got - ref) < 0.1, "block \(b) bin \(fk) Hz: \(got) vs \(ref)") }
                #expect(got <= 6.1)  // |X| ≤ 32768·N bounds any input to +6.02 dBFS
            }
        }
        // The adversarial block reads far above a sine (coherent gain 4/π·…).
        #expect(TonalReference.dB(p[0][0]) > 1)
    }

    @Test("one block and many random-sized blocks give identical powers", arguments: [1, 2, 4])
    func splitBlocks(overlap: Int) {
        let hop = 120
        let make = { GoertzelBank(sampleRate: 16_000, frequencies: AnalysisConfig().binFrequencies, binCount: 16,
                                  blockSamples: Int32(hop * overlap), hopSamples: Int32(hop)) }
        var rng = SplitMix64(seed: 7)
        let x: [Int16] = (0..<6_000).map { n in
            n % 997 < 40 ? (n & 1 == 0 ? .max : .min) : Int16(truncatingIfNeeded: Int64(bitPattern: rng.next()) >> 52)
        }
        var whole = make()
        let reference = Self.powers(&whole, x)
        var split = make()
        var got: [SIMD16<Int16>] = []
        var buffer = [SIMD16<Int16>](repeating: SIMD16(), count: 64)
        forEachSlice(x, sizes: TonalSignal.blockSizes(total: x.count, seed: 11, maxBlock: 500)) { slice, _ in
            let n = buffer.withUnsafeMutableBufferPointer { split.process(slice, powers: $0) }
            got += buffer[0..<n]
        }
        #expect(reference.count == x.count / hop)
        #expect(got == reference)
        #expect(split.completedBlocks == Int64(reference.count))
        #expect(split.power == reference.last)
    }

    @Test("sliding mode: each hop's power equals a block bank over the last N samples")
    func slidingEqualsBlock() {
        let hop = 160, k = 3, n = hop * k
        let freqs = AnalysisConfig().binFrequencies
        var sliding = GoertzelBank(sampleRate: 16_000, frequencies: freqs, binCount: 16,
                                   blockSamples: Int32(n), hopSamples: Int32(hop))
        var rng = SplitMix64(seed: 3)
        let x: [Int16] = (0..<(hop * 12)).map { i in
            TonalSignal.quantise(8_000 * sin(Double(i * i) * 0.000_05) + 500 * rng.gaussian())
        }
        let p = Self.powers(&sliding, x)
        #expect(p.count == 12)
        for h in (k - 1)..<12 {
            var block = GoertzelBank(sampleRate: 16_000, frequencies: freqs, binCount: 16,
                                     blockSamples: Int32(n), hopSamples: Int32(n))
            let window = Array(x[((h + 1) * hop - n)..<((h + 1) * hop)])
            let q = Self.powers(&block, window)
            #expect(q == [p[h]], "hop \(h)")
            // And the DFT of that window agrees.
            let ref = TonalReference.dftPowerDBFS(window[...], f: Double(freqs[3]), rate: 16_000)
            if ref > -80 { #expect(abs(TonalReference.dB(p[h][3]) - ref) < 0.1) }
        }
    }

    @Test("bins not computable at the rate (≥ Nyquist, too close to 0) are inactive and read the floor")
    func inactiveBins() {
        var bank = GoertzelBank(sampleRate: 8_000, frequencies: Self.bins([1_000, 4_000, 5_000, 0, 1, 2_000]),
                                binCount: 6, blockSamples: 2_048, hopSamples: 2_048)
        #expect(bank.isActive(0) && bank.isActive(5))
        #expect(!bank.isActive(1) && !bank.isActive(2) && !bank.isActive(3) && !bank.isActive(4) && !bank.isActive(6))
        let x: [Int16] = (0..<2_048).map { n in n % 2 == 0 ? .max : .min }  // energy at 4 kHz
        let p = Self.powers(&bank, x)
        for k in 1...4 { #expect(p[0][k] == FeatureFrame.floor) }
    }
}

@Suite struct GoertzelKernelTests {
    /// The exact integer recursion, written independently in Int64:
    /// s = x + floor((c·s1 + 2^29) / 2^30) − s2.
    static func reference(_ x: [Int16], c: Int64, s1: Int64, s2: Int64) -> (Int64, Int64) {
        var a = s1, b = s2
        for v in x {
            let y = Int64(v) + ((c * a + (1 << 29)) >> 30) - b
            b = a
            a = y
        }
        return (a, b)
    }

    @Test("both kernels (scalar run, SIMD runLanes) equal the exact integer recursion")
    func kernelsAgree() {
        var rng = SplitMix64(seed: 99)
        let bank = GoertzelBank(sampleRate: 16_000, frequencies: AnalysisConfig().binFrequencies, binCount: 16,
                                blockSamples: 160, hopSamples: 160)
        for trial in 0..<6 {
            let x: [Int16] = (0..<(37 + trial * 11)).map { _ in Int16(truncatingIfNeeded: rng.next()) }
            var r = GoertzelResonators()
            for k in 0..<16 {
                r.s1[k] = Int32(truncatingIfNeeded: rng.next() >> 36)
                r.s2[k] = Int32(truncatingIfNeeded: rng.next() >> 36)
            }
            let start = r
            var scalar = r
            x.withUnsafeBufferPointer { scalar.run($0, coefficient: bank.coefficient, rounding: 1 << 29) }
            #if arch(x86_64) || arch(arm64)
            x.withUnsafeBufferPointer { r.runLanes($0, coefficient: bank.laneCoefficient) }
            #expect(r.s1 == scalar.s1 && r.s2 == scalar.s2)
            #endif
            for k in 0..<16 {
                let ref = Self.reference(x, c: Int64(bank.coefficient[k]), s1: Int64(start.s1[k]), s2: Int64(start.s2[k]))
                #expect(Int64(scalar.s1[k]) == ref.0 && Int64(scalar.s2[k]) == ref.1, "lane \(k) trial \(trial)")
            }
        }
    }
}
