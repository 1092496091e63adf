// WAV file → 10 ms hops → AnalysisChain → feature frames. Shared by
// `earshot analyze` (frames feed the detection engine) and `earshot learn`
// (frames feed the table builder).
import EarshotAudio
import EarshotDSP
import EarshotPlatform

/// Options of the offline front end.
public struct OfflineFrameOptions: Sendable, Equatable {
    /// Channel analysed in multichannel files (default channel 0).
    public var selection: WAVChannelSelection = .channel(0)
    /// Hops read from the file per `read` call (buffer = hops × hop samples × 2 bytes).
    public var hopsPerRead: Int = 512
    /// Calibration gain passed to `AnalysisConfig.calibrationGain` (1.0 = unity).
    public var calibrationGain: Double = 1.0

    public init(selection: WAVChannelSelection = .channel(0)) { self.selection = selection }
}

/// Streams one WAV file through an `AnalysisChain` designed for the file's
/// sample rate with a hop of rate/100 samples (10 ms). The last partial hop is
/// zero-padded, so every sample is analysed. Buffers are allocated once per
/// file; the per-hop path does not allocate.
public struct OfflineFrameSource {
    /// The file being read.
    public let reader: WAVReader
    /// The configuration the chain was designed with (rate = the file's rate).
    public let config: AnalysisConfig
    /// Hop length in samples (rate / 100).
    public var hopSamples: Int { Int(config.hopSamples) }
    /// Total number of hops the file yields (last one zero-padded).
    public var hopCount: Int64 {
        (reader.format.frameCount + Int64(hopSamples) - 1) / Int64(hopSamples)
    }

    private let options: OfflineFrameOptions

    /// Opens `path` and designs the chain for its rate.
    /// - Throws: `WAVError` naming the file and the reason.
    public init(path: String, options: OfflineFrameOptions = OfflineFrameOptions()) throws(WAVError) {
        let reader = try WAVReader(path: path, selection: options.selection)
        var config = AnalysisConfig(sampleRate: Int32(reader.format.sampleRate))
        config.calibrationGain = options.calibrationGain
        self.reader = reader
        self.config = config
        self.options = options
    }

    /// Runs the whole file through a fresh chain, calling `body` with each
    /// frame in order. `progress(hopsDone, hopCount)` is called after every
    /// read block (about every 5 s of audio) when given. `designed` is a
    /// chain that has processed nothing yet, designed for `config` (designing
    /// the filters costs more than analysing a 30 s file; callers that read
    /// many files keep one per rate); nil designs a new one.
    /// - Throws: `WAVError` if the file turns out truncated or unreadable.
    public func forEachFrame(
        designed: AnalysisChain? = nil,
        progress: ((Int64, Int64) -> Void)? = nil,
        _ body: (borrowing FeatureFrame) -> Void
    ) throws(WAVError) {
        precondition(designed == nil || designed!.config == config, "designed chain is for another configuration")
        var chain = designed ?? AnalysisChain(config: config)
        var frame = FeatureFrame()
        let hop = hopSamples
        let capacity = max(1, options.hopsPerRead) * hop
        let buffer = FixedBuffer<Int16>(count: capacity, repeating: 0)
        var done: Int64 = 0
        let total = hopCount
        while true {
            let n = try reader.read(into: buffer, count: capacity)
            if n == 0 { break }
            let whole = n / hop
            var start = 0
            for _ in 0..<whole {
                buffer.withElements(from: start, count: hop) { chain.process(hop: $0, into: &frame) }
                body(frame)
                start += hop
            }
            done += Int64(whole)
            if n % hop != 0 {
                // Only the file's last read can end mid-hop: pad with silence.
                buffer.fill(0, from: n, count: start + hop - n)
                buffer.withElements(from: start, count: hop) { chain.process(hop: $0, into: &frame) }
                body(frame)
                done += 1
            }
            progress?(done, total)
        }
    }
}
