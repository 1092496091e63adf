// Direction of arrival for the live agent: onset windows from the OnsetHistory,
// GCC-PHAT through EventLocaliser, bearing → camera preset through BearingSectorMapper.
import EarshotConfig
import EarshotDSP
import EarshotPlatform

/// What `earshot run` needs to localise events (from the board file).
public struct LiveLocalisationSetup: Sendable {
    /// Microphone positions (array frame, metres); `count` = channels captured.
    public var geometry: MicArrayGeometry
    /// Camera position and presets (nil: bearing published, camera sent to the default preset).
    public var camera: CameraSettings?
    /// Sample rate, Hz.
    public var sampleRate: Int
    /// Onset window (FFT size: 2048 samples = 128 ms at 16 kHz, 43 ms at 48 kHz), PHAT band
    /// and pre-roll: the same settings as `earshot locate` (its onset search fields are unused here).
    public var window = LocateOptions()
    /// Bearings below this confidence (0–1) do not steer the camera (published anyway).
    public var minConfidence: Double = 0.3
    /// History kept per channel, s: an event confirmed later than this after its onset has no bearing.
    public var historySeconds: Double = 4

    /// Localisation for `board`, or nil when it lists fewer than 2 microphone
    /// positions or a number other than the channels it captures.
    public init?(board: BoardConfig) {
        guard let g = MicArrayGeometry(board: board), g.count == board.audio.channels else { return nil }
        geometry = g
        camera = board.camera
        sampleRate = board.audio.rate
    }
}

/// One localisation result.
public struct LiveBearing: Sendable, Equatable {
    /// Azimuth, degrees [0, 360) (0 = board +x, 90 = +y), from the array.
    public var azimuthDeg: Double
    /// Elevation, degrees, when the microphones span 3-D.
    public var elevationDeg: Double?
    /// 0–1.
    public var confidence: Double
    /// Camera preset chosen (1-based), nil when no camera presets or confidence too low.
    public var preset: Int?
    /// Windows averaged: 1 = onset window alone (impulsive), more = sustained.
    public var segments: Int = 1
}

/// Keeps the history and localises onsets. Used by the analysis thread only;
/// allocates at `init` only.
public final class LiveLocaliser {
    /// The setup in use.
    public let setup: LiveLocalisationSetup
    /// Recent audio of every channel.
    public let history: OnsetHistory
    private let localiser: EventLocaliser
    private var mapper: BearingSectorMapper?
    private let preRoll: Int64

    /// Allocates the history, the FFT tables and windows.
    public init(setup: LiveLocalisationSetup) {
        self.setup = setup
        localiser = setup.window.makeLocaliser(sampleRate: setup.sampleRate, geometry: setup.geometry)
        // The history window plus an onset span and the background span before it.
        history = OnsetHistory(channels: setup.geometry.count,
                               minimumFrames: Int(setup.historySeconds * Double(setup.sampleRate)) + 2 * localiser.spanSamples)
        mapper = setup.camera.map { BearingSectorMapper(camera: $0) }
        preRoll = Int64(setup.window.preRollSamples(sampleRate: setup.sampleRate))
    }

    /// Absolute sample at which the window for an onset at `onsetSample` starts.
    func windowStart(onsetSample: Int64) -> Int64 { max(0, onsetSample - preRoll) }

    /// True once the whole window of an onset at `onsetSample` is in the history.
    public func windowComplete(onsetSample: Int64) -> Bool {
        windowStart(onsetSample: onsetSample) + Int64(localiser.windowSamples) <= history.endSample
    }

    /// Localises the onset at `onsetSample` (absolute samples); nil when its window
    /// has left the history or GCC-PHAT found no consistent direction. A sound
    /// still as loud in the windows after the onset window (those already in the
    /// history: a sustained event is usually confirmed well after its onset) is
    /// localised from the PHAT cross-spectra averaged over those windows
    /// (`segments` > 1), an impulsive one from the onset window alone.
    public func locate(onsetSample: Int64) -> LiveBearing? {
        let start = windowStart(onsetSample: onsetSample)
        guard start >= history.startSample else { return nil }
        for c in 0..<setup.geometry.count {
            let at = localiser.windowOffset(channel: c), n = localiser.spanSamples
            history.copy(channel: c, from: start, into: localiser.windows, at: at, count: n)
            history.copy(channel: c, from: start - Int64(n), into: localiser.noiseWindows, at: at, count: n)   // missing samples read 0
        }
        let available = Int(max(0, min(Int64(localiser.spanSamples), history.endSample - start)))
        let b = localiser.locateEvent(available: available)
        guard b.valid else { return nil }
        var result = LiveBearing(azimuthDeg: b.azimuthDeg, elevationDeg: b.elevationDeg, confidence: b.confidence,
                                 preset: nil, segments: b.segments)
        if b.confidence >= setup.minConfidence, var m = mapper {
            result.preset = m.choose(bearingDeg: b.azimuthDeg, elevationDeg: b.elevationDeg)?.preset
            mapper = m
        }
        return result
    }
}
