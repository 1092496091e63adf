// Observable state of the capture thread, for `status` messages and logs.

/// Where the capture thread is.
public enum CaptureState: UInt8, Sendable, Equatable, CustomStringConvertible {
    /// Not started, or stopped.
    case stopped = 0
    /// Reading periods normally.
    case running = 1
    /// An overrun or suspend was met; `snd_pcm_recover` ran and the next period is awaited.
    case recovering = 2
    /// The device is closed (unplugged, failed to open, or silent past the stall
    /// timeout) and is being reopened with exponential backoff.
    case lost = 3

    /// Lower-case name for status payloads: "stopped", "running", "recovering", "lost".
    public var description: String {
        switch self {
        case .stopped: "stopped"
        case .running: "running"
        case .recovering: "recovering"
        case .lost: "lost"
        }
    }
}

/// A snapshot of the capture's health counters.
public struct CaptureStatus: Sendable, Equatable {
    /// Current state.
    public var state: CaptureState
    /// Overruns/suspends recovered with `snd_pcm_recover` (count).
    public var xruns: UInt64
    /// Successful reopens after the device was lost (count; the first open is not counted).
    public var reopens: UInt64
    /// Failed open attempts since start (count).
    public var failedOpens: UInt64
    /// Failed open attempts since the last successful open (0 while the device is open).
    public var consecutiveFailedOpens: UInt64 = 0
    /// Waits that timed out with no audio (each `stallWaitMilliseconds` long).
    public var stalls: UInt64
    /// Frames read from the device since start.
    public var framesCaptured: UInt64
    /// Frames dropped because the ring was full (analysis too slow).
    public var framesDropped: UInt64
    /// The most recent error, one line (empty if none).
    public var lastError: String
    /// Parameters granted by the currently or last opened device.
    public var negotiated: NegotiatedCapture?
}
