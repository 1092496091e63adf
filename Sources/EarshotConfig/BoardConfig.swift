// What a board file describes: the hardware of one kind of sensor box.
// Plain value types, the single source of truth for capture, calibration,
// array geometry, PTZ wiring and camera presets. Loaded by `BoardConfig.load`.

/// A board: audio capture, microphone(s), PTZ trigger lines, camera.
public struct BoardConfig: Equatable, Sendable {
    /// Short name (`rpi4-respeaker-4mic`).
    public var name: String
    /// One line for humans.
    public var description: String
    public var audio: AudioSettings
    public var microphone: MicrophoneSettings
    /// PTZ trigger lines; nil when the board has none (then mode `events+ptz`
    /// is refused for sites using it).
    public var gpio: GPIOSettings?
    /// Camera placement and presets for bearing → preset mapping; nil when
    /// the board is not paired with a camera.
    public var camera: CameraSettings?

    public init(name: String, description: String = "", audio: AudioSettings, microphone: MicrophoneSettings = MicrophoneSettings(),
                gpio: GPIOSettings? = nil, camera: CameraSettings? = nil) {
        self.name = name
        self.description = description
        self.audio = audio
        self.microphone = microphone
        self.gpio = gpio
        self.camera = camera
    }
}

/// ALSA capture parameters (`[audio]`).
public struct AudioSettings: Equatable, Sendable {
    /// Sample formats the capture accepts.
    public enum SampleFormat: String, Equatable, Sendable, CaseIterable {
        case s16LE = "S16_LE"
        case s32LE = "S32_LE"
        /// Bytes per sample.
        public var bytes: Int { self == .s16LE ? 2 : 4 }
    }

    /// Which channel the detector analyses.
    public enum AnalysisChannel: Equatable, Sendable {
        /// One channel, 0-based.
        case index(Int)
        /// The mean of all channels.
        case mean
    }

    /// ALSA PCM name (`default`, `hw:CARD=seeed4micvoicec,DEV=0`, `plughw:1,0`).
    public var device: String
    /// Sample rate in Hz: 16 000 or 48 000.
    public var rate: Int
    /// Interleaved channels, 1…8.
    public var channels: Int
    public var format: SampleFormat
    /// ALSA period in frames (one wake-up of the capture thread).
    public var periodFrames: Int
    /// ALSA buffer in frames (≥ 2 periods).
    public var bufferFrames: Int
    public var analysisChannel: AnalysisChannel

    /// The supported sample rates, Hz.
    public static let supportedRates = [16_000, 48_000]

    public init(device: String = "default", rate: Int = 16_000, channels: Int = 1, format: SampleFormat = .s16LE,
                periodFrames: Int? = nil, bufferFrames: Int? = nil, analysisChannel: AnalysisChannel = .index(0)) {
        self.device = device
        self.rate = rate
        self.channels = channels
        self.format = format
        self.periodFrames = periodFrames ?? rate / 10  // 100 ms: 10 capture + 10 analysis wake-ups/s
        self.bufferFrames = bufferFrames ?? (periodFrames ?? rate / 10) * 4
        self.analysisChannel = analysisChannel
    }
}

/// A point in the array frame, metres. Array frame: origin at the array's
/// centre, x forward (the side of the box marked FRONT), y left, z up
/// (right-handed). Azimuth 0° = +x, 90° = +y (counter-clockwise seen from above).
public struct ArrayPoint: Equatable, Sendable {
    public var x: Double
    public var y: Double
    public var z: Double

    public init(x: Double, y: Double, z: Double) {
        self.x = x
        self.y = y
        self.z = z
    }
}

/// Microphone calibration and geometry (`[microphone]`).
public struct MicrophoneSettings: Equatable, Sendable {
    /// Datasheet sensitivity: the level in dBFS for a 94 dB SPL, 1 kHz tone.
    public var sensitivityDBFS: Double?
    /// Measured calibration: the dB SPL that reads as 0 dBFS (written by
    /// `earshot calibrate`). Takes precedence over `sensitivityDBFS`.
    public var calibrationOffsetDB: Double?
    /// One position per channel, metres, array frame; empty when unknown
    /// (then no direction of arrival).
    public var positionsM: [ArrayPoint]

    public init(sensitivityDBFS: Double? = nil, calibrationOffsetDB: Double? = nil, positionsM: [ArrayPoint] = []) {
        self.sensitivityDBFS = sensitivityDBFS
        self.calibrationOffsetDB = calibrationOffsetDB
        self.positionsM = positionsM
    }

