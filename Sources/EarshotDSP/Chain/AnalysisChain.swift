// The per-hop analysis: Q15 samples in, one FeatureFrame out.
//
//   hop (Q15) → DC blocker → calibration gain → conditioned hop (Q15)
//     ├─ Σx², peak                      → levelZ, peak, clipped
//     ├─ octave filterbank (8 lanes)    → bandLevel → background → bandSNR
//     ├─ A-weighting                    → levelA
//     ├─ Goertzel bank (16 lanes)       → binPower
//     ├─ envelope follower              → envelope
//     ├─ onset detector                 → onsetOffset, riseRate, crest
//     └─ pitch estimator (gated by bandSNR 500 Hz–2 kHz) → pitchHz, pitchProminence
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
    @usableFromInline var pitch: PitchEstimator
    /// `config.pitchGateSnrDb` in Q8.8 dB.
    @usableFromInline let pitchGate: Int16

    @usableFromInline var hopIndex: Int64 = 0
    @usableFromInline var nextSample: Int64 = 0
    /// Q8.8 dB offset turning powerQ8_8(Σx² of one hop) into dBFS.
    @usableFromInline let hopOffsetQ8_8: Int32
    @usableFromInline let hopSamples: Int
    /// Lanes of the filterbank that produce a level (compliant or partial).
    @usableFromInline let activeBands: SIMDMask<SIMD8<Int16>.MaskStorage>
    /// The gain is exactly 1 (Q27 2^27): the gain stage is the identity.
    @usableFromInline let unityGain: Bool
    /// The conditioned hop (after DC blocking and gain), Q15, behind
    /// `historySlots` samples of pre-emphasis history. Kept in the chain so
    /// no hop-sized buffer is cleared per hop.
    /// Also the hop's onset checkpoints (see `scratchWords`).
    @usableFromInline var scratch = InlineArray<1_027, Int64>(repeating: 0)

    /// Designs every stage for `config` (Double math, configuration time).
    public init(config: AnalysisConfig) {
        precondition(config.sampleRate >= 8_000 && config.sampleRate <= 48_000, "AnalysisChain: sampleRate out of 8000…48000")
        precondition(config.hopSamples > 0 && config.hopSamples <= 1_024, "AnalysisChain: hopSamples out of 1…1024")
        self.config = config
        self.hopSamples = Int(config.hopSamples)
        self.hopOffsetQ8_8 = Decibel.dBFSOffsetQ8_8(sampleCount: Int(config.hopSamples))
        self.dcBlocker = DCBlocker(sampleRate: config.sampleRate)
        self.gain = CalibrationGain(gain: config.calibrationGain)
        self.unityGain = gain.gainQ27 == 1 << 27
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
        self.pitch = PitchEstimator(sampleRate: config.sampleRate)
        self.pitchGate = Int16(max(0, min(100, config.pitchGateSnrDb)) * 256)
        var active = SIMDMask<SIMD8<Int16>.MaskStorage>(repeating: false)
        for lane in 0..<8 { active[lane] = filterbank.bandStatus(lane) != .inactive }
        self.activeBands = active
    }

    /// Processes exactly `config.hopSamples` Q15 samples and writes the
    /// hop's features into `frame`.
    public mutating func process(hop: UnsafeBufferPointer<Int16>, into frame: inout FeatureFrame) {
        precondition(hop.count == hopSamples, "AnalysisChain: hop must hold config.hopSamples samples")
        let n = hopSamples
        let unity = unityGain
        let offset = hopOffsetQ8_8
        let active = activeBands
        withUnsafeMutablePointer(to: &scratch) { storage in
            let words = UnsafeMutableRawPointer(storage).assumingMemoryBound(to: Int64.self)
            let x = UnsafeMutableRawPointer(words).assumingMemoryBound(to: Int16.self) + Self.historySlots
            let meanSquares = words + Self.scratchSampleWords
            let jumps = UnsafeMutableRawPointer(meanSquares + Self.maxCheckpointsPerHop).assumingMemoryBound(to: Int32.self)
            // One pass: DC blocker, gain, envelope, onset, and (64-bit
            // targets, block mode) the Goertzel resonators, whose vector
            // recursion runs beside the scalar ones.
            var front: FrontEndHop
            #if arch(x86_64) || arch(arm64)
            if var lanes = goertzel.lanesAlongside(count: n) {
                front = unity
                    ? Self.frontEnd(hop, into: x, applyGain: false, meanSquares: meanSquares, jumps: jumps,
                                    dcBlocker: &dcBlocker, gain: gain, envelope: &envelope, onset: &onset) { v in
                        lanes.step(Widen.int64(v) &<< 30)
                    }
                    : Self.frontEnd(hop, into: x, applyGain: true, meanSquares: meanSquares, jumps: jumps,
                                    dcBlocker: &dcBlocker, gain: gain, envelope: &envelope, onset: &onset) { v in
                        lanes.step(Widen.int64(v) &<< 30)
                    }
                goertzel.finish(lanes, count: n)
            } else {
                front = Self.frontEnd(hop, into: x, applyGain: !unity, meanSquares: meanSquares, jumps: jumps,
                                      dcBlocker: &dcBlocker, gain: gain, envelope: &envelope, onset: &onset) { _ in }
                _ = goertzel.process(UnsafeBufferPointer(start: UnsafePointer(x), count: n))
            }
            #else
            front = Self.frontEnd(hop, into: x, applyGain: !unity, meanSquares: meanSquares, jumps: jumps,
                                  dcBlocker: &dcBlocker, gain: gain, envelope: &envelope, onset: &onset) { _ in }
            _ = goertzel.process(UnsafeBufferPointer(start: UnsafePointer(x), count: n))
            #endif
            Self.hopStatistics(UnsafePointer(x), count: n, into: &front)
            let input = UnsafeBufferPointer(start: UnsafePointer(x), count: n)

            frame = FeatureFrame()
            frame.hopIndex = hopIndex
            frame.firstSample = nextSample
            Self.broadbandLevels(sum: front.sum, peak: front.peak, clipped: front.clipped,
                                 offset: offset, into: &frame)

            // Octave bands and A-weighting in one pass (vector + scalar work).
            var bandEnergy = SIMD8<UInt64>(repeating: 0)
            #if arch(x86_64)
            if OctaveFilterbank.fourLanePasses {
                // Two four-lane passes (AVX2): A-weighting's sections 1–2
                // beside the first, section 3 beside the second, section 2's
                // outputs passed in `scratch` past the hop (the onset
                // checkpoints there are consumed). One 25-register scalar
                // filter beside one pass spilled both; halves fit.
                let handoff = UnsafeMutableRawPointer(meanSquares).assumingMemoryBound(to: Int32.self)
                let k = aWeighting.loadKernel()
                var aFront = AWeightingFront(kernel: k, out: handoff)
                var aBack = AWeightingBack(kernel: k, from: handoff)
                filterbank.runInQuads(input, energy: &bandEnergy, first: &aFront, second: &aBack)
                var joined = aFront.kernel
                joined.w1 = aBack.kernel.w1; joined.w2 = aBack.kernel.w2
                aWeighting.store(joined)
                frame.levelA = Self.level(aBack.energy, offset: offset)
            } else {
                var a = AWeightedEnergy(kernel: aWeighting.loadKernel())
                filterbank.run(input, energy: &bandEnergy, alongside: &a)
                aWeighting.store(a.kernel)
                frame.levelA = Self.level(a.energy, offset: offset)
            }
            #else
            var a = AWeightedEnergy(kernel: aWeighting.loadKernel())
            filterbank.run(input, energy: &bandEnergy, alongside: &a)
            aWeighting.store(a.kernel)
            frame.levelA = Self.level(a.energy, offset: offset)
            #endif
            frame.bandLevel = Self.levels(of: bandEnergy, active: active, offset: offset)
            frame.bandSNR = bandBackground.update(frame.bandLevel)
            frame.bandBackground = bandBackground.background
            _ = broadbandBackground.update(frame.levelZ)
            frame.backgroundZ = broadbandBackground.background

            frame.binPower = goertzel.power

            frame.envelope = envelope.levelQ8_8

            frame.onsetOffset = Int16(truncatingIfNeeded: front.onsetOffset)
            let hopFeatures = onset.endHop(peak: front.peak, sum: front.sum, count: Int32(truncatingIfNeeded: n))
            frame.riseRate = hopFeatures.riseRate
            frame.crest = hopFeatures.crest

            pitch.push(input)
            let snr = frame.bandSNR
            if max(snr[3], max(snr[4], snr[5])) >= pitchGate {
                let peak = pitch.estimate()
                frame.pitchHz = peak.hz
                frame.pitchProminence = peak.prominence
            }
        }
        hopIndex &+= 1
        nextSample &+= Widen.int64(Int32(truncatingIfNeeded: n))
    }

    /// Q8.8 dBFS per band from hop energies; inactive lanes read the floor.
    @inlinable
    static func levels(of energy: SIMD8<UInt64>, active: SIMDMask<SIMD8<Int16>.MaskStorage>, offset: Int32) -> SIMD8<Int16> {
        // All eight lanes (fixed count, independent dB conversions), then the
        // inactive ones replaced. Lanes are read and written through
        // pointers: indexing a vector with the loop variable moves it
        // through the stack on every lane and keeps the loop from unrolling.
        var e = energy
        var out = SIMD8<Int16>(repeating: FeatureFrame.floor)
        withUnsafePointer(to: &e) { ep in
            withUnsafeMutablePointer(to: &out) { op in
                let src = UnsafeRawPointer(ep).assumingMemoryBound(to: UInt64.self)
                let dst = UnsafeMutableRawPointer(op).assumingMemoryBound(to: Int16.self)
                for lane in 0..<8 { dst[lane] = Self.level(src[lane], offset: offset) }
            }
        }
        return SIMD8<Int16>(repeating: FeatureFrame.floor).replacing(with: out, where: active)
    }

    /// Q8.8 dBFS of a hop energy (Σx², Q30 units), clamped to the floor.
    @inlinable @inline(__always)
    static func level(_ energy: UInt64, offset: Int32) -> Int16 {
        let l = Decibel.powerQ8_8(energy) &+ offset
        return Saturate.toInt16(l < Int32(FeatureFrame.floor) ? Int32(FeatureFrame.floor) : l)
    }

    /// levelZ, peak and clipped-sample count from the hop's Σx² (Q30),
    /// peak |x| (Q15) and clipped count, measured by `frontEnd`.
    @inlinable
    static func broadbandLevels(sum: UInt64, peak: Int32, clipped: Int16, offset: Int32, into frame: inout FeatureFrame) {
        frame.levelZ = level(sum, offset: offset)
        // Peak re a full-scale sine's peak: 20·log10(peak/32768) = 10·log10(peak²) − 10·log10(2^30).
        let peakQ8_8 = Decibel.powerQ8_8(UInt64(bitPattern: Widen.product(peak, peak))) &- 23_119  // 90.309 dB · 256
        frame.peak = Saturate.toInt16(peakQ8_8 < Int32(FeatureFrame.floor) ? Int32(FeatureFrame.floor) : peakQ8_8)
        frame.clippedSamples = clipped
    }
}

