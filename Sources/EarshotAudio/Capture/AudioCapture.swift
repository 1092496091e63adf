// The capture thread: device → Q15 → SampleRing, with xrun recovery and reopen-with-backoff.
import EarshotPlatform
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The ALSA capture used on a box.
public typealias AlsaCapture = AudioCapture<AlsaCaptureDevice>

/// Runs one capture thread that reads periods from a `CaptureDevice`, converts
/// them to Q15 and writes them into `ring` for the analysis thread.
///
/// The capture thread never waits for the consumer: a full ring drops the newest
/// frames (counted in `status.framesDropped`). Overruns (`-EPIPE`) and suspends
/// (`-ESTRPIPE`) are recovered with `snd_pcm_recover` and counted. Device loss
/// (`-ENODEV`, `-EIO`, `-EBADFD`, …, or no audio for `stallTimeoutMilliseconds`)
/// closes the device, reports it in `status` and reopens it with `ReopenBackoff`
/// (0.1 s doubling to 5 s). After `start`, the loop allocates nothing except the
/// error text on error paths.
public final class AudioCapture<Device: CaptureDevice>: @unchecked Sendable {
    // @unchecked Sendable: `device`, `rawBuffer`, `q15Buffer` and `backoff` are touched
    // only by the capture thread after `start`; everything shared is atomic or in a Mutex.

    /// What to open.
    public let config: AudioCaptureConfig
    /// The ring the analysis thread reads from (`ring.read(into:frameCount:…)`).
    public let ring: SampleRing
    /// Longest single wait for a period (ms); also bounds how long `stop()` takes.
    public let stallWaitMilliseconds: Int32
    /// Silence longer than this (ms) with no error is treated as a lost device.
    public let stallTimeoutMilliseconds: Int

    /// What to do when the device cannot be opened by `start`.
    public enum StartPolicy: Sendable {
        /// Open in the caller's thread; throw the `AlsaError` (configuration mistakes surface at once).
        case failIfUnavailable
        /// Start the thread anyway, in state `.lost`, reopening with backoff (boot-time USB enumeration).
        case retryUntilAvailable
    }

    private var device: Device?
    private var backoff: ReopenBackoff
    private let chunkFrames: Int
    private let nanosecondsPerFrame: Double
    private let rawBuffer: UnsafeMutableRawPointer
    private let q15Buffer: UnsafeMutablePointer<Int16>
    private let stopRequested = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    private let stopSignal = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    private let stateValue = Atomic<UInt8>(CaptureState.stopped.rawValue)
    private let xruns = Atomic<UInt64>(0)
    private let reopens = Atomic<UInt64>(0)
    private let failedOpens = Atomic<UInt64>(0)
    private let failedOpensInARow = Atomic<UInt64>(0)
    private let stalls = Atomic<UInt64>(0)
    private let captured = Atomic<UInt64>(0)
    private let errorText = Mutex<String>("")
    private let granted = Mutex<NegotiatedCapture?>(nil)

    /// Validates `config` and preallocates the ring and conversion buffers.
    /// - Parameters:
    ///   - backoff: delays between reopen attempts (default 0.1 s → 5 s, ×2).
    ///   - stallTimeoutMilliseconds: silence (no period, no error) treated as device loss; default 2000 ms.
    public init(config: AudioCaptureConfig, backoff: ReopenBackoff = ReopenBackoff(),
                stallTimeoutMilliseconds: Int = 2_000) throws(AlsaError) {
        try config.validate()
        self.config = config
        self.backoff = backoff
        self.stallTimeoutMilliseconds = stallTimeoutMilliseconds
        let periodMs = config.periodFrames * 1000 / config.rate
        self.stallWaitMilliseconds = Int32(min(max(periodMs * 4, 50), 250))
        self.chunkFrames = config.periodFrames
        self.nanosecondsPerFrame = 1e9 / Double(config.rate)
        self.ring = SampleRing(channels: config.channels, minimumFrames: config.ringFrames)
        self.rawBuffer = .allocate(byteCount: chunkFrames * config.channels * 4, alignment: 16)
        self.q15Buffer = .allocate(capacity: chunkFrames * config.channels)
    }

    deinit {
        rawBuffer.deallocate()
        q15Buffer.deallocate()
    }

    /// Starts the capture thread. With `.failIfUnavailable` (default) the device is
    /// opened here and its `AlsaError` thrown; with `.retryUntilAvailable` open
    /// failures are reported in `status` and retried with backoff. Call once.
    public func start(_ policy: StartPolicy = .failIfUnavailable) throws(AlsaError) {
        precondition(!started.exchange(true, ordering: .relaxed), "AudioCapture.start called twice")
        if policy == .failIfUnavailable {
            do {
                let opened = try Device.open(config)
                device = opened
                granted.withLock { $0 = opened.negotiated }
                stateValue.store(CaptureState.running.rawValue, ordering: .relaxed)
            } catch {
                record(error.description)
                started.store(false, ordering: .relaxed)
                throw error
            }
        } else {
            stateValue.store(CaptureState.lost.rawValue, ordering: .relaxed)
        }
        PlatformThread.spawnOrDie(name: "earshot-capture") { [self] in run() }
    }

