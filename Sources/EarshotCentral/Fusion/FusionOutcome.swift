// What happened to one event handed to the fusion.

/// The fate of one ingested event.
public enum FusionOutcome: Sendable, Equatable {
    /// It opened a new incident.
    case opened(Incident)
    /// It joined an open incident (position recomputed, revision + 1).
    case updated(Incident)
    /// Its id was seen before (at-least-once delivery): ignored.
    case duplicate(eventID: String)
    /// It belongs to an incident already closed: absorbed, no second incident.
    case absorbed(eventID: String, incidentID: String)
    /// Valid but not fused (e.g. `phase: end`), with the reason.
    case notFused(eventID: String, reason: String)
    /// Refused (unknown box, impossible onset): box and field named.
    case rejected(EventIssue)
}