/// The A-weighting filter and its Σ y² (Q30), run inside the filterbank's
/// sample loop (`OctaveFilterbank.run`).
@usableFromInline
struct AWeightedEnergy: FilterbankTap {
    @usableFromInline var kernel: AWeightingFilter.Kernel
    @usableFromInline var energy: UInt64 = 0

    @inlinable init(kernel: AWeightingFilter.Kernel) { self.kernel = kernel }

    @inlinable @inline(__always)
    mutating func take(_ x: Int64) {
        let y = kernel.step(x)
        energy &+= UInt64(bitPattern: y &* y)
    }
}

#if arch(x86_64)
/// A-weighting's sections 1–2 beside the filterbank's first pass: writes
/// section 2's output per sample to `out` (Int32: |v| < 7.5 · 2^27, the
/// headroom `AWeightingFilter.init` checks).
@usableFromInline
struct AWeightingFront: FilterbankTap {
    @usableFromInline var kernel: AWeightingFilter.Kernel
    @usableFromInline let out: UnsafeMutablePointer<Int32>
    @usableFromInline var i = 0

    @inlinable init(kernel: AWeightingFilter.Kernel, out: UnsafeMutablePointer<Int32>) {
        self.kernel = kernel; self.out = out
    }

    @inlinable @inline(__always)
    mutating func take(_ x: Int64) {
        out[i] = Int32(truncatingIfNeeded: kernel.stepFront(x))
        i &+= 1
    }
}

/// A-weighting's section 3 and Σ y² (Q30) beside the second pass, reading
/// `AWeightingFront`'s outputs in order.
@usableFromInline
struct AWeightingBack: FilterbankTap {
    @usableFromInline var kernel: AWeightingFilter.Kernel
    @usableFromInline let from: UnsafePointer<Int32>
    @usableFromInline var i = 0
    @usableFromInline var energy: UInt64 = 0

    @inlinable init(kernel: AWeightingFilter.Kernel, from: UnsafeMutablePointer<Int32>) {
        self.kernel = kernel; self.from = UnsafePointer(from)
    }

    @inlinable @inline(__always)
    mutating func take(_ x: Int64) {
        let y = kernel.stepBack(Widen.int64(from[i]))
        i &+= 1
        energy &+= UInt64(bitPattern: y &* y)
    }
}
#endif
