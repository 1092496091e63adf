// One physical sound heard by one or more boxes: the unit the operator acts on.

/// Whether the incident may still change.
public enum IncidentState: String, Sendable, Equatable {
    /// Recent: late events may still join and move it; published retained.
    case open
    /// Quiet for `FusionSettings.closeAfterS`: final.
    case closed
}

/// A fused incident: the contributing events and where the sound came from.
public struct Incident: Sendable, Equatable {
    /// Deterministic id (`IncidentID`): the same events give the same id in every instance and replay.
    public let id: String
    /// Site id.
    public let site: String
    /// Class of every contributing event.
    public let soundClass: String
    /// Open or closed.
    public var state: IncidentState
    /// 1 when opened, +1 for each contributing event added afterwards.
    public var revision: Int
    /// Contributing events, sorted by box id (one per box).
    public private(set) var events: [FusionEvent]
    /// Current localisation.
    public var location: Localisation
    /// Box of the event that opened it (the nearest box, as a rule); stays when events move.
    public let openerBox: String
    /// Receive time of the first contributing event, ns since 1970 (central's clock).
    public let openedNs: Int64
    /// Receive time of the latest contributing event, ns since 1970 (central's clock).
    public var updatedNs: Int64
    /// When it closed (central's clock), ns since 1970; nil while open.
    public var closedNs: Int64?
    /// When it was closed because its events turned out to belong to another incident: that one's id.
    public var mergedInto: String?

    /// Builds an incident from its first event.
    init(id: String, site: String, first: FusionEvent, location: Localisation, receivedNs: Int64) {
        self.id = id; self.site = site; soundClass = first.soundClass; state = .open; revision = 1
        events = [first]; self.location = location; openerBox = first.box
        openedNs = receivedNs; updatedNs = receivedNs
    }

    /// Contributing event ids, sorted.
    public var eventIDs: [String] { events.map(\.id).sorted() }
    /// Contributing box ids, sorted.
    public var boxIDs: [String] { events.map(\.box) }

    /// The event of `box`, if it contributed.
    public func event(of box: String) -> FusionEvent? { events.first { $0.box == box } }

    /// Adds an event (the caller checked it is consistent and its box is new).
    mutating func add(_ e: FusionEvent) {
        events.append(e)
        events.sort { $0.box < $1.box }
    }

    /// Replaces every contributing event (a re-partition of overlapping sounds; one per box).
    mutating func replaceEvents(_ es: [FusionEvent]) { events = es.sorted { $0.box < $1.box } }

    /// Removes an event (an outlier of the fit).
    mutating func remove(_ id: String) { events.removeAll { $0.id == id } }
}
