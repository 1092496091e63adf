// What to capture and how: device, rate, channels, sample format, period/buffer sizes.

/// Sample format requested from the ALSA device. Whatever the device delivers is
/// converted to Q15 `Int16` before it enters the `SampleRing`.
public enum CaptureSampleFormat: String, Sendable, CaseIterable {
    /// Signed 16-bit little-endian: copied unchanged (already Q15).
    case s16LE = "S16_LE"
    /// Signed 32-bit little-endian (24-bit codecs deliver this, low byte zero):
    /// rounded to Q15 as `(x + 2¹⁵) >> 16`, saturated to 32767.
    case s32LE = "S32_LE"

    /// Bytes per sample in the device buffer.
    public var bytesPerSample: Int { self == .s16LE ? 2 : 4 }
}

/// ALSA capture parameters, usually from the board file's `audio` section.
public struct AudioCaptureConfig: Sendable, Equatable {
    /// ALSA PCM name, e.g. `"hw:2,0"`, `"plughw:CARD=Array,DEV=0"`, `"default"`.
    public var device: String
    /// Sample rate in Hz (16 000 or 48 000 on the shipped boards); must be accepted
    /// by the device exactly (no silent resampling on `hw:` devices).
    public var rate: Int
    /// Channels per frame, 1–8.
    public var channels: Int
    /// Sample format requested from the device.
    public var format: CaptureSampleFormat
    /// Requested ALSA period in frames (one `snd_pcm_readi` per period); the device may round it.
    public var periodFrames: Int
    /// Requested ALSA buffer in frames (≥ 2 periods); the device may round it.
    public var bufferFrames: Int
    /// Minimum `SampleRing` capacity in frames between capture and analysis (rounded up to a power of two).
    public var ringFrames: Int
    /// For a replay that no clock paces (an ALSA `file` plugin on a `null` slave): when
    /// the ring is full the capture thread waits for the analysis instead of dropping
    /// frames, so the whole recording is analysed whatever its length. false (a
    /// microphone: never wait, drop and count the newest frames).
    public var waitWhenRingFull = false

    /// Creates a configuration. Defaults: 10 ms periods, 4 periods of ALSA buffer,
    /// about 1 s of ring.
    public init(device: String, rate: Int = 16_000, channels: Int = 1, format: CaptureSampleFormat = .s16LE,
                periodFrames: Int? = nil, bufferFrames: Int? = nil, ringFrames: Int? = nil) {
        self.device = device
        self.rate = rate
        self.channels = channels
        self.format = format
        let period = periodFrames ?? max(rate / 100, 16)
        self.periodFrames = period
        self.bufferFrames = bufferFrames ?? period * 4
        self.ringFrames = ringFrames ?? rate
    }

    /// Checks the values that can be checked without opening the device. The
    /// error names the field and says what to change.
    public func validate() throws(AlsaError) {
        func bad(_ text: String) -> AlsaError { AlsaError(code: -22, call: "config", device: device, detail: text) }
        if device.isEmpty { throw bad("audio.device is empty — set it to an ALSA name such as \"hw:1,0\" (see 'earshot devices')") }
        if !(8_000...192_000).contains(rate) { throw bad("audio.rate \(rate) Hz is outside 8000…192000 — use 16000 or 48000") }
        if !(1...8).contains(channels) { throw bad("audio.channels \(channels) is outside 1…8") }
        if periodFrames < 16 || periodFrames > rate { throw bad("audio.period_frames \(periodFrames) must be 16…\(rate) (1 s)") }
        if bufferFrames < 2 * periodFrames {
            throw bad("audio.buffer_frames \(bufferFrames) must be at least 2 × period_frames (\(2 * periodFrames))")
        }
        if ringFrames < 2 * periodFrames || ringFrames > 1 << 24 {
            throw bad("ring size \(ringFrames) frames must be 2 × period_frames (\(2 * periodFrames))…16777216")
        }
    }
}
