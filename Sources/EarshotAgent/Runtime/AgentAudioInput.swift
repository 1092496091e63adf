// Where the analysis thread's samples come from: ALSA capture (the product) or a
// WAV file feeder (tests, demos). Both deliver Q15 frames through a SampleRing.
import EarshotText
import EarshotConfig
import EarshotAudio
import EarshotMQTT
import Synchronization

/// The audio source of a running agent.
public final class AgentAudioInput: Sendable {
    // @unchecked Sendable: both sources are themselves thread-safe for these calls.
    /// Where the samples come from.
    public enum Source: Sendable {
        /// A sound card (ALSA capture thread).
        case alsa(AlsaCapture)
        /// A WAV file replayed through the ring.
        case file(FileAudioFeeder)
    }
    /// The source in use.
    public let source: Source
    /// The ring the analysis thread reads (interleaved, `channels` per frame).
    public let ring: SampleRing
    /// Samples per frame in `ring`.
    public let channels: Int
    /// Sample rate, Hz.
    public let rate: Int
    /// Channel the detector analyses (nil = mean of all channels).
    public let analysisChannel: Int?
    /// Period the analysis reads per hop, frames (10 ms).
    public var hopFrames: Int { rate / 100 }
    /// Frames the source writes at a time: the capture period (board `period_frames`,
    /// scaled to a replayed file's rate). The analysis thread wakes once per period.
    public let periodFrames: Int
    /// A replay (`--input` or an ALSA `file` plugin), not a microphone.
    public let isFileReplay: Bool
    /// Frames dropped as of the last `noteDrops` call, and when (monotonic ns) the count last grew.
    private let dropsSeen = Atomic<UInt64>(0)
    private let lastDropNs = Atomic<Int64>(0)
    /// How long `audio` stays `degraded` after frames were last dropped.
    public static let degradedHoldNs: Int64 = 60_000_000_000

    /// Opens the board's ALSA device (or `options.inputFile`) and starts delivering samples.
    /// - Throws: `AgentError` naming the device or file.
    public init(board: BoardConfig, options: AgentOptions, log: AgentLog) throws(AgentError) {
        let selection: WAVChannelSelection
        switch board.audio.analysisChannel {
        case .index(let i): selection = .channel(i); analysisChannel = i
        case .mean: selection = .mean; analysisChannel = nil
        }
        if let path = options.inputFile {
            let feeder: FileAudioFeeder
            do {
                let probe = try WAVReader(path: path, selection: selection)
                if let warning = probe.format.truncationWarning(path: path) { log.warning(warning) }
                let rate = probe.format.sampleRate
                // The board's capture period, in time: a replay wakes like the capture it stands in for.
                let period = max(1, Int((Double(board.audio.periodFrames) * Double(rate) / Double(board.audio.rate)).rounded()))
                // A recording with the board's channel count replays every channel (the microphone
                // array's, so events get their bearing and the camera its preset on the ground);
                // any other file feeds the analysis channel (or the mean) alone.
                let all = probe.format.channels > 1 && probe.format.channels == board.audio.channels
                feeder = try FileAudioFeeder(path: path, selection: selection, realtime: options.realtime, loop: options.loop,
                                             ringFrames: Int(Double(rate) * max(options.ringSeconds ?? 1, 0.05)), periodFrames: period,
                                             allChannels: all)
            } catch {
                throw AgentError(.input, "\(error)")
            }
            if feeder.rate < 8_000 || feeder.rate > 48_000 {
                throw AgentError(.input, "\(path): sample rate \(feeder.rate) Hz is outside 8000…48000 Hz")
            }
            source = .file(feeder)
            isFileReplay = true
            ring = feeder.ring
            channels = feeder.channels
            rate = feeder.rate
            periodFrames = feeder.chunkFrames
            feeder.begin()
            return
        }
        let a = board.audio
        isFileReplay = alsaDeviceIsFileReplay(a.device)
        let ringFrames = Int(Double(a.rate) * max(options.ringSeconds ?? 1, 0.05))
        var config = AudioCaptureConfig(
            device: a.device, rate: a.rate, channels: a.channels,
            format: a.format == .s16LE ? .s16LE : .s32LE, periodFrames: a.periodFrames,
            bufferFrames: a.bufferFrames, ringFrames: max(ringFrames, 2 * a.periodFrames))
        // An unpaced replay with the default ring is lossless (the analysis sets the pace).
        config.waitWhenRingFull = isFileReplay && options.ringSeconds == nil
        let capture: AlsaCapture
        do {
            capture = try AlsaCapture(config: config)
            try capture.start(.retryUntilAvailable)
        } catch {
            throw AgentError(.audio, error.description)
        }
        if case .index(let i) = board.audio.analysisChannel, i >= a.channels {
            throw AgentError(.config, "audio.analysis_channel \(i) is not below audio.channels \(a.channels)")
        }
        source = .alsa(capture)
        ring = capture.ring
        channels = a.channels
        rate = a.rate
        periodFrames = a.periodFrames
        _ = log
    }

