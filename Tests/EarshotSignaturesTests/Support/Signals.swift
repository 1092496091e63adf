// Test signals, synthesised in double precision (samples in [−1, 1], 16 kHz).
import Foundation

/// Deterministic noise (64-bit LCG → uniform in [−1, 1)).
struct Noise {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
    mutating func next() -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) / Double(1 << 52) - 1
    }
    mutating func buffer(_ n: Int) -> [Double] { (0..<n).map { _ in next() } }
}

/// RBJ biquad in Double (test-only reference filter).
struct TestBiquad {
    var b0 = 1.0, b1 = 0.0, b2 = 0.0, a1 = 0.0, a2 = 0.0
    var x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0
    enum Kind { case lowpass, highpass, bandpass }
    init(_ kind: Kind, hz: Double, q: Double, rate: Double = 16_000) {
        let w = 2 * Double.pi * hz / rate, alpha = sin(w) / (2 * q), c = cos(w), a0 = 1 + alpha
        switch kind {
        case .lowpass: b0 = (1 - c) / 2; b1 = 1 - c; b2 = (1 - c) / 2
        case .highpass: b0 = (1 + c) / 2; b1 = -(1 + c); b2 = (1 + c) / 2
        case .bandpass: b0 = alpha; b1 = 0; b2 = -alpha
        }
        b0 /= a0; b1 /= a0; b2 /= a0; a1 = -2 * c / a0; a2 = (1 - alpha) / a0
    }
    mutating func run(_ x: Double) -> Double {
        let y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
        x2 = x1; x1 = x; y2 = y1; y1 = y
        return y
    }
    static func filter(_ xs: [Double], _ kind: Kind, hz: Double, q: Double = 0.707, order: Int = 1) -> [Double] {
        var out = xs
        for _ in 0..<order {
            var f = TestBiquad(kind, hz: hz, q: q)
            out = out.map { f.run($0) }
        }
        return out
    }
}

/// Signal builders. Every scene is background street-like noise at about
/// −60 dBFS plus the sound starting at `Signals.eventStart` seconds.
enum Signals {
    static let rate = 16_000.0
    static let eventStart = 1.0

    static func amp(_ dBFS: Double) -> Double { pow(10, dBFS / 20) * 2.0.squareRoot() / 2.0.squareRoot() }
    static func rms(_ xs: [Double]) -> Double { (xs.map { $0 * $0 }.reduce(0, +) / Double(max(1, xs.count))).squareRoot() }
    /// Scales `xs` so that its RMS over the non-silent part is `dBFS` (0 dBFS = full-scale sine, RMS 0.707).
    static func level(_ xs: [Double], _ dBFS: Double) -> [Double] {
        let active = xs.filter { abs($0) > 1e-9 }
        let g = pow(10, dBFS / 20) * 0.7071 / max(1e-12, rms(active))
        return xs.map { $0 * g }
    }

    /// Background (−60 dBFS pink-ish noise) of `seconds`, with `event` added at eventStart.
    static func scene(seconds: Double, seed: UInt64, event: [Double]) -> [Double] {
        var n = Noise(seed: seed)
        let count = Int(seconds * rate)
        var bg = TestBiquad.filter(n.buffer(count), .lowpass, hz: 1_500)
        bg = level(bg, -60)
        let start = Int(eventStart * rate)
        for i in 0..<event.count where start + i < count { bg[start + i] += event[i] }
        return bg
    }

    static func tone(_ hz: (Double) -> Double, seconds: Double, harmonics: [Double] = [1]) -> [Double] {
        var phase = 0.0
        return (0..<Int(seconds * rate)).map { i in
            let t = Double(i) / rate
            phase += 2 * Double.pi * hz(t) / rate
            var s = 0.0
            for (k, a) in harmonics.enumerated() { s += a * sin(Double(k + 1) * phase) }
            return s
        }
    }

    static func envelope(_ xs: [Double], attack: Double = 0.01, release: Double = 0.02) -> [Double] {
        let n = xs.count
        return xs.enumerated().map { i, x in
            let t = Double(i) / rate, end = Double(n) / rate
            return x * min(1, t / attack) * min(1, max(0, (end - t) / release))
        }
    }

    // MARK: classes

