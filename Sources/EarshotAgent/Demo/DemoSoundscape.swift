// The demo's street: traffic rumble with slow variation and passing cars, plus
// abnormal sounds at known times. Synthesised in Double, stored as Q15 Int16 at
// 16 kHz. Each sound is shaped like the class it stands for (band balance,
// tonality, attack, duration), modelled on how the real sound is produced and
// propagates in a street, not on the thresholds of the signature table.
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
    /// Gunshot only: heard down a street with facade echoes and reverberation (true, the
    /// demo's), or close and dry — a 12 ms blast with an 80 ms tail (false: the HIL VM's
    /// stimulus, whose relaxed table wants the level 20 dB down within 300 ms).
    public var reverberant: Bool

    public init(className: String, label: String, onsetSeconds: Double, durationSeconds: Double, levelDBFS: Double,
                reverberant: Bool = true) {
        self.className = className
        self.label = label
        self.onsetSeconds = onsetSeconds
        self.durationSeconds = durationSeconds
        self.levelDBFS = levelDBFS
        self.reverberant = reverberant
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
    public static func street(seconds: Double = 60, siren: Bool = false, seed: UInt64 = 7) -> DemoSoundscape {
        var plan = [
            DemoEventSpec(className: "gunshot", label: "gunshot", onsetSeconds: 8, durationSeconds: 1.2, levelDBFS: -24),
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
        case "gunshot" where !spec.reverberant:
            // Close, dry shot: sharp broadband burst (τ 12 ms) and a short tail (τ 80 ms), 120 Hz–2.5 kHz.
            var n = Noise(seed: seed)
            let burst = (0..<Int(d * rate)).map { i -> Double in
                let t = Double(i) / rate
                return n.next() * exp(-t / 0.012) + 0.3 * n.next() * exp(-t / 0.08) * (t > 0.002 ? 1 : 0)
            }
            return level(filter(filter(burst, .lowpass, hz: 2_500), .highpass, hz: 120), l)
        case "gunshot":
            return gunshot(seconds: d, dBFS: l, seed: seed)
        case "glass_break":
            return glassBreak(seconds: d, dBFS: l, seed: seed)
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

    /// A shot heard ~50 m away down a street: the muzzle blast (a Friedlander
    /// pressure pulse, 1.5 ms positive phase, rounded off above ~5 kHz by air
    /// and distance) with its low-frequency boom (most of a blast's energy lies
    /// below 500 Hz), then the discrete echoes of the facades (15–180 ms, each
    /// weaker and duller) and the street's reverberation (RT60 ≈ 1.5 s, dull).
    static func gunshot(seconds d: Double, dBFS l: Double, seed: UInt64) -> [Double] {
        var n = Noise(seed: seed)
        let count = Int(d * rate)
        var blast = [Double](repeating: 0, count: Int(0.06 * rate))
        let tp = 0.0015
        for i in blast.indices {
            let t = Double(i) / rate
            blast[i] = (1 - t / tp) * exp(-2 * t / tp)               // Friedlander waveform
                + 0.5 * n.next() * exp(-t / 0.004)                     // turbulent broadband crack
        }
        blast = filter(blast, .lowpass, hz: 5_000, order: 2)
        var boomNoise = Noise(seed: seed &+ 1)
        let boom = filter((0..<blast.count).map { i in boomNoise.next() * exp(-Double(i) / rate / 0.02) },
                          .lowpass, hz: 400, order: 2)
        for i in blast.indices { blast[i] += 2.5 * boom[i] }
        var x = [Double](repeating: 0, count: count)
        func add(_ src: [Double], at t0: Double, gain: Double) {
            let s = Int(t0 * rate)
            for i in src.indices where s + i < count { x[s + i] += gain * src[i] }
        }
        add(blast, at: 0, gain: 1)
        // Facade echoes: later ones weaker and duller (longer paths, absorption).
        let dull = filter(blast, .lowpass, hz: 2_000)
        for (k, t0) in [0.015, 0.032, 0.055, 0.085, 0.12, 0.18].enumerated() {
            let jitter = 1 + 0.004 * n.next() / max(0.001, t0)
            add(k < 2 ? blast : dull, at: t0 * jitter, gain: 0.7 * pow(0.8, Double(k)))
        }
        // Reverberant tail: diffuse noise, RT60 1.5 s (street canyons measure 1–3 s; amplitude
        // τ = RT60 / 6.9), below 2.5 kHz. At ~50 m the reverberant field is comparable to the direct blast.
        let tau = 1.5 / 6.9
        let tail = filter((0..<count).map { i -> Double in
            let t = Double(i) / rate
            return n.next() * exp(-t / tau) * min(1, t / 0.01)
        }, .lowpass, hz: 2_500)
        for i in 0..<count { x[i] += 0.5 * tail[i] }
        return level(filter(x, .highpass, hz: 40), l)
    }

    /// A window pane breaking: the impact (the pane's low-mid thud and a broadband
    /// crack), the fracture — shards breaking off for 0.3–0.45 s, each a high-passed
    /// noise tick with one ringing partial somewhere in 1.8–7.5 kHz (glass pieces
    /// ring at sparse, unrelated frequencies) — then, once the first pieces have
    /// fallen 0.45–1 m, their clatter on the pavement: a second, weaker burst.
    static func glassBreak(seconds d: Double, dBFS l: Double, seed: UInt64) -> [Double] {
        var n = Noise(seed: seed)
        let count = Int(d * rate)
        var x = [Double](repeating: 0, count: count)
        // Impact: the pane's flexural thud (200 Hz–1 kHz, τ 15 ms: what dual-band glass-break
        // detectors look for before the crash) and a 400 Hz–6 kHz crack, τ 3 ms.
        var thudNoise = Noise(seed: seed &+ 1)
        let thudLength = Int(0.06 * rate)
        let thud = filter((0..<thudLength).map { i in thudNoise.next() * exp(-Double(i) / rate / 0.015) },
                          .bandpass, hz: 450, order: 2)
        for i in 0..<min(count, thudLength) { x[i] += 2.5 * thud[i] }
        let impact = filter(filter((0..<Int(0.04 * rate)).map { i in n.next() * exp(-Double(i) / rate / 0.003) },
                                   .highpass, hz: 400), .lowpass, hz: 6_000)
        for i in impact.indices where i < count { x[i] += 1.2 * impact[i] }
        /// One shard: a 3–11 ms noise tick above 1.5 kHz and a partial ringing 15–55 ms.
        func shard(at t0: Double, amplitude: Double) {
            let s = Int(t0 * rate)
            guard s < count else { return }
            let amp = amplitude * pow(10, 0.15 * n.next())                 // ±3 dB
            let tick = 0.003 + 0.004 * (n.next() + 1)
            let ring = 0.015 + 0.02 * (n.next() + 1)
            let f = 1_800 + 2_850 * (n.next() + 1)
            let len = min(count - s, Int(5 * ring * rate))
            let tickNoise = filter((0..<len).map { i in n.next() * exp(-Double(i) / rate / tick) }, .highpass, hz: 1_500, order: 2)
            for i in 0..<len {
                let t = Double(i) / rate
                x[s + i] += amp * (tickNoise[i] + 0.45 * sin(2 * Double.pi * f * t) * exp(-t / ring))
            }
        }
        // Fracture: cracks run across the pane and pieces break off, weakening, until the
        // first pieces land (0.3–0.45 s: a fall of 0.45–1 m).
        let landing = 0.3 + 0.075 * (n.next() + 1)
        var t = 0.004
        while t < landing {
            shard(at: t, amplitude: 0.5 * exp(-t / 0.3))
            t += 0.008 + 0.006 * (n.next() + 1)                          // every 8–20 ms
        }
        // Landing: 5–8 pieces hit the pavement over ~150 ms.
        t = landing
        for _ in 0..<(5 + Int((n.next() + 1) * 1.75)) {
            shard(at: t, amplitude: 0.4 * exp(-(t - landing) / 0.1))
            t += 0.015 + 0.01 * (n.next() + 1)
        }
        return level(x, l)
    }
}
