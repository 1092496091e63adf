// Decibel.log2Q16 and powerQ8_8 against Double logarithms across the whole
// UInt64 range.
import Testing
import Foundation
@testable import EarshotDSP

@Suite struct DecibelTests {
    @Test("powerQ8_8 within 0.01 dB of 10·log10(x) for x across 1 … 2^64−1")
    func powerAcrossRange() {
        var rng = SplitMix64(seed: 42)
        var worstDB = 0.0, worstLog2 = 0.0
        var values: [UInt64] = [1, 2, 3, 5, 7, 1_000, 65_535, 65_536, 1 << 32, (1 << 32) - 1, UInt64.max, UInt64.max - 1, 1 << 63, (1 << 63) - 1]
        for _ in 0..<100_000 {
            let bits = 1 + rng.below(64)  // random magnitude, then random mantissa
            let v = rng.next() & (bits == 64 ? UInt64.max : ((1 << UInt64(bits)) - 1))
            values.append(v | (1 << UInt64(bits - 1)))
        }
        for v in values {
            let ref = 10 * log10(Double(v))
            let got = Decibel.toDouble(Decibel.powerQ8_8(v))
            worstDB = max(worstDB, abs(got - ref))
            let l2 = Double(Decibel.log2Q16(v)) / 65_536
            worstLog2 = max(worstLog2, abs(l2 - log2(Double(v))))
        }
        print("Decibel: \(values.count) values, max |powerQ8_8 − 10·log10| = \(worstDB) dB, max |log2Q16 − log2| = \(worstLog2)")
        #expect(worstDB < 0.01)
        #expect(worstLog2 < 0.0001)
    }

    @Test("zero maps to the documented floors; exact powers of two are exact")
    func edges() {
        #expect(Decibel.powerQ8_8(0) == Decibel.floorQ8_8)
        #expect(Decibel.log2Q16(0) == Int32.min)
        for e in 0..<64 { #expect(Decibel.log2Q16(1 << UInt64(e)) == Int32(e) << 16) }
    }

    @Test("log2Q16's Int32 Horner stages equal the polynomial evaluated in Int64 (fractions across [0, 2^30))")
    func int32StagesEqualInt64Polynomial() {
        // The Q30 polynomial of log2(1 + f) evaluated with 64-bit products,
        // as the kernel's Int32 × Int32 → Int64 form must reproduce exactly.
        func reference(_ f: Int64) -> (Int32, Int64) {
            var p: Int64 = -27_988_478
            var largest: Int64 = 0
            for c: Int64 in [130_904_310, -297_818_455, 490_586_384, -770_837_517, 1_548_895_580] {
                p = c + ((p * f) >> 30)
                largest = max(largest, abs(p))
            }
            p = (p * f) >> 30
            return ((30 << 16) + Int32((p + (1 << 13)) >> 14), largest)
        }
        var fractions: [Int64] = Array(0..<2_000) + Array(((1 << 30) - 2_000)..<(1 << 30))
        fractions += Swift.stride(from: Int64(0), to: 1 << 30, by: 524_287).map { $0 }
        var largest: Int64 = 0
        for f in fractions {
            let (want, stage) = reference(f)
            largest = max(largest, stage)
            #expect(Decibel.log2Q16(UInt64((1 << 30) | f)) == want, "f = \(f)")
        }
        #expect(largest <= Int64(Int32.max), "a Horner stage left Int32: \(largest)")
    }

    @Test("dBFSOffset: a full-scale sine's mean square reads 0 dBFS")
    func offset() {
        let n = 480
        let sumSquares = UInt64(n) * 536_870_912  // N × 32768²/2
        let db = Decibel.powerQ8_8(sumSquares) + Decibel.dBFSOffsetQ8_8(sampleCount: n)
        #expect(abs(Decibel.toDouble(db)) < 0.01)
    }
}
