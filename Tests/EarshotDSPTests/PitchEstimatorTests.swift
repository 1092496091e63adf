// PitchEstimator on synthesised signals: a tone's pitch within one FFT bin at
// 16 and 48 kHz, a tone's prominence against white noise's, a sweep followed
// hop by hop, silence, and the chain's gate (no pitch on quiet hops).
import Testing
import Foundation
@testable import EarshotDSP

@Suite struct PitchEstimatorTests {
    /// Pushes `x` hop by hop and returns the estimate after each hop.
    static func track(_ x: [Int16], rate: Int32, hop: Int) -> [(hz: Int16, prominence: Int16)] {
        var p = PitchEstimator(sampleRate: rate)
        var out: [(hz: Int16, prominence: Int16)] = []
        var i = 0
        while i + hop <= x.count {
            x[i..<(i + hop)].withUnsafeBufferPointer { p.push($0) }
            out.append(p.estimate())
            i += hop
        }
        return out
    }

    @Test("a tone reads its frequency within one bin (31.25 Hz) and ≥ 15 dB prominence",
          arguments: [(Int32(16_000), 160), (Int32(48_000), 480)])
    func tone(rate: Int32, hop: Int) {
        for f in [430.0, 777.0, 1_000.0, 1_333.0, 2_410.0] {
            let x = TonalSignal.sine(f, rate: Double(rate), dBFS: -30, count: Int(rate) / 4)
            let last = Self.track(x, rate: rate, hop: hop).last!
            #expect(abs(Double(last.hz) - f) <= 31.25 / 2 + 1, "\(f) Hz at \(rate) Hz read \(last.hz)")
            #expect(Double(last.prominence) / 256 >= 15, "\(f) Hz: prominence \(Double(last.prominence) / 256) dB")
        }
    }

    @Test("white noise reads a prominence under 10 dB; a tone 10 dB over it still stands out")
    func noise() {
        let n = TonalSignal.noise(dBFS: -30, count: 8_000, seed: 7)
        let noisy = Self.track(n.map(TonalSignal.quantise), rate: 16_000, hop: 160).suffix(40)
        let worst = noisy.map { Double($0.prominence) / 256 }.max()!
        #expect(worst < 10, "noise prominence up to \(worst) dB")
        let tone = TonalSignal.sine(1_100, rate: 16_000, dBFS: -20, count: 8_000)
        let mixed = (0..<8_000).map { TonalSignal.quantise(n[$0] + Double(tone[$0])) }
        let hops = Self.track(mixed, rate: 16_000, hop: 160).suffix(40)
        #expect(hops.allSatisfy { abs(Int($0.hz) - 1_100) <= 16 && Double($0.prominence) / 256 >= 12 })
    }

    @Test("a 650 → 1 500 Hz sweep over 1 s is followed within two bins at every hop")
    func sweep() {
        let rate = 16_000.0
        var phase = 0.0
        let x: [Int16] = (0..<16_000).map { n in
            let f = 650 + 850 * Double(n) / rate
            phase += 2 * Double.pi * f / rate
            return TonalSignal.quantise(TonalSignal.amplitude(dBFS: -26) * sin(phase))
        }
        let hops = Self.track(x, rate: 16_000, hop: 160)
        for (h, e) in hops.enumerated() where h >= 4 {
            // The 512-sample window is centred 256 samples before the hop's end.
            let centre = Double((h + 1) * 160 - 256) / rate
            let f = 650 + 850 * centre
            #expect(abs(Double(e.hz) - f) <= 62.5, "hop \(h): \(e.hz) Hz, expected \(f)")
        }
    }

    @Test("silence reads (0, 0); a louder tone outside 400–2 500 Hz does not take the pitch")
    func silence() {
        let zeros = [Int16](repeating: 0, count: 1_600)
        #expect(Self.track(zeros, rate: 16_000, hop: 160).allSatisfy { $0.hz == 0 && $0.prominence == 0 })
        let high = TonalSignal.sine(3_200, rate: 16_000, dBFS: -14, count: 1_600)
        let tone = TonalSignal.sine(1_000, rate: 16_000, dBFS: -30, count: 1_600)
        let x = (0..<1_600).map { TonalSignal.quantise(Double(high[$0]) + Double(tone[$0])) }
        let e = Self.track(x, rate: 16_000, hop: 160).last!
        #expect(abs(Int(e.hz) - 1_000) <= 16, "read \(e.hz) Hz")
    }

    @Test("the fundamental under a stronger second harmonic is the pitch when within 15 dB, not below")
    func fundamental() {
        for (weaker, expected) in [(6.0, 600.0), (12.0, 600.0), (20.0, 1_200.0)] {
            let f0 = TonalSignal.sine(600, rate: 16_000, dBFS: -20 - weaker, count: 1_600)
            let h2 = TonalSignal.sine(1_200, rate: 16_000, dBFS: -20, count: 1_600)
            let x = (0..<1_600).map { TonalSignal.quantise(Double(f0[$0]) + Double(h2[$0])) }
            let e = Self.track(x, rate: 16_000, hop: 160).last!
            #expect(abs(Double(e.hz) - expected) <= 16, "fundamental \(weaker) dB under: read \(e.hz) Hz")
        }
        // A harmonic whose half lies below the range (1 200 Hz → 600 → 300 Hz) is not halved again.
        let high = TonalSignal.sine(700, rate: 16_000, dBFS: -20, count: 1_600)
        let low = TonalSignal.sine(350, rate: 16_000, dBFS: -20, count: 1_600)
        let x = (0..<1_600).map { TonalSignal.quantise(Double(high[$0]) + Double(low[$0])) }
        #expect(abs(Int(Self.track(x, rate: 16_000, hop: 160).last!.hz) - 700) <= 16)
    }

    @Test("the chain reports a pitch only on hops over the gate")
    func chainGate() {
        var chain = AnalysisChain(config: AnalysisConfig())
        let quiet = TonalSignal.noise(dBFS: -60, count: 48_000, seed: 3).map(TonalSignal.quantise)
        let tone = TonalSignal.sine(900, rate: 16_000, dBFS: -25, count: 16_000)
        let x = quiet[0..<32_000].map { $0 } + (0..<16_000).map { TonalSignal.quantise(Double(quiet[32_000 + $0]) + Double(tone[$0])) }
        var frames: [FeatureFrame] = []
        var frame = FeatureFrame()
        for h in 0..<(x.count / 160) {
            x[(h * 160)..<((h + 1) * 160)].withUnsafeBufferPointer { chain.process(hop: $0, into: &frame) }
            frames.append(frame)
        }
        // Quiet street after the background settled: no pitch estimated.
        #expect(frames[100..<200].allSatisfy { $0.pitchHz == 0 && $0.pitchProminence == 0 })
        // The tone (from hop 200) is estimated once it fills the window.
        #expect(frames[210..<300].allSatisfy { abs(Int($0.pitchHz) - 900) <= 16 })
    }
}
