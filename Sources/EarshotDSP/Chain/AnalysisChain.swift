// The per-hop analysis: Q15 samples in, one FeatureFrame out.
//
//   hop (Q15) → DC blocker → calibration gain → conditioned hop (Q15)
//     ├─ Σx², peak                      → levelZ, peak, clipped
//     ├─ octave filterbank (8 lanes)    → bandLevel → background → bandSNR
//     ├─ A-weighting                    → levelA
//     ├─ Goertzel bank (16 lanes)       → binPower
//     ├─ envelope follower              → envelope
//     └─ onset detector                 → onsetOffset, riseRate, crest
//   levelZ → scalar background → backgroundZ

/// Runs every DSP stage over one hop of Q15 samples and fills a
/// `FeatureFrame`. All state is inline (no references); `process` never
/// allocates and costs O(hopSamples).
public struct AnalysisChain {
    /// The configuration this chain was designed for.
    public let config: AnalysisConfig

    @usableFromInline var dcBlocker: DCBlocker
    @usableFromInline let gain: CalibrationGain
    @usableFromInline var filterbank: OctaveFilterbank
    @usableFromInline var aWeighting: AWeightingFilter
    @usableFromInline var goertzel: GoertzelBank
    @usableFromInline var envelope: EnvelopeFollower
    @usableFromInline var onset: OnsetDetector
    @usableFromInline var bandBackground: BackgroundTracker
    @usableFromInline var broadbandBackground: ScalarBackgroundTracker

    @usableFromInline var hopIndex: Int64 = 0
    @usableFromInline var nextSample: Int64 = 0
    /// Q8.8 dB offset turning powerQ8_8(Σx² of one hop) into dBFS.
    @usableFromInline let hopOffsetQ8_8: Int32
    @usableFromInline let hopSamples: Int
    /// Lanes of the filterbank that produce a level (compliant or partial).
    @usableFromInline let activeBands: SIMDMask<SIMD8<Int16>.MaskStorage>

    /// Designs every stage for `config` (Double math, configuration time).
    public init(config: AnalysisConfig) {
        precondition(config.sampleRate >= 8_000 && config.sampleRate <= 48_000, "AnalysisChain: sampleRate out of 8000…48000")
        precondition(config.hopSamples > 0 && config.hopSamples <= 1_024, "AnalysisChain: hopSamples out of 1…1024")
        self.config = config
        self.hopSamples = Int(config.hopSamples)
        self.hopOffsetQ8_8 = Decibel.dBFSOffsetQ8_8(sampleCount: Int(config.hopSamples))
        self.dcBlocker = DCBlocker(sampleRate: config.sampleRate)
        self.gain = CalibrationGain(gain: config.calibrationGain)
        self.filterbank = OctaveFilterbank(sampleRate: config.sampleRate)
        self.aWeighting = AWeightingFilter(sampleRate: config.sampleRate)
        self.goertzel = GoertzelBank(
            sampleRate: config.sampleRate, frequencies: config.binFrequencies, binCount: config.binCount,
            blockSamples: config.hopSamples &* config.goertzelBlockHops,
            hopSamples: config.hopSamples &* config.goertzelBlockHops)
        self.envelope = EnvelopeFollower(
            sampleRate: config.sampleRate, attackMs: config.envelopeAttackMs, releaseMs: config.envelopeReleaseMs)
        self.onset = OnsetDetector(sampleRate: config.sampleRate, riseDbPerMs: config.onsetRiseDbPerMs)
        let hopSeconds = Double(Int(config.hopSamples)) / Double(Int(config.sampleRate))
        self.bandBackground = BackgroundTracker(hopSeconds: hopSeconds, riseSeconds: config.backgroundRiseSeconds)
        self.broadbandBackground = ScalarBackgroundTracker(hopSeconds: hopSeconds, riseSeconds: config.backgroundRiseSeconds)
        var active = SIMDMask<SIMD8<Int16>.MaskStorage>(repeating: false)
        for lane in 0..<8 { active[lane] = filterbank.bandStatus(lane) != .inactive }
        self.activeBands = active
    }