    /// Stops the thread (returns within about one `stallWaitMilliseconds`), closes
    /// the device and sets the state to `.stopped`. Idempotent.
    public func stop() {
        guard started.load(ordering: .relaxed), !stopRequested.exchange(true, ordering: .relaxed) else { return }
        stopSignal.signal()
        finished.wait()
    }

    /// A snapshot of state and counters (any thread; takes a short lock for the error text).
    public var status: CaptureStatus {
        CaptureStatus(state: CaptureState(rawValue: stateValue.load(ordering: .relaxed)) ?? .stopped,
                      xruns: xruns.load(ordering: .relaxed), reopens: reopens.load(ordering: .relaxed),
                      failedOpens: failedOpens.load(ordering: .relaxed),
                      consecutiveFailedOpens: failedOpensInARow.load(ordering: .relaxed), stalls: stalls.load(ordering: .relaxed),
                      framesCaptured: captured.load(ordering: .relaxed), framesDropped: ring.framesDropped,
                      lastError: errorText.withLock { $0 }, negotiated: granted.withLock { $0 })
    }

    // MARK: Capture thread

    private func run() {
        var everOpened = device != nil
        var silentMs = 0
        while !stopRequested.load(ordering: .relaxed) {
            guard let dev = device else {
                do {
                    let opened = try Device.open(config)
                    device = opened
                    granted.withLock { $0 = opened.negotiated }
                    if everOpened { reopens.add(1, ordering: .relaxed) }
                    everOpened = true
                    backoff.reset()
                    failedOpensInARow.store(0, ordering: .relaxed)
                    silentMs = 0
                    setState(.running)
                } catch {
                    failedOpens.add(1, ordering: .relaxed)
                    failedOpensInARow.add(1, ordering: .relaxed)
                    record(error.description)
                    setState(.lost)
                    _ = stopSignal.wait(timeout: .now() + .nanoseconds(Int(backoff.next())))
                }
                continue
            }
            let n = dev.read(into: rawBuffer, frames: chunkFrames, timeoutMilliseconds: stallWaitMilliseconds)
            if n > 0 {
                SampleConversion.toQ15(rawBuffer, format: config.format, sampleCount: n * config.channels, into: q15Buffer)
                // Dated from the device's timestamp of the period's last frame.
                let last = dev.lastFrameCaptureNanoseconds
                let first = last == 0 ? 0 : last &- Int64(Double(n - 1) * nanosecondsPerFrame)
                if config.waitWhenRingFull {
                    // An unpaced replay: wait for room (the analysis sets the pace), never drop.
                    while ring.capacityFrames - ring.availableFrames < n && !stopRequested.load(ordering: .relaxed) { usleep(2_000) }
                }
                ring.write(q15Buffer, frameCount: n, firstFrameNanoseconds: first, nanosecondsPerFrame: nanosecondsPerFrame)
                captured.add(UInt64(n), ordering: .relaxed)
                silentMs = 0
                setState(.running)
                continue
            }
            if n == 0 { continue }
            let code = Int32(truncatingIfNeeded: n)
            switch -code {
            case AlsaErrno.EPIPE, AlsaErrno.ESTRPIPE:
                xruns.add(1, ordering: .relaxed)
                setState(.recovering)
                let rc = dev.recover(fromError: code)
                if rc < 0 {
                    lose(AlsaError(code: rc, call: "snd_pcm_recover", device: config.device,
                                   detail: "could not recover after an overrun; reopening"))
                }
            case AlsaErrno.EAGAIN, AlsaErrno.EINTR:
                continue
            case AlsaErrno.ETIMEDOUT:
                stalls.add(1, ordering: .relaxed)
                silentMs += Int(stallWaitMilliseconds)
                if silentMs >= stallTimeoutMilliseconds {
                    lose(AlsaError(code: code, call: "snd_pcm_wait", device: config.device,
                                   detail: "no audio for \(silentMs) ms — check the microphone's cable/USB port; reopening"))
                }
            default:
                lose(AlsaError(code: code, call: "snd_pcm_readi", device: config.device,
                               detail: AlsaErrno.isDeviceLoss(code)
                                   ? "the device went away (unplugged?); reopening with backoff"
                                   : "unexpected read error; reopening"))
            }
        }
        device?.close()
        device = nil
        setState(.stopped)
        finished.signal()
    }

    private func lose(_ error: AlsaError) {
        record(error.description)
        device?.close()
        device = nil
        setState(.lost)
        _ = stopSignal.wait(timeout: .now() + .nanoseconds(Int(backoff.next())))
    }

    private func setState(_ state: CaptureState) {
        if stateValue.load(ordering: .relaxed) != state.rawValue {
            stateValue.store(state.rawValue, ordering: .relaxed)
        }
    }

    private func record(_ text: String) { errorText.withLock { $0 = text } }
}


