// One box's event as the fusion sees it: who heard what, when, how well its clock is known.

/// Whether the event is a whole impulsive sound, the start of a sustained one, or its end.
public enum EventPhase: String, Sendable, Equatable {
    /// A complete impulsive sound (also assumed when the payload has no `phase`).
    case impulse
    /// A sustained sound was confirmed.
    case start
    /// The sustained sound ended (repeats the start's onset; never fused).
    case end
}

/// A box's clock as the event reports it (`clock` in `event.schema.json`).
public struct EventClock: Sendable, Equatable {
    /// True when the box's clock was disciplined (NTP/PTP/GNSS) at the onset.
    public var synchronised: Bool
    /// Estimated clock error, µs; nil = unknown.
    public var errorUs: Int64?
    /// Builds a clock state.
    public init(synchronised: Bool, errorUs: Int64?) { self.synchronised = synchronised; self.errorUs = errorUs }
}

/// One event of one box, decoded and checked (see `EventPayloadDecoder`).
public struct FusionEvent: Sendable, Equatable {
    /// Unique event id `{sensor}-{boot_id}-{seq}` (duplicates are recognised by it).
    public var id: String
    /// Sensor id of the box that published it.
    public var box: String
    /// Class name from the signature table (`gunshot`, `glass_break`, …).
    public var soundClass: String
    /// Phase; `end` messages are counted but never fused.
    public var phase: EventPhase
    /// Onset, ns since 1970-01-01T00:00:00Z (UTC) by the box's clock.
    public var onsetNs: Int64
    /// The box clock's sync state at the onset.
    public var clock: EventClock
    /// Azimuth in the board's frame, degrees counter-clockwise from the board's +x; nil when unknown.
    public var bearingDeg: Double?
    /// Confidence of `bearingDeg`, 0…1; nil when not reported.
    public var bearingConfidence: Double?
    /// Peak level, dB SPL, when the box is calibrated.
    public var peakDbSpl: Double?
    /// Detection confidence, 0…1.
    public var confidence: Double

    /// Builds an event; clock synchronised to 100 µs, impulse, no bearing by default.
    public init(id: String, box: String, soundClass: String, phase: EventPhase = .impulse, onsetNs: Int64,
                clock: EventClock = EventClock(synchronised: true, errorUs: 100), bearingDeg: Double? = nil,
                bearingConfidence: Double? = nil, peakDbSpl: Double? = nil, confidence: Double = 1) {
        self.id = id; self.box = box; self.soundClass = soundClass; self.phase = phase; self.onsetNs = onsetNs
        self.clock = clock; self.bearingDeg = bearingDeg; self.bearingConfidence = bearingConfidence
        self.peakDbSpl = peakDbSpl; self.confidence = confidence
    }
}

/// Why an event (or a payload) was not fused: the box and the field are always named.
public struct EventIssue: Error, Sendable, Equatable, CustomStringConvertible {
    /// Sensor id as published (topic level), or "?" when even that is unknown.
    public var box: String
    /// Payload field at fault (`onset`, `clock.error_us`, `sensor`…), or `topic`/`payload`.
    public var field: String
    /// What is wrong, in words.
    public var message: String
    /// Builds an issue.
    public init(box: String, field: String, message: String) { self.box = box; self.field = field; self.message = message }
    /// `box X: field F: message`.
    public var description: String { "box \(box): field \(field): \(message)" }
}
