// Shared helpers for the filter and level tests: signals, RNG, dB maths.
// References are computed here in Double, independently of the code under test.
import Testing
@testable import EarshotDSP

enum FilterTestSignal {
    static let pi = 3.141_592_653_589_793

    /// A Q15 sine of peak `amplitude` (LSB), rounded.
    static func sine(frequency: Double, sampleRate: Double, amplitude: Double, count: Int, phase: Double = 0) -> [Int16] {
        (0..<count).map { n in
            Int16(clamping: Int((amplitude * _sin(2 * pi * frequency * Double(n) / sampleRate + phase)).rounded()))
        }
    }

    /// Random-ish broadband Q15 noise with occasional full-scale bursts.
    static func noise(count: Int, seed: UInt64) -> [Int16] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { n in
            if (n / 700) % 9 == 4 { return (n & 1) == 0 ? Int16.max : Int16.min }
            return Int16(truncatingIfNeeded: Int64(bitPattern: rng.next()) >> 50)
        }
    }

    /// Random block sizes (0 included) that sum to `total`.
    static func blockSizes(total: Int, seed: UInt64, maxBlock: Int = 600) -> [Int] {
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

    /// dB of a power ratio.
    static func dB(_ ratio: Double) -> Double { 10 * _log10(ratio) }
}

/// Filters designed once per rate and copied by each test (a design runs
/// the impulse responses for its headroom check: ~0.1–0.5 s in debug).
enum FilterDesigns {
    nonisolated(unsafe) static let octave16 = OctaveFilterbank(sampleRate: 16_000)
    nonisolated(unsafe) static let octave48 = OctaveFilterbank(sampleRate: 48_000)
    nonisolated(unsafe) static let aWeighting16 = AWeightingFilter(sampleRate: 16_000)
    nonisolated(unsafe) static let aWeighting48 = AWeightingFilter(sampleRate: 48_000)

    /// A fresh (zero-state) filterbank for `rate` Hz.
    static func octave(_ rate: Int32) -> OctaveFilterbank {
        switch rate {
        case 16_000: return octave16
        case 48_000: return octave48
        default: return OctaveFilterbank(sampleRate: rate)
        }
    }

    /// A fresh (zero-state) A-weighting filter for `rate` Hz.
    static func aWeighting(_ rate: Int32) -> AWeightingFilter {
        switch rate {
        case 16_000: return aWeighting16
        case 48_000: return aWeighting48
        default: return AWeightingFilter(sampleRate: rate)
        }
    }
}

extension FilterTestSignal {
    /// A sine whose first `rampCount` samples fade in with a raised cosine:
    /// a smooth onset excites bands far from `frequency` far less than a hard
    /// start, so the settling time is set by the bands near it.
    static func rampedSine(frequency: Double, sampleRate: Double, amplitude: Double, count: Int, rampCount: Int) -> [Int16] {
        (0..<count).map { n in
            let env = n >= rampCount ? 1.0 : 0.5 - 0.5 * _cos(pi * Double(n) / Double(rampCount))
            return Int16(clamping: Int((env * amplitude * _sin(2 * pi * frequency * Double(n) / sampleRate)).rounded()))
        }
    }

    /// Samples in a window of whole half-periods of `frequency` lasting at
    /// least `minimumSeconds`.
    static func wholeHalfPeriods(frequency: Double, sampleRate: Double, minimumSeconds: Double) -> Int {
        let halfPeriods = max(1.0, (minimumSeconds * 2 * frequency).rounded(.up))
        return Int((halfPeriods * sampleRate / (2 * frequency)).rounded())
    }
}

/// Runs `body` on consecutive random-sized slices of `samples`.
func forEachBlock(_ samples: [Int16], seed: UInt64, _ body: (UnsafeBufferPointer<Int16>, Range<Int>) -> Void) {
    samples.withUnsafeBufferPointer { all in
        var start = 0
        for size in FilterTestSignal.blockSizes(total: samples.count, seed: seed) {
            body(UnsafeBufferPointer(rebasing: all[start..<start + size]), start..<start + size)
            start += size
        }
    }
}

// Double maths for references (the test target may use the C library).
#if canImport(Glibc)
import Glibc
@inline(__always) func _sin(_ x: Double) -> Double { Glibc.sin(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
@inline(__always) func _log10(_ x: Double) -> Double { Glibc.log10(x) }
@inline(__always) func _pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
#else
import Darwin
@inline(__always) func _sin(_ x: Double) -> Double { Darwin.sin(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Darwin.cos(x) }
@inline(__always) func _log10(_ x: Double) -> Double { Darwin.log10(x) }
@inline(__always) func _pow(_ x: Double, _ y: Double) -> Double { Darwin.pow(x, y) }
#endif

/// A direct-form-I cascade in Double: the reference for the fixed-point kernels.
struct DoubleCascade {
    var sections: [BiquadCoefficients]
    var state: [Double]
    init(_ sections: [BiquadCoefficients]) {
        self.sections = sections
        state = [Double](repeating: 0, count: 4 * sections.count)
    }
    /// One input sample (any unit) → one output sample (same unit).
    mutating func step(_ x: Double) -> Double {
        var v = x
        for k in sections.indices {
            let c = sections[k]
            let y = c.b0 * v + c.b1 * state[4 * k] + c.b2 * state[4 * k + 1] - c.a1 * state[4 * k + 2] - c.a2 * state[4 * k + 3]
            state[4 * k + 1] = state[4 * k]; state[4 * k] = v
            state[4 * k + 3] = state[4 * k + 2]; state[4 * k + 2] = y
            v = y
        }
        return v
    }
}
