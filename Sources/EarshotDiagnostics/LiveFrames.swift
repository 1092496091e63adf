// Live feature frames for the technician's commands (meter, listen, calibrate):
// the agent's own audio input (ALSA capture per the board file, or a WAV replay)
// → analysed channel → AnalysisChain, on the caller's thread.
import EarshotAgent
import EarshotConfig
import EarshotAudio
import EarshotDSP
import EarshotPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Where a live command's audio comes from.
public struct LiveSource: Sendable {
    /// Board (its `[audio]` section and `[microphone]` calibration): a file or a bare
    /// board name; nil = the site file's board (see `BoardChoice.path`).
    public var boardPath: String?
    /// Site file whose board is used when `boardPath` is nil (nil = the installed one).
    public var sitePath: String?
    /// ALSA PCM name overriding the board's `audio.device`.
    public var device: String?
    /// Replay this WAV file instead of capturing (paced in real time unless `fast`).
    public var file: String?
    /// Replay `file` as fast as the analysis goes.
    public var fast = false
    /// Audio to analyse before stopping, s (nil = until `shouldStop` says so).
    public var durationSeconds: Double?
    /// Bound on waiting for the first audio, ms.
    public var firstAudioTimeoutMs = 5_000

    public init(boardPath: String? = nil, device: String? = nil, file: String? = nil, durationSeconds: Double? = nil) {
        self.boardPath = boardPath
        self.device = device
        self.file = file
        self.durationSeconds = durationSeconds
    }
}

/// A live session: the board, the opened input and the chain.
public final class LiveFrames {
    /// The board in use (device overridden when asked).
    public let board: BoardConfig
    /// The board file it was read from (where `calibrate --write` writes).
    public let boardFile: String
    /// Sample rate, Hz.
    public let rate: Int
    /// Samples per hop (10 ms).
    public let hop: Int
    /// What is being listened to, for the first output line.
    public let inputDescription: String
    let input: AgentAudioInput
    var chain: AnalysisChain
    /// One hop, interleaved (Q15).
    private let frames: FixedBuffer<Int16>
    /// One hop of the analysed channel or the mean of all (Q15).
    private let mono: FixedBuffer<Int16>
    private let channels: Int
    private let analysisChannel: Int?

    /// Loads the board and opens the input. - Throws: `AgentError` (.config exit 2, .audio/.input exit 3).
    public init(_ source: LiveSource) throws(AgentError) {
        var board: BoardConfig
        do {
            boardFile = try BoardChoice.path(board: source.boardPath, sitePath: source.sitePath)
            board = try BoardConfig.load(path: boardFile)
        } catch {
            throw AgentError(.config, error.description)
        }
        if let d = source.device { board.audio.device = d }
        self.board = board
        var options = AgentOptions(sitePath: "(live)")
        options.inputFile = source.file
        options.realtime = source.file != nil && !source.fast
        // An unpaced source (ALSA file plugin, fast replay) may deliver the whole run at once.
        options.ringSeconds = min(max(1, (source.durationSeconds ?? 0) + 1), 120)
        input = try AgentAudioInput(board: board, options: options, log: AgentLog(level: .error))
        rate = input.rate
        hop = input.hopFrames
        channels = input.channels
        analysisChannel = input.analysisChannel
        inputDescription = source.file.map { "file \($0)" } ?? "ALSA \(board.audio.device) at \(board.audio.rate) Hz, \(board.audio.channels) ch \(board.audio.format.rawValue)"
        chain = AnalysisChain(config: AnalysisConfig(sampleRate: Int32(rate)))
        frames = FixedBuffer(count: hop * channels, repeating: 0)
        mono = FixedBuffer(count: hop, repeating: 0)
        firstAudioTimeoutMs = source.firstAudioTimeoutMs
    }

    private let firstAudioTimeoutMs: Int

    deinit { input.stop() }

    /// The analysis configuration (rate, hop, Goertzel bins).
    public var config: AnalysisConfig { chain.config }

    /// Analyses hops until `maxHops` are done, the input ends, or `body` returns false.
    /// `body` gets each hop's features and its analysed samples (Q15, `hop` of them).
    /// Returns the hops analysed. - Throws: `AgentError(.audio)` when no audio arrives
    /// within the first-audio bound (with the capture's last error).
    public func run(maxHops: Int?, _ body: (FeatureFrame, FixedBuffer<Int16>) -> Bool) throws(AgentError) -> Int {
        var frame = FeatureFrame()
        var done = 0
        var waitedMs = 0
        while maxHops.map({ done < $0 }) ?? true {
            guard input.ring.read(into: frames, frameCount: hop, timeoutNanoseconds: 100_000_000) else {
                if input.isFinished && input.ring.availableFrames < hop { break }
                waitedMs += 100
                // A device that cannot be opened is reported at once (the capture keeps retrying
                // with backoff for `earshot run`; a technician's command should not wait for it).
                if done == 0 && (waitedMs >= firstAudioTimeoutMs || (waitedMs >= 300 && openFailed)) {
                    let h = input.health
                    throw AgentError(.audio, "no audio from \(inputDescription) within \(waitedMs) ms (\(h.detail)) — "
                                     + "check the device name with `earshot devices` and the board's [audio] rate/format/channels")
                }
                continue
            }
            if channels == 1 {
                mono.copy(from: frames, count: hop)
            } else if let c = analysisChannel {
                for i in 0..<hop { mono[i] = frames[i * channels + c] }
            } else {
                for i in 0..<hop {
                    var s: Int32 = 0
                    for c in 0..<channels { s &+= Int32(frames[i * channels + c]) }
                    mono[i] = Int16(truncatingIfNeeded: s / Int32(channels))
                }
            }
            mono.withElements { chain.process(hop: $0, into: &frame) }
            done += 1
            if !body(frame, mono) { break }
        }
        return done
    }

    /// Stops the capture or replay thread.
    public func stop() { input.stop() }

    /// True once the ALSA capture has failed to open the device at least once and is not running.
    private var openFailed: Bool {
        guard case .alsa(let c) = input.source else { return false }
        let s = c.status
        return s.failedOpens > 0 && s.state != .running
    }
}

/// dB helpers for the technician's commands (Double, not on the hot path).
enum LiveMath {
    /// Q8.8 dB → dB.
    static func db(_ q: Int16) -> Double { Double(Int(q)) / 256 }
    /// dB → power ratio.
    static func power(_ db: Double) -> Double { pow(10, db / 10) }
    /// Power ratio → dB (−120 floor).
    static func level(_ p: Double) -> Double { p > 1e-12 ? 10 * log10(p) : -120 }
}
