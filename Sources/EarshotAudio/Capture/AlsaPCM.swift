// The only file that calls libasound for capture: open/configure, start, wait/read, recover, close.
import EarshotPlatform
import CAlsa
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The libasound version this binary runs against (e.g. "1.2.8").
public func alsaLibraryVersion() -> String { String(cString: snd_asoundlib_version()) }

/// Silences libasound's own error printing (its `ALSA lib …` lines on stderr, ~8 per
/// failed open of a card that is absent): Earshot reports each failure in one line naming
/// the device. Process-wide, done once; every entry point of this module that opens a
/// PCM or reads ALSA's configuration calls it. `EARSHOT_ALSA_DEBUG=1` keeps libasound's lines.
public func alsaSilenceLibraryErrors() { _ = alsaQuiet }

private let alsaQuiet: Void = {
    if let v = getenv("EARSHOT_ALSA_DEBUG"), v.pointee != 0, v.pointee != 0x30 { return }
    earshot_alsa_silence_errors()
}()

/// libasound's text for a negative error code (`snd_strerror`).
func alsaErrorText(_ code: Int32) -> String { String(cString: snd_strerror(code)) }

/// Parameters the device actually granted (it may round period and buffer sizes).
public struct NegotiatedCapture: Sendable, Equatable {
    /// Sample rate in Hz.
    public var rate: Int
    /// Channels per frame.
    public var channels: Int
    /// Sample format delivered by the device.
    public var format: CaptureSampleFormat
    /// Period in frames (one read per period).
    public var periodFrames: Int
    /// ALSA ring buffer in frames.
    public var bufferFrames: Int

    /// Creates a record of granted parameters.
    public init(rate: Int, channels: Int, format: CaptureSampleFormat, periodFrames: Int, bufferFrames: Int) {
        self.rate = rate
        self.channels = channels
        self.format = format
        self.periodFrames = periodFrames
        self.bufferFrames = bufferFrames
    }
}

/// Something the capture thread can read periods from: `AlsaCaptureDevice` on a
/// box, a scripted device in tests. Opened and used by the capture thread only.
public protocol CaptureDevice: AnyObject {
    /// Opens and configures the device (allocates; not on the steady-state path).
    static func open(_ config: AudioCaptureConfig) throws(AlsaError) -> Self
    /// What the device granted.
    var negotiated: NegotiatedCapture { get }
    /// Waits at most `timeoutMilliseconds` for a period, then reads up to `frames`
    /// interleaved frames into `buffer`. Returns the frames read (≥ 0), or a
    /// negative errno: `-EPIPE` overrun, `-ESTRPIPE` suspended, `-ETIMEDOUT` no
    /// data within the timeout, `-ENODEV`/`-EIO`/`-EBADFD` device gone.
    func read(into buffer: UnsafeMutableRawPointer, frames: Int, timeoutMilliseconds: Int32) -> Int
    /// Recovers from an overrun or suspend (`snd_pcm_recover`) and restarts the
    /// stream. Returns 0, or a negative errno when the device must be reopened.
    func recover(fromError code: Int32) -> Int32
    /// Closes the device; idempotent.
    func close()
    /// CLOCK_MONOTONIC ns at which the last frame returned by the latest successful
    /// `read` was captured (0 = the device gives no time; the caller then dates frames itself).
    var lastFrameCaptureNanoseconds: Int64 { get }
}

extension CaptureDevice {
    /// Devices without timestamps: 0 (unknown).
    public var lastFrameCaptureNanoseconds: Int64 { 0 }
}

/// An ALSA capture PCM opened with `snd_pcm_open` and configured for
/// interleaved read access (`snd_pcm_readi`).
public final class AlsaCaptureDevice: CaptureDevice {
    private var pcm: OpaquePointer?
    /// The PCM name it was opened with.
    public let device: String
    /// What the device granted.
    public let negotiated: NegotiatedCapture

    /// CLOCK_MONOTONIC ns of the last frame of the latest read: from
    /// `snd_pcm_htimestamp` (the driver's time of its last period update, minus the
    /// frames still unread then), or the time `snd_pcm_readi` returned when the
    /// device gives no timestamp.
    public private(set) var lastFrameCaptureNanoseconds: Int64 = 0
    /// Reads dated by the device's own timestamps / by the fallback (read return time).
    public private(set) var deviceTimestampedReads: UInt64 = 0
    public private(set) var fallbackTimestampedReads: UInt64 = 0
    private let nanosecondsPerFrame: Double

    private init(pcm: OpaquePointer, device: String, negotiated: NegotiatedCapture) {
        self.pcm = pcm
        self.device = device
        self.negotiated = negotiated
        self.nanosecondsPerFrame = 1e9 / Double(negotiated.rate)
    }

