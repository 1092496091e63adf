// First-class parts of the status payload: capture health, PTZ trigger, analysis.
// Plain values filled by the agent (EarshotMQTT does not depend on EarshotAudio/GPIO).
import EarshotText

/// Capture health for `status.capture`. Schema: `Schemas/status.schema.json`.
public struct CaptureReport: Sendable, Equatable {
    /// Where audio comes from.
    public enum Source: String, Sendable, Equatable {
        /// An ALSA device (the product).
        case alsa
        /// A WAV replay (`earshot run --input`, tests, demos).
        case file
    }
    /// State of the capture thread.
    public enum State: String, Sendable, Equatable {
        /// Device open, periods flowing (a replay that is playing).
        case open
        /// An overrun/suspend was recovered; waiting for the next period.
        case recovering
        /// Device closed (unplugged, failed to open, silent past the stall timeout); reopened with backoff.
        case lost
        /// Device lost and at least one reopen attempt failed since; still retrying with backoff.
        case reopening
        /// Not capturing (stopped, or a replay that reached its end).
        case stopped
    }
    public var source: Source
    /// ALSA device name (or the replayed file's path).
    public var device: String
    public var state: State
    /// Overruns/suspends recovered (count since start).
    public var xruns: UInt64
    /// Successful reopens after a loss (count since start).
    public var reopens: UInt64
    /// Failed open attempts (count since start).
    public var failedOpens: UInt64
    /// Frames captured since start.
    public var frames: UInt64
    /// Frames dropped because the analysis fell behind (ring full).
    public var framesDropped: UInt64
    /// Most recent capture error, one line (nil = none).
    public var lastError: String?

    /// Builds a report; counters default to 0.
    public init(source: Source, device: String, state: State, xruns: UInt64 = 0, reopens: UInt64 = 0,
                failedOpens: UInt64 = 0, frames: UInt64 = 0, framesDropped: UInt64 = 0, lastError: String? = nil) {
        self.source = source; self.device = device; self.state = state; self.xruns = xruns; self.reopens = reopens
        self.failedOpens = failedOpens; self.frames = frames; self.framesDropped = framesDropped; self.lastError = lastError
    }
}

/// PTZ trigger state for `status.ptz`. `enabled` is false unless the mode is `events+ptz`.
public struct PTZReport: Sendable, Equatable {
    /// True when camera steering is on (mode `events+ptz`, lines claimed).
    public var enabled: Bool
    /// Wiring: "line_per_sector" or "binary_code" (nil when disabled).
    public var wiring: String?
    /// Sectors (camera presets) addressable.
    public var sectors: Int
    /// Sector (0-based) of the last accepted trigger; nil before the first.
    public var lastSector: Int?
    /// Cooldown between triggers, ms (per sector and global).
    public var cooldownMs: Int
    /// Requests accepted / suppressed by a cooldown / sequences aborted by a line error.
    public var accepted: UInt64
    public var suppressed: UInt64
    public var failures: UInt64
    /// Most recent GPIO error (nil = none).
    public var lastError: String?

    /// Disabled PTZ.
    public static let disabled = PTZReport(enabled: false)

    /// Builds a report; counters default to 0.
    public init(enabled: Bool, wiring: String? = nil, sectors: Int = 0, lastSector: Int? = nil, cooldownMs: Int = 0,
                accepted: UInt64 = 0, suppressed: UInt64 = 0, failures: UInt64 = 0, lastError: String? = nil) {
        self.enabled = enabled; self.wiring = wiring; self.sectors = sectors; self.lastSector = lastSector
        self.cooldownMs = cooldownMs; self.accepted = accepted; self.suppressed = suppressed; self.failures = failures
        self.lastError = lastError
    }
}

/// Analysis-thread counters for `status.analysis`.
public struct AnalysisReport: Sendable, Equatable {
    /// 10 ms hops analysed since start.
    public var hops: Int64
    /// Items (events/telemetry) dropped because the dispatcher fell behind.
    public var queueDropped: UInt64

    /// Builds a report.
    public init(hops: Int64, queueDropped: UInt64) { self.hops = hops; self.queueDropped = queueDropped }
}

extension JSONWriter {
    func captureReport(_ c: CaptureReport) {
        beginObject()
        key("source"); string(c.source.rawValue)
        key("device"); string(c.device)
        key("state"); string(c.state.rawValue)
        key("xruns"); uint(c.xruns)
        key("reopens"); uint(c.reopens)
        key("failed_opens"); uint(c.failedOpens)
        key("frames"); uint(c.frames)
        key("frames_dropped"); uint(c.framesDropped)
        key("last_error"); if let e = c.lastError { string(e) } else { null() }
        endObject()
    }

    func ptzReport(_ p: PTZReport) {
        beginObject()
        key("enabled"); bool(p.enabled)
        if p.enabled {
            if let w = p.wiring { key("wiring"); string(w) }
            key("sectors"); int(p.sectors)
            key("last_sector"); if let s = p.lastSector { int(s) } else { null() }
            key("cooldown_ms"); int(p.cooldownMs)
            key("accepted"); uint(p.accepted)
            key("suppressed"); uint(p.suppressed)
            key("failures"); uint(p.failures)
            key("last_error"); if let e = p.lastError { string(e) } else { null() }
        }
        endObject()
    }

    func analysisReport(_ a: AnalysisReport) {
        beginObject()
        key("hops"); int(a.hops)
        key("queue_dropped"); uint(a.queueDropped)
        endObject()
    }
}

