// The hand-off from the analysis thread to the dispatcher thread: what an item is,
// and the queue (EarshotPlatform's SPSC ring: `push` never blocks and never allocates;
// a full queue drops the item and counts it).
import EarshotPlatform
import EarshotDSP
import EarshotDetection
import EarshotGPIO

/// One thing the analysis thread reports.
public struct AgentItem: Sendable {
    /// What the item carries.
    public enum Kind: UInt8, Sendable {
        /// A detector event (`event`, onset times, PTZ sector and outcome).
        case event
        /// A closed telemetry window (`levels`, `bandLeqDB`, interval).
        case telemetry
        /// A self-test request reached the analysis thread (`selfTestID`).
        case selfTest
    }
    public var kind: Kind = .event
    /// The detector's event (`.event`).
    public var event = Event()
    /// Onset of the event: CLOCK_MONOTONIC ns (estimated capture time of the onset sample).
    public var onsetMonotonicNanoseconds: Int64 = 0
    /// Onset of the event in UTC ns (monotonic estimate + realtime offset).
    public var onsetUTCNanoseconds: Int64 = 0
    /// PTZ sector chosen (0-based), −1 when none.
    public var sector: Int32 = -1
    /// What the PTZ trigger did with the event's request.
    public var ptz = PTZOutcome.none
    /// CLOCK_MONOTONIC ns at which the PTZ pulse was requested (0 when none was).
    public var ptzRequestMonotonicNanoseconds: Int64 = 0
    /// Telemetry: A-weighted levels of the window, Q8.8 dBFS.
    public var levels = LevelReport(leq: 0, lmax: 0, lmin: 0, l10: 0, l50: 0, l90: 0, hops: 0)
    /// Telemetry: per-octave-band Leq over the window, dBFS (NaN = not measured).
    public var bandLeqDB = SIMD8<Double>(repeating: .nan)
    /// Telemetry: window start, UTC ns; and length, s.
    public var intervalStartUTCNanoseconds: Int64 = 0
    public var intervalSeconds: Double = 0
    /// Self-test: request number.
    public var selfTestID: UInt32 = 0
    /// Event: bearing of the source from the microphone array, degrees [0, 360) (NaN = unknown).
    public var bearingDeg: Double = .nan
    /// Event: elevation, degrees (NaN = unknown or a planar array).
    public var elevationDeg: Double = .nan
    /// Event: confidence of the bearing, 0–1 (NaN = unknown).
    public var bearingConfidence: Double = .nan

    public init() {}
}

extension AgentItem {
    /// What became of an event's PTZ request (fixed size: the item stays plain data).
    public enum PTZOutcome: UInt8, Sendable {
        /// No pulse requested: not steering the camera, or a sustained sound's end.
        case none
        /// Accepted: the trigger thread drives the sector's pulse sequence.
        case accepted
        /// Suppressed: the sector or any sector pulsed less than the cooldown ago.
        case cooldown
        /// Refused: the trigger's queue was full, it was stopped, or no such sector.
        case refused

        /// The outcome of `PTZTriggerOutcome`.
        init(_ trigger: PTZTriggerOutcome) {
            switch trigger {
            case .accepted: self = .accepted
            case .suppressedBySectorCooldown, .suppressedByGlobalCooldown: self = .cooldown
            case .queueFull, .stopped, .noSuchSector: self = .refused
            }
        }
    }
}

/// SPSC ring of `AgentItem`s (EarshotPlatform's `SPSCQueue`); the consumer can wait with a timeout.
public typealias AgentQueue = SPSCQueue<AgentItem>

extension SPSCQueue where Element == AgentItem {
    /// A queue of `capacity` items, allocated here.
    public convenience init(capacity: Int = 256) { self.init(capacity: capacity, filler: AgentItem()) }
}
