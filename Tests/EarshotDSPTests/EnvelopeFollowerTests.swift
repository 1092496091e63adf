// EnvelopeFollower: level of a sine, attack and release against a Double
// model of the same one-pole, silence, full-scale squares, split blocks.
import Testing
import Foundation
@testable import EarshotDSP

@Suite struct EnvelopeFollowerTests {
    static func levels(_ env: inout EnvelopeFollower, _ x: [Int16]) -> [Int64] {
        x.map { env.step($0) }
    }

    @Test("a −20 dBFS 1 kHz sine reads −20.0 dBFS (symmetric 50 ms)", arguments: [16_000, 48_000])
    func sineLevel(rate: Int) {
        var env = EnvelopeFollower(sampleRate: Int32(rate), attackMs: 50, releaseMs: 50)
        let x = TonalSignal.sine(1_000, rate: Double(rate), dBFS: -20, count: rate)  // 1 s = 20 τ
        _ = Self.levels(&env, x)
        let got = TonalReference.dB(env.levelQ8_8)
        print("Envelope: −20 dBFS sine at \(rate) Hz reads \(got) dBFS")
        #expect(abs(got + 20) < 0.05)
    }

    @Test("attack and release follow a Double one-pole model within 0.5 %")
    func attackRelease() {
        let rate = 16_000.0, attackMs = 1.0, releaseMs = 50.0
        var env = EnvelopeFollower(sampleRate: 16_000, attackMs: attackMs, releaseMs: releaseMs)
        // Constant power: alternating ±16384 (x² = 2^28), 20 ms on, then silence.
        let x: [Int16] = (0..<2_400).map { n in n < 320 ? (n % 2 == 0 ? 16_384 : -16_384) : 0 }
        let got = Self.levels(&env, x)
        let a = 1 - exp(-1 / (attackMs * rate / 1_000)), r = 1 - exp(-1 / (releaseMs * rate / 1_000))
        var y = 0.0, worst = 0.0
        for (n, v) in x.enumerated() {
            let p = Double(v) * Double(v)
            y += (p > y ? a : r) * (p - y)
            let g = Double(got[n]) / 64
            if y > 1e6 { worst = max(worst, abs(g - y) / y) }
        }
        print("Envelope: max relative deviation from the Double model \(worst)")
        #expect(worst < 0.005)
        // One attack time constant after the start: 1 − 1/e of the target.
        #expect(abs(Double(got[15]) / 64 / 268_435_456 - (1 - exp(-16.0 / 16))) < 0.01)
        // 50 ms of release after the step: −4.34 dB (10·log10(e)).
        let drop = 10 * log10(Double(got[319 + 800]) / Double(got[319]))
        #expect(abs(drop + 4.343) < 0.05)
    }

    @Test("silence reads the floor, and decays to exactly zero after a burst (no limit cycle)")
    func silence() {
        var env = EnvelopeFollower(sampleRate: 16_000, attackMs: 1, releaseMs: 50)
        #expect(env.levelQ8_8 == FeatureFrame.floor)
        var x = TonalSignal.sine(500, rate: 16_000, dBFS: 0, count: 1_600)
        x += [Int16](repeating: 0, count: 32_000)
        let got = Self.levels(&env, x)
        #expect(got.suffix(4_000).allSatisfy { $0 == 0 })
        #expect(env.levelQ8_8 == FeatureFrame.floor)
        #expect(TonalReference.dB(env.levelQ8_8) < -90)
    }

    @Test("full-scale square waves saturate nothing: +3.01 dBFS, never negative")
    func fullScaleSquare() {
        var env = EnvelopeFollower(sampleRate: 48_000, attackMs: 0.1, releaseMs: 5_000)
        let x: [Int16] = (0..<48_000).map { n in (n / 7) % 2 == 0 ? .max : .min }
        let got = Self.levels(&env, x)
        #expect(got.allSatisfy { $0 >= 0 && $0 <= 1 << 36 })
        #expect(abs(TonalReference.dB(env.levelQ8_8) - 3.01) < 0.02)
    }

    @Test("one block and many random-sized blocks give identical state")
    func splitBlocks() {
        var rng = SplitMix64(seed: 5)
        let x: [Int16] = (0..<20_000).map { n in
            n % 3_000 < 200 ? (n & 1 == 0 ? .max : .min) : Int16(truncatingIfNeeded: Int64(bitPattern: rng.next()) >> 53)
        }
        var one = EnvelopeFollower(sampleRate: 16_000, attackMs: 1, releaseMs: 50)
        let reference = Self.levels(&one, x)
        var split = EnvelopeFollower(sampleRate: 16_000, attackMs: 1, releaseMs: 50)
        var checked = 0
        forEachSlice(x, sizes: TonalSignal.blockSizes(total: x.count, seed: 9, maxBlock: 700)) { slice, start in
            split.process(slice)
            if slice.count > 0 {
                #expect(split.meanSquare == reference[start + slice.count - 1])
                checked += 1
            }
        }
        #expect(checked > 30)
    }
}
