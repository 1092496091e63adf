// OnsetDetector: clicks in noise located within ±2 ms, one onset each;
// steady noise and slow swells give none; crest factor; split blocks.
import Testing
import Foundation
@testable import EarshotDSP

@Suite struct OnsetDetectorTests {
    /// A filtered click: a damped 2.5 kHz sinusoid (τ = 2 ms) of peak `dBFS`.
    static func click(rate: Double, dBFS: Double) -> [Double] {
        let a = TonalSignal.amplitude(dBFS: dBFS)
        return (0..<Int(rate * 0.02)).map { n in
            let t = Double(n) / rate
            return a * exp(-t / 0.002) * sin(2 * Double.pi * 2_500 * t + 0.4)
        }
    }

    /// White noise at −50 dBFS plus low-frequency rumble (one-pole 80 Hz) at −30 dBFS.
    static func streetNoise(rate: Double, count: Int, seed: UInt64) -> [Double] {
        let white = TonalSignal.noise(dBFS: -50, count: count, seed: seed)
        let raw = TonalSignal.noise(dBFS: 0, count: count, seed: seed ^ 0xABCD)
        let b = exp(-2 * Double.pi * 80 / rate)
        var s = 0.0
        var rumble = raw.map { v -> Double in s = b * s + (1 - b) * v; return s }
        let rms = (rumble.reduce(0) { $0 + $1 * $1 } / Double(count)).squareRoot()
        let target = TonalSignal.amplitude(dBFS: -30) / 2.0.squareRoot()
        rumble = rumble.map { $0 * target / rms }
        return zip(white, rumble).map { $0 + $1 }
    }

