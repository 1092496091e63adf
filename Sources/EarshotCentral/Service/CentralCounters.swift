// What the service has seen, for the log, tests and the fleet report.

/// Message and incident counts since start.
public struct CentralCounters: Sendable, Equatable {
    /// Event messages received (all, including bad ones and duplicates).
    public var eventsReceived = 0
    /// Status messages received.
    public var statusesReceived = 0
    /// Payloads refused as malformed (field named in the log).
    public var malformed = 0
    /// Events refused by the fusion (impossible onset).
    public var rejected = 0
    /// Messages from boxes not in the registry (not trusted).
    public var fromUnknownBoxes = 0
    /// Duplicate event ids ignored.
    public var duplicates = 0
    /// Late events absorbed by closed incidents.
    public var absorbed = 0
    /// Events fused into incidents (opened or updated one).
    public var fused = 0
    /// Incidents opened.
    public var incidentsOpened = 0
    /// Incidents closed.
    public var incidentsClosed = 0
    /// Incident messages published (opens, updates, closings, re-sends after reconnect).
    public var incidentMessages = 0
    /// `cmd/ptz` requests published (one per located incident at most, `[site] ptz = true`).
    public var ptzCommands = 0
    /// Messages from registered boxes outside this instance's partition (ignored).
    public var outsidePartition = 0
    /// Incident changes not published: opened by a box of another instance's strip (`[partition]`).
    public var incidentsElsewhere = 0
    /// Builds zero counts.
    public init() {}
}
