// `earshot devices`: what one capture PCM accepts (rates, formats, channels),
// asked with snd_pcm_hw_params_test_* on a non-blocking open that is closed at once.
import CAlsa

/// What a capture PCM accepts, from `snd_pcm_hw_params_test_*` (nothing is configured).
public struct AlsaCaptureCapabilities: Sendable, Equatable {
    /// Outcome of the probe.
    public enum Outcome: Sendable, Equatable {
        /// Opened and queried.
        case probed
        /// Another process holds the device (`-EBUSY`); nothing could be asked.
        case busy
        /// Open or query failed; libasound's reason.
        case failed(String)
    }
    /// The PCM name.
    public var device: String
    public var outcome: Outcome
    /// Rates among 8000, 11025, 16000, 22050, 32000, 44100, 48000 Hz the device accepts exactly.
    public var rates: [Int] = []
    /// Sample formats among S16_LE, S32_LE, S24_LE, FLOAT_LE the device accepts
    /// (Earshot's capture uses S16_LE or S32_LE).
    public var formats: [String] = []
    /// Channel count range, inclusive.
    public var channelsMin = 0
    public var channelsMax = 0
}

/// The rates `probeCaptureCapabilities` asks about, Hz.
public let alsaProbedRates = [8_000, 11_025, 16_000, 22_050, 32_000, 44_100, 48_000]

/// Opens `device` for capture with `SND_PCM_NONBLOCK` (a busy device answers `.busy`
/// at once instead of waiting), asks which rates, formats and channel counts it
/// accepts and closes it. Takes a few ms per device.
public func probeCaptureCapabilities(_ device: String) -> AlsaCaptureCapabilities {
    alsaSilenceLibraryErrors()
    var caps = AlsaCaptureCapabilities(device: device, outcome: .probed)
    var handle: OpaquePointer?
    let rc = snd_pcm_open(&handle, device, SND_PCM_STREAM_CAPTURE, Int32(SND_PCM_NONBLOCK))
    guard rc >= 0, let pcm = handle else {
        caps.outcome = -rc == AlsaErrno.EBUSY ? .busy : .failed(alsaErrorText(rc))
        return caps
    }
    defer { snd_pcm_close(pcm) }
    var hwp: OpaquePointer?
    guard snd_pcm_hw_params_malloc(&hwp) >= 0, let hw = hwp else {
        caps.outcome = .failed("out of memory (snd_pcm_hw_params_malloc)")
        return caps
    }
    defer { snd_pcm_hw_params_free(hw) }
    let any = snd_pcm_hw_params_any(pcm, hw)
    guard any >= 0 else {
        caps.outcome = .failed(alsaErrorText(any))
        return caps
    }
    _ = snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED)
    caps.rates = alsaProbedRates.filter { snd_pcm_hw_params_test_rate(pcm, hw, UInt32($0), 0) == 0 }
    let formats: [(String, snd_pcm_format_t)] = [("S16_LE", SND_PCM_FORMAT_S16_LE), ("S32_LE", SND_PCM_FORMAT_S32_LE),
                                                  ("S24_LE", SND_PCM_FORMAT_S24_LE), ("FLOAT_LE", SND_PCM_FORMAT_FLOAT_LE)]
    caps.formats = formats.filter { snd_pcm_hw_params_test_format(pcm, hw, $0.1) == 0 }.map(\.0)
    var minCh: UInt32 = 0, maxCh: UInt32 = 0
    snd_pcm_hw_params_get_channels_min(hw, &minCh)
    snd_pcm_hw_params_get_channels_max(hw, &maxCh)
    caps.channelsMin = Int(minCh)
    caps.channelsMax = Int(maxCh)
    return caps
}

/// True when `device` is a libasound `file` plugin reading an `infile` (a replay, not a
/// microphone): it is not paced by a clock, so capture outruns the analysis and needs a
/// ring that holds the recording. Opens the PCM non-blocking and closes it at once;
/// false when it cannot be opened (busy, absent: the capture reports that itself).
public func alsaDeviceIsFileReplay(_ device: String) -> Bool {
    alsaSilenceLibraryErrors()
    var handle: OpaquePointer?
    guard snd_pcm_open(&handle, device, SND_PCM_STREAM_CAPTURE, Int32(SND_PCM_NONBLOCK)) >= 0, let pcm = handle else { return false }
    defer { snd_pcm_close(pcm) }
    return snd_pcm_type(pcm) == SND_PCM_TYPE_FILE
}
