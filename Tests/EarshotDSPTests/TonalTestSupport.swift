// Helpers for the Goertzel, envelope, onset, background and Decibel tests:
// a seeded RNG, synthesised Q15 signals, and Double-precision references
// computed here, independently of the code under test.
import Foundation
@testable import EarshotDSP

/// SplitMix64: reproducible random numbers for signals and block sizes,
/// shared by every test in this target.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / 9_007_199_254_740_992.0 }
    /// Standard normal (Box–Muller).
    mutating func gaussian() -> Double {
        let u = max(unit(), 1e-300), v = unit()
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
    }
}

enum TonalSignal {
    /// Peak amplitude in Q15 LSB of a sine reading `dBFS` (AES17).
    static func amplitude(dBFS: Double) -> Double { 32_768 * pow(10, dBFS / 20) }

    /// Q15 sine, rounded and clamped.
    static func sine(_ f: Double, rate: Double, dBFS: Double, count: Int, phase: Double = 0.3) -> [Int16] {
        let a = amplitude(dBFS: dBFS)
        return (0..<count).map { n in quantise(a * sin(2 * Double.pi * f * Double(n) / rate + phase)) }
    }

    /// Gaussian white noise whose RMS reads `dBFS` (sine-referenced: RMS = 32768·10^(dB/20)/√2).
    static func noise(dBFS: Double, count: Int, seed: UInt64) -> [Double] {
        var rng = SplitMix64(seed: seed)
        let rms = amplitude(dBFS: dBFS) / 2.0.squareRoot()
        return (0..<count).map { _ in rms * rng.gaussian() }
    }

    static func quantise(_ v: Double) -> Int16 { Int16(clamping: Int(v.rounded())) }

    /// Random block sizes (0 included) summing to `total`.
    static func blockSizes(total: Int, seed: UInt64, maxBlock: Int) -> [Int] {
        var rng = SplitMix64(seed: seed)
        var sizes: [Int] = []
        var left = total
        while left > 0 {
            let s = min(left, rng.below(maxBlock + 1))
            sizes.append(s)
            left -= s
        }
        return sizes
    }
}

enum TonalReference {
    /// DTFT power of `x` at `f` Hz normalised like the Goertzel bank:
    /// 10·log10(|X|²·4 / (N²·2^30)) dBFS (a sine of amplitude A on f reads
    /// 20·log10(A/32768)).
    static func dftPowerDBFS(_ x: ArraySlice<Int16>, f: Double, rate: Double) -> Double {
        var re = 0.0, im = 0.0
        for (n, v) in x.enumerated() {
            let w = 2 * Double.pi * f * Double(n) / rate
            re += Double(v) * cos(w)
            im -= Double(v) * sin(w)
        }
        let n = Double(x.count)
        return 10 * log10(max(re * re + im * im, 1e-300) * 4 / (n * n * 1_073_741_824))
    }

    static func dB(_ q8_8: Int16) -> Double { Double(q8_8) / 256 }
}

/// Calls `body` with consecutive slices of `samples` of the given sizes;
/// `start` is the slice's first index.
func forEachSlice(_ samples: [Int16], sizes: [Int], _ body: (UnsafeBufferPointer<Int16>, Int) -> Void) {
    samples.withUnsafeBufferPointer { all in
        var start = 0
        for s in sizes {
            body(UnsafeBufferPointer(rebasing: all[start..<start + s]), start)
            start += s
        }
    }
}
