// The demo's street: traffic rumble with slow variation and passing cars, plus
// abnormal sounds at known times. Synthesised in Double, stored as Q15 Int16 at
// 16 kHz. Each sound is shaped like the class it stands for (band balance,
// tonality, attack, duration) so the default signature table recognises it.
#if canImport(Glibc)
import Glibc
#endif

/// One abnormal sound placed in the demo soundscape.
public struct DemoEventSpec: Sendable, Equatable {
    /// Class the default table should report (e.g. "gunshot").
    public var className: String
    /// What a person would call it ("gunshot", "breaking window").
    public var label: String
    /// Onset, seconds from the start of the soundscape.
    public var onsetSeconds: Double
    /// Length of the synthesised sound, seconds.
    public var durationSeconds: Double
    /// RMS level of the sound while active, dBFS (0 dBFS = full-scale sine).
    public var levelDBFS: Double

    public init(className: String, label: String, onsetSeconds: Double, durationSeconds: Double, levelDBFS: Double) {
        self.className = className
        self.label = label
        self.onsetSeconds = onsetSeconds
        self.durationSeconds = durationSeconds
        self.levelDBFS = levelDBFS
    }
}

/// A synthesised soundscape: mono Q15 samples and what was placed in it.
public struct DemoSoundscape: Sendable {
    /// Sample rate, Hz (16 000).
    public let rate: Int
    /// Mono samples, Q15.
    public let samples: [Int16]
    /// The abnormal sounds, in onset order.
    public let events: [DemoEventSpec]
    /// Length, seconds.
    public var seconds: Double { Double(samples.count) / Double(rate) }

    /// The default plan: gunshot 8 s, breaking window 19 s, car horn 30 s,
    /// angle grinder 40 s, and (with `siren`) a siren wail at 50 s, in `seconds`
    /// (≥ 56 with the siren, ≥ 45 without) of traffic at about −55 dBFS.
    public static func street(seconds: Double = 60, siren: Bool = true, seed: UInt64 = 7) -> DemoSoundscape {
        var plan = [
            DemoEventSpec(className: "gunshot", label: "gunshot", onsetSeconds: 8, durationSeconds: 0.4, levelDBFS: -12),
            DemoEventSpec(className: "glass_break", label: "breaking window", onsetSeconds: 19, durationSeconds: 0.8, levelDBFS: -18),
            DemoEventSpec(className: "car_horn", label: "car horn", onsetSeconds: 30, durationSeconds: 0.9, levelDBFS: -18),
            DemoEventSpec(className: "power_tool", label: "angle grinder", onsetSeconds: 40, durationSeconds: 3, levelDBFS: -22),
        ]
        if siren {
            plan.append(DemoEventSpec(className: "siren", label: "siren", onsetSeconds: 50, durationSeconds: 4.5, levelDBFS: -20))
        }
        return make(seconds: seconds, plan: plan, seed: seed)
    }

    /// Traffic of `seconds` plus each sound of `plan` (unknown class names are skipped).
    public static func make(seconds: Double, plan: [DemoEventSpec], seed: UInt64) -> DemoSoundscape {
        let rate = 16_000
        var x = DemoSynth.traffic(count: Int(seconds * Double(rate)), seed: seed)
        var placed: [DemoEventSpec] = []
        for (k, spec) in plan.enumerated() {
            guard let sound = DemoSynth.sound(spec, seed: seed &+ UInt64(k + 1)) else { continue }
            let start = Int(spec.onsetSeconds * Double(rate))
            for i in 0..<sound.count where start + i < x.count { x[start + i] += sound[i] }
            placed.append(spec)
        }
        let q15 = x.map { Int16(max(-32_768, min(32_767, ($0 * 32_768).rounded()))) }
        return DemoSoundscape(rate: rate, samples: q15, events: placed)
    }
}

/// Double-precision building blocks of the demo (samples in [−1, 1], 16 kHz).
enum DemoSynth {
    static let rate = 16_000.0