    static func gunshot(seed: UInt64) -> [Double] {
        var n = Noise(seed: seed)
        let burst = (0..<Int(0.4 * rate)).map { i -> Double in
            let t = Double(i) / rate
            return n.next() * exp(-t / 0.012) + 0.3 * n.next() * exp(-t / 0.08) * (t > 0.002 ? 1 : 0)
        }
        return level(TestBiquad.filter(TestBiquad.filter(burst, .lowpass, hz: 2_500), .highpass, hz: 120), -12)
    }

    static func explosion(seed: UInt64) -> [Double] {
        var n = Noise(seed: seed)
        let body = (0..<Int(2.5 * rate)).map { i -> Double in
            let t = Double(i) / rate
            return n.next() * min(1, t / 0.004) * exp(-t / 0.35)
        }
        return level(TestBiquad.filter(body, .lowpass, hz: 180, order: 2), -10)
    }

    static func glass(seed: UInt64) -> [Double] {
        var n = Noise(seed: seed)
        let count = Int(0.8 * rate)
        var x = [Double](repeating: 0, count: count)
        for (k, t0) in [0.0, 0.045, 0.1, 0.17, 0.26, 0.37].enumerated() {
            let s = Int(t0 * rate), a = pow(0.8, Double(k))
            for i in 0..<min(count - s, Int(0.05 * rate)) { x[s + i] += a * n.next() * exp(-Double(i) / rate / 0.008) }
        }
        for (f, a) in [(3_700.0, 0.2), (5_100.0, 0.15), (6_300.0, 0.1)] {
            for i in 0..<count { x[i] += a * sin(2 * Double.pi * f * Double(i) / rate) * exp(-Double(i) / rate / 0.2) }
        }
        return level(TestBiquad.filter(x, .highpass, hz: 2_000, order: 2), -18)
    }

    static func scream(seed: UInt64) -> [Double] {
        // F0 glides 950 → 1250 → 1050 Hz over 1.4 s; harmonics 2 and 3; level rising.
        let s = tone({ t in 950 + 300 * sin(Double.pi * min(t, 1.4) / 1.4 * 0.9) }, seconds: 1.4, harmonics: [1, 0.6, 0.3])
        let rising = s.enumerated().map { i, x in x * (0.5 + 0.5 * Double(i) / Double(s.count)) }
        return level(envelope(rising, attack: 0.08, release: 0.1), -20)
    }

    static func powerTool(seed: UInt64) -> [Double] {
        var n = Noise(seed: seed)
        let count = Int(2.5 * rate)
        let noise = level(TestBiquad.filter(n.buffer(count), .highpass, hz: 400, order: 2), -24)
        let whine = level(tone({ _ in 3_000 }, seconds: 2.5), -22)
        let motor = level(tone({ _ in 150 }, seconds: 2.5, harmonics: [1, 0.7, 0.5, 0.4]), -30)
        return envelope((0..<count).map { noise[$0] + whine[$0] + motor[$0] }, attack: 0.2, release: 0.2)
    }

    static func carHorn(seed: UInt64) -> [Double] {
        let h: [Double] = [1, 0.7, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15]
        let a = tone({ _ in 410 }, seconds: 0.9, harmonics: h)
        let b = tone({ _ in 500 }, seconds: 0.9, harmonics: h)
        return level(envelope(zip(a, b).map { $0 + $1 }), -18)
    }

    static func spray(seed: UInt64) -> [Double] {
        var n = Noise(seed: seed)
        let hiss = TestBiquad.filter(n.buffer(Int(1.5 * rate)), .highpass, hz: 2_200, order: 3)
        return level(envelope(hiss, attack: 0.03, release: 0.05), -26)
    }

    static func siren(seed: UInt64) -> [Double] {
        // Wail: 650 ↔ 1500 Hz, 3 s period, 4.5 s; odd harmonics like a square-ish horn.
        let s = tone({ t in 1_075 - 425 * cos(2 * Double.pi * t / 3) }, seconds: 4.5, harmonics: [1, 0, 0.3])
        return level(envelope(s, attack: 0.2, release: 0.2), -20)
    }

