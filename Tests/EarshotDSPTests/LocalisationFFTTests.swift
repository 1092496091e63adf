// Fixed-point real FFT against a double-precision DFT computed here.
import Foundation
import Testing
@testable import EarshotDSP

@Suite("Localisation: fixed-point real FFT")
struct LocalisationFFTTests {
    /// Reference DFT bins 0…n/2 of integer samples, double precision.
    static func dft(_ x: [Int16], n: Int) -> [(Double, Double)] {
        (0...(n / 2)).map { k in
            var re = 0.0, im = 0.0
            for (m, v) in x.enumerated() {
                let a = -2 * Double.pi * Double(k * m % n) / Double(n)
                re += Double(v) * cos(a); im += Double(v) * sin(a)
            }
            return (re, im)
        }
    }

    static func noise(_ n: Int, amplitude: Double, seed: UInt64) -> [Int16] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in Int16((amplitude * (2 * rng.unit() - 1)).rounded()) }
    }

    /// Forward FFT; returns bins 0…n/2 scaled by the block exponent.
    static func forward(_ x: [Int16], n: Int) -> [(Double, Double)] {
        let tw = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n); defer { tw.deallocate() }
        FFTTwiddles.design(size: n, into: tw)
        let out = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n); defer { out.deallocate() }
        let e = x.withUnsafeBufferPointer { RealFFTQ31.forward($0, size: n, into: out, twiddles: UnsafeBufferPointer(tw)) }
        let s = pow(2.0, Double(e))
        var bins = [(Double(out[0]) * s, 0.0)]
        for k in 1..<(n / 2) { bins.append((Double(out[2 * k]) * s, Double(out[2 * k + 1]) * s)) }
        bins.append((Double(out[1]) * s, 0))
        return bins
    }

    @Test("forward matches a double DFT (relative RMS error < 2e-6)", arguments: [16, 256, 1024])
    func forwardMatchesDFT(n: Int) {
        for (seed, amp) in [(UInt64(1), 30000.0), (2, 300.0), (3, 3.0)] {
            let x = Self.noise(n, amplitude: amp, seed: seed)
            let ref = Self.dft(x, n: n)
            let got = Self.forward(x, n: n)
            var err = 0.0, pow = 0.0
            for k in 0...(n / 2) {
                let dr = got[k].0 - ref[k].0, di = got[k].1 - ref[k].1
                err += dr * dr + di * di
                pow += ref[k].0 * ref[k].0 + ref[k].1 * ref[k].1
            }
            let rel = (err / pow).squareRoot()
            #expect(rel < 2e-6, "n=\(n) amplitude=\(amp): relative RMS error \(rel)")
        }
    }

    @Test("4096-point forward: a bin-centred tone lands in its bin, leakage < -100 dB")
    func toneAt4096() {
        let n = 4096
        let x = (0..<n).map { Int16((20000 * sin(2 * Double.pi * 341 * Double($0) / Double(n))).rounded()) }
        let got = Self.forward(x, n: n)
        let mag = got.map { ($0.0 * $0.0 + $0.1 * $0.1).squareRoot() }
        #expect(abs(mag[341] - 20000 * Double(n) / 2) / (20000 * Double(n) / 2) < 1e-4)
        let leak = mag.enumerated().filter { $0.offset != 341 }.map(\.element).max()!
        #expect(20 * log10(leak / mag[341]) < -100, "leakage \(20 * log10(leak / mag[341])) dB")
    }

    @Test("inverse(forward(x)) = x · n/2 within 1e-5 of full scale", arguments: [64, 4096])
    func roundTrip(n: Int) {
        let x = Self.noise(n, amplitude: 20000, seed: 9)
        let tw = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n); defer { tw.deallocate() }
        FFTTwiddles.design(size: n, into: tw)
        let buf = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n); defer { buf.deallocate() }
        let e1 = x.withUnsafeBufferPointer { RealFFTQ31.forward($0, size: n, into: buf, twiddles: UnsafeBufferPointer(tw)) }
        let e2 = RealFFTQ31.inverse(buf, size: n, twiddles: UnsafeBufferPointer(tw))
        // forward returns X·2^-e1 stored; inverse of stored gives (n/2)·x_stored-units.
        let scale = pow(2.0, Double(e1 + e2)) / (Double(n) / 2)
        var worst = 0.0
        for i in 0..<n { worst = max(worst, abs(Double(buf[i]) * scale - Double(x[i]))) }
        #expect(worst / 32768 < 1e-5, "n=\(n): worst error \(worst) LSB")
    }
}
