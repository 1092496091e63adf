import EarshotDSP

/// Hidden mode `earshot-bench frames`: runs `AnalysisChain` over fixed
/// synthetic signals in several configurations and prints one FNV-1a 64 hash
/// of the serialised feature frames per configuration. Used by
/// `Tools/bench/frames_check.sh` to prove an optimisation leaves every frame
/// bit-identical (compare the output before and after a change).
enum FrameDump {
    /// One configuration of the check: name, chain configuration, seconds.
    struct Case {
        let name: String
        let config: AnalysisConfig
        let seconds: Int
    }

    static var cases: [Case] {
        var out: [Case] = []
        out.append(Case(name: "16k_default", config: AnalysisConfig(sampleRate: 16_000), seconds: 120))
        out.append(Case(name: "48k_default", config: AnalysisConfig(sampleRate: 48_000), seconds: 60))
        var gain = AnalysisConfig(sampleRate: 16_000)
        gain.calibrationGain = 3.7
        out.append(Case(name: "16k_gain3.7", config: gain, seconds: 60))
        var odd = AnalysisConfig(sampleRate: 16_000)
        odd.hopSamples = 161
        odd.goertzelBlockHops = 1
        odd.binCount = 11
        out.append(Case(name: "16k_hop161", config: odd, seconds: 60))
        var cd = AnalysisConfig(sampleRate: 44_100)
        cd.goertzelBlockHops = 3
        cd.calibrationGain = 0.4
        out.append(Case(name: "44k1_block3", config: cd, seconds: 30))
        var low = AnalysisConfig(sampleRate: 8_000)
        low.envelopeAttackMs = 3
        low.onsetRiseDbPerMs = 0.8
        low.backgroundRiseSeconds = 2
        out.append(Case(name: "8k_misc", config: low, seconds: 60))
        return out
    }

    /// Prints `frames_<name>=<hash> hops=<n>` for every case.
    static func run() {
        for c in cases {
            let (hash, hops) = hashFrames(config: c.config, seconds: c.seconds)
            print("frames_\(c.name)=\(hex(hash)) hops=\(hops)")
        }
    }

    static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    static func hashFrames(config: AnalysisConfig, seconds: Int) -> (UInt64, Int) {
        var chain = AnalysisChain(config: config)
        let hop = Int(config.hopSamples)
        let rate = Int(config.sampleRate)
        let hops = seconds * rate / hop
        var signal = SignalSource(rate: rate)
        var buffer = [Int16](repeating: 0, count: hop)
        var frame = FeatureFrame()
        var h = Hasher64()
        for _ in 0..<hops {
            for i in 0..<hop { buffer[i] = signal.next() }
            buffer.withUnsafeBufferPointer { chain.process(hop: $0, into: &frame) }
            h.add(frame)
        }
        return (h.state, hops)
    }

    /// Deterministic integer test signal: noise whose level wanders (−70 …
    /// −10 dBFS), DC offset, tones (1 kHz, 3.15 kHz, a 400↔1200 Hz sweep),
    /// impulses, full-scale square bursts (clipping), silence.
    struct SignalSource {
        let rate: Int
        var n = 0
        var rng: UInt64 = 0x9E37_79B9_7F4A_7C15
        var ph1: UInt32 = 0, ph2: UInt32 = 0, ph3: UInt32 = 0
        let inc1: UInt32, inc2: UInt32

        init(rate: Int) {
            self.rate = rate
            inc1 = UInt32((UInt64(1_000) << 32) / UInt64(rate))
            inc2 = UInt32((UInt64(3_150) << 32) / UInt64(rate))
        }

        mutating func nextU32() -> UInt32 {
            rng ^= rng >> 12; rng ^= rng << 25; rng ^= rng >> 27
            return UInt32(truncatingIfNeeded: (rng &* 0x2545_F491_4F6C_DD1D) >> 32)
        }

        static func sine(_ phase: UInt32) -> Int32 {
            // Parabolic approximation: exact bits do not matter, determinism does.
            let x = Int64(Int32(bitPattern: phase)) >> 16          // −32768 … 32767 ↔ −π … π
            let y = (x * (32_768 - (x < 0 ? -x : x))) >> 13        // ≈ 32767·sin
            return Int32(truncatingIfNeeded: y)
        }

        mutating func next() -> Int16 {
            let sec = n / rate
            let noiseShift = 4 + (sec % 11) % 7                      // level steps every second
            var s = Int32(bitPattern: nextU32()) >> Int32(noiseShift + 12)
            s += 300                                                 // DC offset
            s += Self.sine(ph1) / 10
            if sec % 3 == 1 { s += Self.sine(ph2) / 3 }
            if sec % 13 == 5 { s += Self.sine(ph3) / 4 }
            if n % (rate * 2) == rate / 2 { s += 30_000 }
            if n % (rate * 3) == rate / 3 { s -= 28_000 }
            if sec % 5 == 4 && (n % rate) < rate / 5 { s = (ph1 & 0x8000_0000) != 0 ? 32_767 : -32_768 }
            if sec % 7 == 6 { s = 0 }
            ph1 &+= inc1; ph2 &+= inc2
            let sweepHz = 400 + (n % (rate * 4)) * 800 / (rate * 4)
            ph3 &+= UInt32((UInt64(sweepHz) << 32) / UInt64(rate))
            n += 1
            return Int16(clamping: s)
        }
    }

    /// FNV-1a 64 over the frame's fields, little-endian, no padding bytes.
    struct Hasher64 {
        var state: UInt64 = 0xCBF2_9CE4_8422_2325
        mutating func byte(_ b: UInt8) { state = (state ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        mutating func add16(_ v: Int16) { let u = UInt16(bitPattern: v); byte(UInt8(u & 0xFF)); byte(UInt8(u >> 8)) }
        mutating func add64(_ v: Int64) { for k in 0..<8 { byte(UInt8(truncatingIfNeeded: v >> (8 * k))) } }
        mutating func add(_ f: FeatureFrame) {
            add64(f.hopIndex); add64(f.firstSample)
            for i in 0..<8 { add16(f.bandLevel[i]) }
            for i in 0..<8 { add16(f.bandBackground[i]) }
            for i in 0..<8 { add16(f.bandSNR[i]) }
            for i in 0..<16 { add16(f.binPower[i]) }
            add16(f.levelA); add16(f.levelZ); add16(f.backgroundZ); add16(f.peak)
            add16(f.envelope); add16(f.riseRate); add16(f.crest); add16(f.onsetOffset)
            add16(f.clippedSamples)
        }
    }
}