    /// dB SPL at 0 dBFS: the calibration offset if measured, else
    /// 94 − sensitivity, else nil (uncalibrated: report dBFS only).
    public var effectiveOffsetDB: Double? {
        if let c = calibrationOffsetDB { return c }
        if let s = sensitivityDBFS { return 94 - s }
        return nil
    }
}

/// A GPIO line named by its offset on the chip or by its line name.
public enum GPIOLineRef: Equatable, Sendable, CustomStringConvertible {
    case offset(Int)
    case name(String)

    public var description: String {
        switch self {
        case .offset(let o): return String(o)
        case .name(let n): return "\"\(n)\""
        }
    }
}

/// PTZ trigger wiring (`[gpio]`).
public struct GPIOSettings: Equatable, Sendable {
    /// How presets map to lines.
    public enum Wiring: Equatable, Sendable {
        /// One line per preset: preset n (1-based) pulses `lines[n-1]`.
        case lines([GPIOLineRef])
        /// Binary code: preset n is set on `code` (LSB first, code 0 = none),
        /// then `strobe` is pulsed. Presets 1…2^code.count − 1.
        case binary(code: [GPIOLineRef], strobe: GPIOLineRef)
    }

    /// Electrical level.
    public enum Level: String, Equatable, Sendable {
        case low, high
    }

    /// Chip by name (`gpiochip0`), label (`pinctrl-bcm2711`) or path (`/dev/gpiochip0`).
    public var chip: String
    public var wiring: Wiring
    /// True when a line is asserted by driving it low.
    public var activeLow: Bool
    /// The electrical level lines rest at (start, stop, errors): the
    /// inactive level — low, or high when `activeLow`.
    public var idleLevel: Level
    /// Pulse width, ms (1…10 000).
    public var pulseMs: Int
    /// Minimum time between two triggers, ms (0…3 600 000).
    public var cooldownMs: Int

    public init(chip: String, wiring: Wiring, activeLow: Bool = false, idleLevel: Level? = nil, pulseMs: Int = 200, cooldownMs: Int = 5_000) {
        self.chip = chip
        self.wiring = wiring
        self.activeLow = activeLow
        self.idleLevel = idleLevel ?? (activeLow ? .high : .low)
        self.pulseMs = pulseMs
        self.cooldownMs = cooldownMs
    }

    /// Highest preset number the wiring can select.
    public var presetCount: Int {
        switch wiring {
        case .lines(let l): return l.count
        case .binary(let code, _): return (1 << code.count) - 1
        }
    }

    /// Every line used, in wiring order (code lines, then strobe).
    public var allLines: [GPIOLineRef] {
        switch wiring {
        case .lines(let l): return l
        case .binary(let code, let strobe): return code + [strobe]
        }
    }
}

/// The camera the trigger steers, and its presets (`[camera]`).
public struct CameraSettings: Equatable, Sendable {
    /// One preset: its number on the trigger and where it looks.
    public struct Preset: Equatable, Sendable {
        /// Preset number as selected by the GPIO wiring, 1-based.
        public var number: Int
        /// Azimuth the preset looks at, degrees in the array frame as seen from
        /// the camera (0 = +x forward, 90 = +y left), −180…360.
        public var azimuthDeg: Double
        /// Optional label for logs (`"crossing north"`).
        public var label: String?

        public init(number: Int, azimuthDeg: Double, label: String? = nil) {
            self.number = number
            self.azimuthDeg = azimuthDeg
            self.label = label
        }
    }

    /// Camera position relative to the array centre, metres, array frame.
    public var positionM: ArrayPoint
    /// Distance assumed to the sound source to convert a bearing from the box
    /// into a bearing from the camera (parallax), metres.
    public var assumedSourceDistanceM: Double
    /// A new preset is chosen only when the bearing is closer to it than to
    /// the current one by more than this, degrees.
    public var hysteresisDeg: Double
    /// Bearings within this of the current preset's azimuth never move the camera, degrees.
    public var deadZoneDeg: Double
    public var presets: [Preset]

    public init(positionM: ArrayPoint = ArrayPoint(x: 0, y: 0, z: 0), assumedSourceDistanceM: Double = 15,
                hysteresisDeg: Double = 10, deadZoneDeg: Double = 5, presets: [Preset]) {
        self.positionM = positionM
        self.assumedSourceDistanceM = assumedSourceDistanceM
        self.hysteresisDeg = hysteresisDeg
        self.deadZoneDeg = deadZoneDeg
        self.presets = presets
    }
}