    deinit { close() }

    /// Opens `config.device` for capture, sets access, format, channels, rate
    /// (exactly), period and buffer sizes, prepares and starts it.
    public static func open(_ config: AudioCaptureConfig) throws(AlsaError) -> AlsaCaptureDevice {
        try config.validate()
        alsaSilenceLibraryErrors()
        let dev = config.device
        var handle: OpaquePointer?
        var rc = snd_pcm_open(&handle, dev, SND_PCM_STREAM_CAPTURE, 0)
        guard rc >= 0, let pcm = handle else { throw AlsaError(code: rc, call: "snd_pcm_open", device: dev) }
        var ok = false
        defer { if !ok { snd_pcm_close(pcm) } }

        var hwp: OpaquePointer?
        rc = snd_pcm_hw_params_malloc(&hwp)
        guard rc >= 0, let hw = hwp else { throw AlsaError(code: rc, call: "snd_pcm_hw_params_malloc", device: dev) }
        defer { snd_pcm_hw_params_free(hw) }
        rc = snd_pcm_hw_params_any(pcm, hw)
        guard rc >= 0 else { throw AlsaError(code: rc, call: "snd_pcm_hw_params_any", device: dev) }

        rc = snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED)
        guard rc >= 0 else {
            throw AlsaError(code: rc, call: "snd_pcm_hw_params_set_access", device: dev,
                            detail: "the device does not offer interleaved read access — use \"plug\(dev.hasPrefix("hw:") ? dev : "hw:…")\"")
        }
        let alsaFormat = config.format == .s16LE ? SND_PCM_FORMAT_S16_LE : SND_PCM_FORMAT_S32_LE
        rc = snd_pcm_hw_params_set_format(pcm, hw, alsaFormat)
        guard rc >= 0 else {
            let offered = CaptureSampleFormat.allCases.filter {
                snd_pcm_hw_params_test_format(pcm, hw, $0 == .s16LE ? SND_PCM_FORMAT_S16_LE : SND_PCM_FORMAT_S32_LE) == 0
            }.map(\.rawValue)
            throw AlsaError(code: rc, call: "snd_pcm_hw_params_set_format", device: dev,
                            detail: "format \(config.format.rawValue) not accepted; of S16_LE/S32_LE the device offers "
                                + "[\(offered.joined(separator: ", "))] — set audio.format accordingly or use a plughw: device")
        }
        var minCh: UInt32 = 0, maxCh: UInt32 = 0
        snd_pcm_hw_params_get_channels_min(hw, &minCh)
        snd_pcm_hw_params_get_channels_max(hw, &maxCh)
        rc = snd_pcm_hw_params_set_channels(pcm, hw, UInt32(config.channels))
        guard rc >= 0 else {
            throw AlsaError(code: rc, call: "snd_pcm_hw_params_set_channels", device: dev,
                            detail: "\(config.channels) channels not accepted (device offers \(minCh)…\(maxCh)) — set audio.channels")
        }
        var minRate: UInt32 = 0, maxRate: UInt32 = 0, dir: Int32 = 0
        snd_pcm_hw_params_get_rate_min(hw, &minRate, &dir)
        snd_pcm_hw_params_get_rate_max(hw, &maxRate, &dir)
        rc = snd_pcm_hw_params_set_rate(pcm, hw, UInt32(config.rate), 0)
        guard rc >= 0 else {
            throw AlsaError(code: rc, call: "snd_pcm_hw_params_set_rate", device: dev,
                            detail: "rate \(config.rate) Hz not accepted (device offers \(minRate)…\(maxRate) Hz, not necessarily "
                                + "every value) — set audio.rate to a supported rate or use a plughw: device to resample")
        }
        var period = snd_pcm_uframes_t(config.periodFrames)
        dir = 0
        rc = snd_pcm_hw_params_set_period_size_near(pcm, hw, &period, &dir)
        guard rc >= 0 else {
            throw AlsaError(code: rc, call: "snd_pcm_hw_params_set_period_size_near", device: dev,
                            detail: "period of \(config.periodFrames) frames not accepted — change audio.period_frames")
        }
        var buffer = snd_pcm_uframes_t(max(config.bufferFrames, Int(period) * 2))
        rc = snd_pcm_hw_params_set_buffer_size_near(pcm, hw, &buffer)
        guard rc >= 0 else {
            throw AlsaError(code: rc, call: "snd_pcm_hw_params_set_buffer_size_near", device: dev,
                            detail: "buffer of \(config.bufferFrames) frames not accepted — change audio.buffer_frames")
        }
        rc = snd_pcm_hw_params(pcm, hw)
        guard rc >= 0 else { throw AlsaError(code: rc, call: "snd_pcm_hw_params", device: dev) }
        // Timestamps on the monotonic clock (for snd_pcm_htimestamp). Best effort:
        // a plugin that refuses leaves dating to the read-return fallback.
        var swp: OpaquePointer?
        if snd_pcm_sw_params_malloc(&swp) >= 0, let sw = swp {
            defer { snd_pcm_sw_params_free(sw) }
            if snd_pcm_sw_params_current(pcm, sw) >= 0 {
                _ = snd_pcm_sw_params_set_tstamp_mode(pcm, sw, SND_PCM_TSTAMP_ENABLE)
                _ = snd_pcm_sw_params_set_tstamp_type(pcm, sw, SND_PCM_TSTAMP_TYPE_MONOTONIC)
                _ = snd_pcm_sw_params(pcm, sw)
            }
        }
        rc = snd_pcm_start(pcm)
        guard rc >= 0 else { throw AlsaError(code: rc, call: "snd_pcm_start", device: dev) }
        ok = true
        let granted = NegotiatedCapture(rate: config.rate, channels: config.channels, format: config.format,
                                        periodFrames: Int(period), bufferFrames: Int(buffer))
        return AlsaCaptureDevice(pcm: pcm, device: dev, negotiated: granted)
    }

    public func read(into buffer: UnsafeMutableRawPointer, frames: Int, timeoutMilliseconds: Int32) -> Int {
        guard let pcm else { return -Int(AlsaErrno.EBADFD) }
        let ready = snd_pcm_wait(pcm, timeoutMilliseconds)
        if ready == 0 { return -Int(AlsaErrno.ETIMEDOUT) }
        if ready < 0 { return Int(ready) }
        let n = Int(snd_pcm_readi(pcm, buffer, snd_pcm_uframes_t(frames)))
        if n > 0 { dateLastRead(pcm) }
        return n
    }

    /// Sets `lastFrameCaptureNanoseconds` for the read that just returned.
    private func dateLastRead(_ pcm: OpaquePointer) {
        let nowNs = MonotonicClock.signedNanoseconds()
        var avail: snd_pcm_uframes_t = 0
        var ts = timespec()
        if snd_pcm_htimestamp(pcm, &avail, &ts) == 0, ts.tv_sec != 0 || ts.tv_nsec != 0 {
            // `ts`: the hardware position's time; `avail` frames were captured after ours.
            let t = Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec) &- Int64(Double(avail) * nanosecondsPerFrame)
            // Only a time on our clock and not in the future is believed (a plugin may
            // ignore the tstamp type and report CLOCK_REALTIME).
            if t <= nowNs && nowNs &- t < 10_000_000_000 {
                lastFrameCaptureNanoseconds = t
                deviceTimestampedReads &+= 1
                return
            }
        }
        lastFrameCaptureNanoseconds = nowNs
        fallbackTimestampedReads &+= 1
    }

    public func recover(fromError code: Int32) -> Int32 {
        guard let pcm else { return -AlsaErrno.EBADFD }
        let rc = snd_pcm_recover(pcm, code, 1)
        if rc < 0 { return rc }
        if snd_pcm_state(pcm) == SND_PCM_STATE_PREPARED { return snd_pcm_start(pcm) }
        return 0
    }

    public func close() {
        if let pcm { snd_pcm_close(pcm) }
        pcm = nil
    }
}

