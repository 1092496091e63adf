// DC blocker: DC removed, corner frequency, silence decays, saturation, split blocks.
import Testing
@testable import EarshotDSP

@Suite struct DCBlockerTests {
    static func run(_ x: [Int16], rate: Int32 = 16_000, cornerHz: Double = 5) -> [Int16] {
        var b = DCBlocker(sampleRate: rate, cornerHz: cornerHz)
        var y = [Int16](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { i in y.withUnsafeMutableBufferPointer { b.process(i, into: $0) } }
        return y
    }

    static func gainDB(_ f: Double, rate: Int32) -> Double {
        let fs = Double(Int(rate))
        let settle = Int(fs), window = Int((fs / f).rounded()) * max(1, Int(f / 2))
        let x = FilterTestSignal.sine(frequency: f, sampleRate: fs, amplitude: 16_000, count: settle + window)
        let y = run(x, rate: rate)
        func e(_ v: ArraySlice<Int16>) -> Double { v.reduce(0.0) { $0 + Double(Int($1)) * Double(Int($1)) } }
        return FilterTestSignal.dB(e(y[settle...]) / e(x[settle...]))
    }

    @Test func dcIsRemoved() {
        let x = [Int16](repeating: 12_000, count: 16_000)
        let y = Self.run(x)
        // After 1 s (5 Hz corner: time constant 32 ms) the output is exactly 0.
        #expect(y.suffix(1_000).allSatisfy { $0 == 0 })
        #expect(y[0] == 12_000)  // the step passes at once
    }

    @Test(arguments: [Int32(16_000), Int32(48_000)])
    func cornerAndPassBand(rate: Int32) {
        // One pole/one zero with R = 1 − 2π·fc/fs: −3.0 dB near fc, flat at 1 kHz.
        let atCorner = Self.gainDB(5, rate: rate)
        let at1k = Self.gainDB(1_000, rate: rate)
        print("DC blocker @\(rate) Hz: \(atCorner) dB at 5 Hz, \(at1k) dB at 1 kHz")
        #expect(abs(atCorner - -3.01) < 0.3)
        #expect(abs(at1k) < 0.01)
    }

    @Test func silenceAfterLoudSignalIsExactlyZero() {
        var b = DCBlocker(sampleRate: 48_000)
        var x = FilterTestSignal.noise(count: 24_000, seed: 1)
        x += [Int16](repeating: 0, count: 48_000)
        var y = [Int16](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { i in y.withUnsafeMutableBufferPointer { b.process(i, into: $0) } }
        #expect(y.suffix(24_000).allSatisfy { $0 == 0 })
        // No limit cycle: the internal state settles to a constant below 1/4 LSB.
        #expect(abs(b.previousOutput) < 1_024)
    }

    @Test func fullScaleSquareSaturates() {
        let square: [Int16] = (0..<4_000).map { ($0 / 40) % 2 == 0 ? Int16.max : Int16.min }
        let y = Self.run(square)
        // The first edge overshoots (x − x[n−1] = −65535): clamped, never wrapped.
        #expect(y[40] == Int16.min)
        for i in 1..<y.count where square[i] != square[i - 1] {
            #expect(square[i] > 0 ? y[i] > 30_000 : y[i] < -30_000, "sample \(i): \(y[i])")
        }
    }

    @Test func splitBlocksGiveIdenticalOutput() {
        let x = FilterTestSignal.noise(count: 20_000, seed: 2)
        let whole = Self.run(x)
        var b = DCBlocker(sampleRate: 16_000)
        var y = [Int16](repeating: 0, count: x.count)
        forEachBlock(x, seed: 3) { block, range in
            y.withUnsafeMutableBufferPointer { b.process(block, into: UnsafeMutableBufferPointer(rebasing: $0[range])) }
        }
        #expect(y == whole)
    }
}