    /// Frames dropped because the ring was full (analysis behind), since start.
    public var framesDropped: UInt64 { ring.framesDropped }

    /// Compares the drop count with the previous call's: returns the frames dropped since
    /// then (0 when none) and remembers when the count last grew (see `isDegraded`).
    /// Called by the agent's run loop once a second. Allocates nothing.
    public func noteDrops(nowNs: Int64) -> UInt64 {
        let total = ring.framesDropped
        let before = dropsSeen.exchange(total, ordering: .relaxed)
        guard total > before else { return 0 }
        lastDropNs.store(nowNs, ordering: .relaxed)
        return total - before
    }

    /// True while frames were dropped within the last `degradedHoldNs` (as seen by `noteDrops`):
    /// `status.audio` says `degraded` then instead of `ok`.
    public func isDegraded(nowNs: Int64) -> Bool {
        let t = lastDropNs.load(ordering: .relaxed)
        return t != 0 && nowNs - t < Self.degradedHoldNs
    }

    /// A file replay that ended (never true for ALSA or a looping file).
    public var isFinished: Bool {
        if case .file(let f) = source { return f.isFinished }
        return false
    }

    /// Monotonic ns of sample 0 for a file replay (nil for ALSA).
    public var fileStartMonotonicNanoseconds: Int64? {
        if case .file(let f) = source { return f.startMonotonicNanoseconds }
        return nil
    }

    /// Capture health as Strings: the state word of `status.audio`, and the capture part
    /// of the status `detail` (both from `AgentStatus`, the one place that words them;
    /// for the technician's commands, which may allocate).
    public var health: (audio: String, detail: String) {
        var detail = StatusText()
        AgentStatus.appendCapture(self, to: &detail)
        return (AgentStatus.audioWord(self), detail.description)
    }

    /// Capture health for `status.capture`.
    public var captureReport: CaptureReport {
        switch source {
        case .alsa(let c):
            let s = c.status
            let state: CaptureReport.State
            switch s.state {
            case .running: state = .open
            case .recovering: state = .recovering
            case .lost: state = s.consecutiveFailedOpens > 0 ? .reopening : .lost
            case .stopped: state = .stopped
            }
            return CaptureReport(source: .alsa, device: c.config.device, state: state, xruns: s.xruns, reopens: s.reopens,
                                 failedOpens: s.failedOpens, frames: s.framesCaptured, framesDropped: s.framesDropped,
                                 lastError: s.lastError.isEmpty ? nil : s.lastError)
        case .file(let f):
            return CaptureReport(source: .file, device: f.path, state: f.isFinished ? .stopped : .open,
                                 frames: f.framesWritten, framesDropped: ring.framesDropped)
        }
    }

    /// A small number that changes when the capture state changes (status is re-sent then).
    var stateCode: Int {
        let degraded = isDegraded(nowNs: AgentClock.monotonicNanoseconds()) ? 20 : 0
        switch source {
        case .alsa(let c): return Int(c.status.state.rawValue) + degraded
        case .file(let f): return (f.isFinished ? 10 : 11) + degraded
        }
    }

    /// Stops the capture or feeder thread.
    public func stop() {
        switch source {
        case .alsa(let c): c.stop()
        case .file(let f): f.stop()
        }
    }
}

/// A failure to start or run the agent; `kind` selects the exit code.
public struct AgentError: Error, Sendable, CustomStringConvertible {
    /// What failed.
    public enum Kind: Sendable {
        /// Site/board/table file invalid (exit 2).
        case config
        /// Audio device cannot be used (exit 3).
        case audio
        /// The replay input file cannot be used (exit 3).
        case input
        /// MQTT or outbox setup failed (exit 4).
        case mqtt
        /// GPIO lines cannot be claimed (exit 5).
        case gpio
        /// Something else (exit 1).
        case runtime
    }
    public var kind: Kind
    /// One or more lines naming the file, field or device and what to do.
    public var message: String
    /// What to do about it, when the message alone does not say (e.g. a GPIO failure the
    /// agent runs on through: "free the line" for a busy line, not for a missing chip).
    public var remedy: String?
    public init(_ kind: Kind, _ message: String, remedy: String? = nil) { self.kind = kind; self.message = message; self.remedy = remedy }
    public var description: String { message }

    /// Process exit status for this error (see `earshot run --help`).
    public var exitCode: Int32 {
        switch kind {
        case .config: 2
        case .audio, .input: 3
        case .mqtt: 4
        case .gpio: 5
        case .runtime: 1
        }
    }
}