/// One capture-capable PCM name from ALSA's hints (`snd_device_name_hint`).
public struct AlsaDeviceHint: Sendable, Equatable {
    /// The name to put in the board file's `audio.device` (e.g. `"hw:CARD=Array,DEV=0"`).
    public var name: String
    /// ALSA's description (card and device names), one line.
    public var description: String
}

/// Lists PCM names ALSA knows that can capture (for `earshot devices`).
public func alsaCaptureDeviceHints() -> [AlsaDeviceHint] {
    alsaSilenceLibraryErrors()
    var hints: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
    guard snd_device_name_hint(-1, "pcm", &hints) >= 0, let list = hints else { return [] }
    defer { snd_device_name_free_hint(list) }
    var result: [AlsaDeviceHint] = []
    var i = 0
    while let hint = list[i] {
        i += 1
        func take(_ key: String) -> String? {
            guard let p = snd_device_name_get_hint(hint, key) else { return nil }
            defer { free(p) }
            return String(cString: p)
        }
        if let io = take("IOID"), io != "Input" { continue }
        // `null` discards playback and captures zeros, accepting any rate and 1…2³⁰ channels: no microphone.
        guard let name = take("NAME"), name != "null" else { continue }
        let desc = (take("DESC") ?? "").split(whereSeparator: \.isNewline).joined(separator: " — ")
        result.append(AlsaDeviceHint(name: name, description: desc))
    }
    return result
}