    static func tireScreech(seed: UInt64) -> [Double] {
        let s = tone({ t in 2_000 + 25 * sin(2 * Double.pi * 6 * t) }, seconds: 1.5)
        var n = Noise(seed: seed)
        let hiss = level(TestBiquad.filter(n.buffer(s.count), .highpass, hz: 1_000), -45)
        return level(envelope(zip(s, hiss).map { $0 + $1 }, attack: 0.05, release: 0.1), -20)
    }

    // MARK: confusers

    static func speech(seed: UInt64) -> [Double] {
        // Harmonic glide (F0 120 → 200 → 140 Hz), 25 harmonics shaped by two formants
        // (600 and 1 500 Hz), 4 Hz syllables with short pauses; 3 s.
        let seconds = 3.0
        var phase = 0.0
        var out: [Double] = []
        for i in 0..<Int(seconds * rate) {
            let t = Double(i) / rate
            let f0 = 120 + 80 * sin(Double.pi * t / seconds) - 60 * max(0, t - 2) / 1
            phase += 2 * Double.pi * f0 / rate
            var s = 0.0
            for k in 1...25 {
                let f = Double(k) * f0
                let formant = exp(-pow((f - 600) / 250, 2)) + 0.5 * exp(-pow((f - 1_500) / 300, 2)) + 0.05
                s += formant / Double(k).squareRoot() * sin(Double(k) * phase)
            }
            let syllable = max(0, sin(2 * Double.pi * 4 * t))
            out.append(s * pow(syllable, 0.7))
        }
        return level(out, -22)
    }

    static func musicChord(seed: UInt64) -> [Double] {
        let count = Int(3 * rate)
        var out = [Double](repeating: 0, count: count)
        for (start, notes) in [(0.0, [261.6, 329.6, 392.0]), (1.5, [220.0, 261.6, 329.6])] {
            for f in notes {
                for k in 1...6 {
                    for i in Int(start * rate)..<count {
                        let t = Double(i) / rate - start
                        out[i] += (1 / Double(k)) * exp(-t / 0.8 * Double(k).squareRoot()) * sin(2 * Double.pi * f * Double(k) * t)
                    }
                }
            }
        }
        return level(out, -20)
    }

    static func traffic(seed: UInt64) -> [Double] {
        var n = Noise(seed: seed)
        let rumble = TestBiquad.filter(n.buffer(Int(5 * rate)), .lowpass, hz: 250, order: 2)
        return level(rumble.enumerated().map { i, x in x * (1 + 0.3 * sin(2 * Double.pi * 0.3 * Double(i) / rate)) }, -30)
    }

    static func clapping(seed: UInt64) -> [Double] {
        var n = Noise(seed: seed)
        var out = [Double](repeating: 0, count: Int(2.5 * rate))
        for c in 0..<6 {
            let s = Int(Double(c) * 0.35 * rate)
            for i in 0..<Int(0.03 * rate) { out[s + i] += n.next() * exp(-Double(i) / rate / 0.005) }
        }
        return level(TestBiquad.filter(out, .bandpass, hz: 1_500, q: 0.9), -20)
    }

    static func doorSlam(seed: UInt64) -> [Double] {
        var n = Noise(seed: seed)
        let thump = (0..<Int(0.5 * rate)).map { i -> Double in
            let t = Double(i) / rate
            return n.next() * min(1, t / 0.006) * exp(-t / 0.06)
        }
        let low = TestBiquad.filter(thump, .lowpass, hz: 150, order: 2)
        let click = TestBiquad.filter(thump.enumerated().map { $1 * exp(-Double($0) / rate / 0.01) }, .bandpass, hz: 2_000, q: 1)
        return level(zip(low, click).map { $0 + 0.05 * $1 }, -16)
    }

    static func churchBell(seed: UInt64) -> [Double] {
        let partials: [(Double, Double, Double)] = [(0.5, 0.6, 3), (1, 1, 2.5), (1.2, 0.7, 2), (1.5, 0.5, 1.5),
                                                    (2, 0.6, 1.2), (2.5, 0.3, 0.8), (3, 0.25, 0.6)]
        let count = Int(4 * rate)
        let out = (0..<count).map { i -> Double in
            let t = Double(i) / rate
            var s = 0.0
            for (r, a, tau) in partials { s += a * exp(-t / tau) * sin(2 * Double.pi * 580 * r * t) }
            return s * min(1, t / 0.003)
        }
        return level(out, -16)
    }
}