    /// Runs the detector hop by hop; returns (absolute onset sample, hop offset) per onset.
    static func run(_ d: inout OnsetDetector, _ x: [Int16], hop: Int) -> [(Int64, Int)] {
        var out: [(Int64, Int)] = []
        forEachSlice(x, sizes: [Int](repeating: hop, count: x.count / hop)) { slice, start in
            let before = d.onsetCount
            let offset = d.process(slice)
            _ = d.endHop()
            if d.onsetCount > before { out.append((d.lastOnsetSample, offset)) }
            #expect(d.onsetCount - before <= 1)
            #expect((offset >= 0) == (d.onsetCount > before))
            if offset >= 0 { #expect(Int64(start + offset) == max(Int64(start), d.lastOnsetSample)) }
        }
        return out
    }

    @Test("clicks in street noise: one onset each, located within ±2 ms", arguments: [16_000, 48_000])
    func clicksInNoise(rate: Int) {
        let fs = Double(rate)
        var worst = 0
        for (trial, level) in [-10.0, -20.0, -25.0].enumerated() {
            var x = Self.streetNoise(rate: fs, count: rate * 2, seed: UInt64(trial + 1))
            var rng = SplitMix64(seed: UInt64(100 + trial))
            // Five clicks at random positions, ≥ 250 ms apart, first after 200 ms.
            let positions = (0..<5).map { k in Int(fs * (0.2 + 0.33 * Double(k))) + rng.below(rate / 20) }
            let c = Self.click(rate: fs, dBFS: level)
            for p in positions { for (i, v) in c.enumerated() { x[p + i] += v } }
            var d = OnsetDetector(sampleRate: Int32(rate))
            let onsets = Self.run(&d, x.map(TonalSignal.quantise), hop: rate / 100)
            #expect(onsets.count == positions.count, "\(rate) Hz, click \(level) dBFS: \(onsets.map { $0.0 }) vs \(positions)")
            for (o, p) in zip(onsets, positions) {
                let error = Int(o.0) - p
                worst = max(worst, abs(error))
                #expect(abs(error) <= rate / 500, "onset at \(o.0), click at \(p)")
            }
        }
        print("Onset: \(rate) Hz, 15 clicks (−10/−20/−25 dBFS in −30 dBFS rumble + −50 dBFS hiss): worst position error \(worst) samples (\(Double(worst) * 1_000 / fs) ms)")
    }

    @Test("steady street noise and slow swells give no onset", arguments: [16_000, 48_000])
    func noFalseOnsets(rate: Int) {
        let fs = Double(rate)
        let noise = Self.streetNoise(rate: fs, count: rate * 4, seed: 77)
        var d = OnsetDetector(sampleRate: Int32(rate))
        #expect(Self.run(&d, noise.map(TonalSignal.quantise), hop: rate / 100).isEmpty)
        // Exponential swells of the noise: 30 dB over 1 s, 20 dB over 100 ms (0.2 dB/ms).
        for (rise, seconds) in [(30.0, 1.0), (20.0, 0.1)] {
            let n = Int(fs * (seconds + 0.5))
            let base = Self.streetNoise(rate: fs, count: n, seed: 78)
            let x = base.enumerated().map { i, v -> Int16 in
                let t = min(max(Double(i) / fs - 0.2, 0), seconds)
                return TonalSignal.quantise(v * pow(10, (rise * t / seconds - rise) / 20) * 10)
            }
            var s = OnsetDetector(sampleRate: Int32(rate))
            let found = Self.run(&s, x, hop: rate / 100)
            #expect(found.isEmpty, "swell \(rise) dB over \(seconds) s: \(found.map { $0.0 })")
        }
    }

    @Test("crest factor: sine 3.01 dB, square 0 dB, silence 0")
    func crest() {
        var d = OnsetDetector(sampleRate: 16_000)
        // 1 kHz at 16 kHz with phase π/2: a sample lands on every peak.
        let sine = TonalSignal.sine(1_000, rate: 16_000, dBFS: -6, count: 160, phase: Double.pi / 2)
        sine.withUnsafeBufferPointer { _ = d.process($0) }
        let c = TonalReference.dB(d.endHop().crest)
        print("Onset: crest of a −6 dBFS sine \(c) dB")
        #expect(abs(c - 3.0103) < 0.1)
        let square: [Int16] = (0..<160).map { n in (n / 8) % 2 == 0 ? .max : -32_767 }
        square.withUnsafeBufferPointer { _ = d.process($0) }
        #expect(abs(TonalReference.dB(d.endHop().crest)) < 0.02)
        var quiet = OnsetDetector(sampleRate: 16_000)
        let zeros = [Int16](repeating: 0, count: 160)
        zeros.withUnsafeBufferPointer { _ = quiet.process($0) }
        #expect(quiet.endHop() == OnsetHopFeatures())
    }

    @Test("rise rate reports the steepest rise in dB/ms")
    func riseRate() {
        var d = OnsetDetector(sampleRate: 16_000)
        var x = [Int16](repeating: 0, count: 3_200)
        let c = Self.click(rate: 16_000, dBFS: -10)
        for (i, v) in c.enumerated() { x[2_000 + i] = TonalSignal.quantise(v + 30 * sin(Double(i))) }
        var rates: [Double] = []
        forEachSlice(x, sizes: [Int](repeating: 160, count: 20)) { slice, _ in
            _ = d.process(slice)
            rates.append(TonalReference.dB(d.endHop().riseRate))
        }
        #expect(rates[12] > 20)              // the click's hop: tens of dB per ms
        #expect(rates[15] < 1.5)             // decaying tail
    }

    @Test("one block and many random-sized blocks give identical onsets and features")
    func splitBlocks() {
        let rate = 16_000
        var x = Self.streetNoise(rate: 16_000, count: rate * 2, seed: 4)
        let c = Self.click(rate: 16_000, dBFS: -15)
        for p in [3_111, 9_876, 20_001, 27_000] { for (i, v) in c.enumerated() { x[p + i] += v } }
        let q = x.map(TonalSignal.quantise)
        func collect(_ sizes: [Int]) -> ([Int64], OnsetHopFeatures, Int16) {
            var d = OnsetDetector(sampleRate: 16_000)
            var onsets: [Int64] = []
            forEachSlice(q, sizes: sizes) { slice, _ in
                let before = d.onsetCount
                _ = d.process(slice)
                if d.onsetCount > before { onsets.append(d.lastOnsetSample) }
            }
            return (onsets, d.endHop(), d.envelopeQ8_8)
        }
        let one = collect([Int](repeating: 1, count: q.count))
        let many = collect(TonalSignal.blockSizes(total: q.count, seed: 21, maxBlock: 300))
        #expect(one.0.count == 4, "\(one.0)")
        #expect(one.0 == many.0)
        #expect(one.1 == many.1)
        #expect(one.2 == many.2)
    }
}
