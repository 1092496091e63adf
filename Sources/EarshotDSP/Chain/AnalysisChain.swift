// The per-hop analysis: Q15 samples in, one FeatureFrame out.
//
// INTERIM: computes only levelZ, peak and crest; the filterbank, A-weighting,
// Goertzel, envelope/onset and background stages are wired in as the kernels
// land. The API below is the contract the detector and agent code against.

/// Runs every DSP stage over one hop of Q15 samples and fills a
/// `FeatureFrame`. All state is inline; `process` never allocates.
public struct AnalysisChain {
    /// The configuration this chain was designed for.
    public let config: AnalysisConfig
    @usableFromInline var hopIndex: Int64 = 0
    @usableFromInline var nextSample: Int64 = 0
    @usableFromInline let hopOffsetQ8_8: Int32
    @usableFromInline let hopSamples: Int

    /// Designs every stage for `config` (Double math, configuration time).
    public init(config: AnalysisConfig) {
        precondition(config.sampleRate >= 8_000 && config.sampleRate <= 48_000, "sampleRate out of 8000…48000")
        precondition(config.hopSamples > 0 && config.hopSamples <= 1_024, "hopSamples out of 1…1024")
        self.config = config
        self.hopSamples = Int(config.hopSamples)
        self.hopOffsetQ8_8 = Decibel.dBFSOffsetQ8_8(sampleCount: Int(config.hopSamples))
    }

    /// Processes exactly `config.hopSamples` Q15 samples and writes the
    /// hop's features into `frame`.
    public mutating func process(hop: UnsafeBufferPointer<Int16>, into frame: inout FeatureFrame) {
        precondition(hop.count == hopSamples, "hop must hold config.hopSamples samples")
        var sum: UInt64 = 0
        var peak: Int32 = 0
        var clipped: Int16 = 0
        for s in hop {
            let v = Int32(s)
            let m = v < 0 ? 0 &- v : v
            if m > peak { peak = m }
            if m >= 32_767 { clipped &+= 1 }
            sum &+= UInt64(bitPattern: Widen.product(v, v))
        }
        frame = FeatureFrame()
        frame.hopIndex = hopIndex
        frame.firstSample = nextSample
        let levelZ = Decibel.powerQ8_8(sum) &+ hopOffsetQ8_8
        frame.levelZ = Saturate.toInt16(max(levelZ, Int32(FeatureFrame.floor)))
        // Peak re a full-scale sine's peak: 20·log10(peak/32768) = 10·log10(peak²/2^30).
        let peakQ8_8 = Decibel.powerQ8_8(UInt64(bitPattern: Widen.product(peak, peak))) &- 7_707  // 10·log10(2^30)·256
        frame.peak = Saturate.toInt16(max(peakQ8_8, Int32(FeatureFrame.floor)))
        frame.crest = Saturate.toInt16(max(0, Int32(frame.peak) &- Int32(frame.levelZ) &+ 771))  // +3.01 dB: a sine reads 3.01 dB
        frame.clippedSamples = clipped
        hopIndex &+= 1
        nextSample &+= Widen.int64(Int32(truncatingIfNeeded: hopSamples))
    }
}