    /// Processes exactly `config.hopSamples` Q15 samples and writes the
    /// hop's features into `frame`.
    public mutating func process(hop: UnsafeBufferPointer<Int16>, into frame: inout FeatureFrame) {
        precondition(hop.count == hopSamples, "AnalysisChain: hop must hold config.hopSamples samples")
        let n = hopSamples
        // The conditioned hop (after DC blocking and gain), Q15, on the stack.
        var conditioned = InlineArray<1_024, Int16>(repeating: 0)
        withUnsafeMutablePointer(to: &conditioned) { storage in
            let x = UnsafeMutableBufferPointer(
                start: UnsafeMutableRawPointer(storage).assumingMemoryBound(to: Int16.self), count: n)
            dcBlocker.process(hop, into: x)
            gain.process(inPlace: x)
            let input = UnsafeBufferPointer(x)

            frame = FeatureFrame()
            frame.hopIndex = hopIndex
            frame.firstSample = nextSample
            Self.measureBroadband(input, offset: hopOffsetQ8_8, into: &frame)

            var bandEnergy = SIMD8<UInt64>(repeating: 0)
            filterbank.process(input, energy: &bandEnergy)
            frame.bandLevel = levels(of: bandEnergy)
            frame.bandSNR = bandBackground.update(frame.bandLevel)
            frame.bandBackground = bandBackground.background
            _ = broadbandBackground.update(frame.levelZ)
            frame.backgroundZ = broadbandBackground.background

            var aEnergy: UInt64 = 0
            aWeighting.process(input, energy: &aEnergy)
            frame.levelA = Self.level(aEnergy, offset: hopOffsetQ8_8)

            _ = goertzel.process(input)
            frame.binPower = goertzel.power

            envelope.process(input)
            frame.envelope = envelope.levelQ8_8

            frame.onsetOffset = Int16(truncatingIfNeeded: onset.process(input))
            let hopFeatures = onset.endHop()
            frame.riseRate = hopFeatures.riseRate
            frame.crest = hopFeatures.crest
        }
        hopIndex &+= 1
        nextSample &+= Widen.int64(Int32(truncatingIfNeeded: n))
    }

    /// Q8.8 dBFS per band from hop energies; inactive lanes read the floor.
    @inlinable
    func levels(of energy: SIMD8<UInt64>) -> SIMD8<Int16> {
        var out = SIMD8<Int16>(repeating: FeatureFrame.floor)
        for lane in 0..<8 where activeBands[lane] {
            out[lane] = Self.level(energy[lane], offset: hopOffsetQ8_8)
        }
        return out
    }

    /// Q8.8 dBFS of a hop energy (Σx², Q30 units), clamped to the floor.
    @inlinable @inline(__always)
    static func level(_ energy: UInt64, offset: Int32) -> Int16 {
        let l = Decibel.powerQ8_8(energy) &+ offset
        return Saturate.toInt16(l < Int32(FeatureFrame.floor) ? Int32(FeatureFrame.floor) : l)
    }

    /// levelZ, peak and clipped-sample count of the conditioned hop.
    @inlinable
    static func measureBroadband(_ x: UnsafeBufferPointer<Int16>, offset: Int32, into frame: inout FeatureFrame) {
        var sum: UInt64 = 0
        var peak: Int32 = 0
        var clipped: Int16 = 0
        for s in x {
            let v = Int32(s)
            let m = v < 0 ? 0 &- v : v
            if m > peak { peak = m }
            if m >= 32_767 { clipped &+= 1 }
            sum &+= UInt64(bitPattern: Widen.product(v, v))
        }
        frame.levelZ = level(sum, offset: offset)
        // Peak re a full-scale sine's peak: 20·log10(peak/32768) = 10·log10(peak²) − 10·log10(2^30).
        let peakQ8_8 = Decibel.powerQ8_8(UInt64(bitPattern: Widen.product(peak, peak))) &- 23_119  // 90.309 dB · 256
        frame.peak = Saturate.toInt16(peakQ8_8 < Int32(FeatureFrame.floor) ? Int32(FeatureFrame.floor) : peakQ8_8)
        frame.clippedSamples = clipped
    }
}