    /// Deterministic uniform noise in [−1, 1).
    struct Noise {
        var state: UInt64
        init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
        mutating func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 52) - 1
        }
    }

    /// RBJ biquad (low-pass, high-pass, band-pass).
    struct Biquad {
        enum Kind { case lowpass, highpass, bandpass }
        var b0 = 1.0, b1 = 0.0, b2 = 0.0, a1 = 0.0, a2 = 0.0
        var x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0
        init(_ kind: Kind, hz: Double, q: Double = 0.7071) {
            let w = 2 * Double.pi * hz / DemoSynth.rate, alpha = sin(w) / (2 * q), c = cos(w), a0 = 1 + alpha
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
    }

    static func filter(_ xs: [Double], _ kind: Biquad.Kind, hz: Double, order: Int = 1) -> [Double] {
        var out = xs
        for _ in 0..<order {
            var f = Biquad(kind, hz: hz)
            for i in out.indices { out[i] = f.run(out[i]) }
        }
        return out
    }

    static func noise(_ count: Int, seed: UInt64) -> [Double] {
        var n = Noise(seed: seed)
        return (0..<count).map { _ in n.next() }
    }

    /// Scales `xs` so its RMS over the non-silent samples is `dBFS` (full-scale sine RMS = 0.7071).
    static func level(_ xs: [Double], _ dBFS: Double) -> [Double] {
        var sum = 0.0, n = 0
        for v in xs where abs(v) > 1e-9 { sum += v * v; n += 1 }
        let rms = (sum / Double(max(1, n))).squareRoot()
        let g = pow(10, dBFS / 20) * 0.7071 / max(1e-12, rms)
        return xs.map { $0 * g }
    }

    /// Harmonic tone with instantaneous frequency `hz(t)`.
    static func tone(_ hz: (Double) -> Double, seconds: Double, harmonics: [Double] = [1]) -> [Double] {
        var phase = 0.0
        return (0..<Int(seconds * rate)).map { i in
            phase += 2 * Double.pi * hz(Double(i) / rate) / rate
            var s = 0.0
            for (k, a) in harmonics.enumerated() where a != 0 { s += a * sin(Double(k + 1) * phase) }
            return s
        }
    }

    /// Linear fade-in over `attack` s and fade-out over `release` s.
    static func envelope(_ xs: [Double], attack: Double, release: Double) -> [Double] {
        let end = Double(xs.count) / rate
        return xs.enumerated().map { i, x in
            let t = Double(i) / rate
            return x * min(1, t / attack) * min(1, max(0, (end - t) / release))
        }
    }

    /// Traffic: low rumble (engines, tyres; below 250 Hz) and a softer broadband
    /// hiss, swelling slowly (20 s period) with a passing car every ~7 s.
    static func traffic(count: Int, seed: UInt64) -> [Double] {
        let rumble = level(filter(noise(count, seed: seed), .lowpass, hz: 250, order: 2), -56)
        let hiss = level(filter(noise(count, seed: seed &+ 99), .lowpass, hz: 1_500), -60)
        return (0..<count).map { i in
            let t = Double(i) / rate
            let swell = 1 + 0.35 * sin(2 * Double.pi * t / 20)
            let car = 1 + 0.3 * exp(-pow((t.truncatingRemainder(dividingBy: 7) - 3.5) / 1.2, 2))
            return (rumble[i] + hiss[i]) * swell * car
        }
    }

    /// The samples of one planned sound, nil for a class the demo cannot synthesise.
    static func sound(_ spec: DemoEventSpec, seed: UInt64) -> [Double]? {
        let d = spec.durationSeconds, l = spec.levelDBFS
        switch spec.className {
        case "gunshot":
            // Muzzle blast: sharp broadband burst (τ 12 ms) and a longer reverberant tail, 120 Hz–2.5 kHz.
            var n = Noise(seed: seed)
            let burst = (0..<Int(d * rate)).map { i -> Double in
                let t = Double(i) / rate
                return n.next() * exp(-t / 0.012) + 0.3 * n.next() * exp(-t / 0.08) * (t > 0.002 ? 1 : 0)
            }
            return level(filter(filter(burst, .lowpass, hz: 2_500), .highpass, hz: 120), l)
        case "glass_break":
            // Several decaying high-frequency shards plus ringing partials (3.7, 5.1, 6.3 kHz).
            var n = Noise(seed: seed)
            let count = Int(d * rate)
            var x = [Double](repeating: 0, count: count)
            for (k, t0) in [0.0, 0.045, 0.1, 0.17, 0.26, 0.37].enumerated() {
                let s = Int(t0 * rate), a = pow(0.8, Double(k))
                guard s < count else { continue }
                for i in 0..<min(count - s, Int(0.05 * rate)) { x[s + i] += a * n.next() * exp(-Double(i) / rate / 0.008) }
            }
            for (f, a) in [(3_700.0, 0.2), (5_100.0, 0.15), (6_300.0, 0.1)] {
                for i in 0..<count { x[i] += a * sin(2 * Double.pi * f * Double(i) / rate) * exp(-Double(i) / rate / 0.2) }
            }
            return level(filter(x, .highpass, hz: 2_000, order: 2), l)
        case "car_horn":
            // Two-tone horn (410 + 500 Hz) with a rich harmonic series.
            let h: [Double] = [1, 0.7, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15]
            let a = tone({ _ in 410 }, seconds: d, harmonics: h)
            let b = tone({ _ in 500 }, seconds: d, harmonics: h)
            return level(envelope(zip(a, b).map { $0 + $1 }, attack: 0.01, release: 0.02), l)
        case "power_tool":
            // Angle grinder cutting: broadband cutting/sparks noise (400 Hz–4 kHz) dominates, the
            // disc whine (3 kHz) 14 dB and the motor hum (150 Hz) 16 dB under it (the recorded power
            // tools of the corpus are noise-like, not a pure whine over hiss).
            let count = Int(d * rate)
            let hiss = level(filter(filter(noise(count, seed: seed), .highpass, hz: 400, order: 2), .lowpass, hz: 4_000), l)
            let whine = level(tone({ _ in 3_000 }, seconds: d), l - 14)
            let motor = level(tone({ _ in 150 }, seconds: d, harmonics: [1, 0.7, 0.5, 0.4]), l - 16)
            return envelope((0..<count).map { hiss[$0] + whine[$0] + motor[$0] }, attack: 0.2, release: 0.2)
        case "siren":
            // Wail: 650 ↔ 1500 Hz over 3 s, odd harmonic.
            let s = tone({ t in 1_075 - 425 * cos(2 * Double.pi * t / 3) }, seconds: d, harmonics: [1, 0, 0.3])
            return level(envelope(s, attack: 0.2, release: 0.2), l)
        default:
            return nil
        }
    }
}
