// What the centre knows about each box from its retained `status` (Schemas/status.schema.json).
import EarshotJSON

/// One box's last reported state.
public struct BoxState: Sendable, Equatable {
    /// `online` or `offline` (the last will), as published; nil before any status.
    public var state: String?
    /// Privacy mode (`levels`, `events`, `events+ptz`), when reported.
    public var mode: String?
    /// Boot id of the box's current run, when reported.
    public var bootID: String?
    /// Whether its clock was synchronised, when reported.
    public var clockSynchronised: Bool?
    /// When the centre last heard from the box (any message), ns since 1970 (centre's clock).
    public var lastSeenNs: Int64?
    /// Events received from it (including duplicates).
    public var events: Int = 0
    /// Builds an empty state.
    public init() {}
}

/// Box states by id, and the set of unknown ids already reported (each is logged once).
public struct BoxBook: Sendable {
    /// States of registered boxes, by id.
    public private(set) var states: [String: BoxState] = [:]
    /// Ids that published without being in the registry (not trusted), in first-seen order.
    public private(set) var unknownBoxes: [String] = []

    /// An empty book.
    public init() {}

    /// Records that `box` published something at `nowNs`; returns true the first time an
    /// unregistered id is seen (so the caller reports it once).
    public mutating func saw(_ box: String, registered: Bool, nowNs: Int64, isEvent: Bool) -> Bool {
        guard registered else {
            if unknownBoxes.contains(box) { return false }
            if unknownBoxes.count < 10_000 { unknownBoxes.append(box) }
            return true
        }
        states[box, default: BoxState()].lastSeenNs = nowNs
        if isEvent { states[box, default: BoxState()].events += 1 }
        return false
    }

    /// Applies a status payload of a registered box; returns the field at fault on a malformed one.
    public mutating func apply(status payload: [UInt8], box: String) -> EventIssue? {
        let value: JSONValue
        do { value = try JSONReader.parse(payload) }
        catch { return EventIssue(box: box, field: "payload", message: "status is not JSON: \(error.description)") }
        guard let o = value.object else { return EventIssue(box: box, field: "payload", message: "status must be a JSON object") }
        guard let state = o["state"]?.string else { return EventIssue(box: box, field: "state", message: "missing or not a string") }
        if let s = o["sensor"]?.string, s != box {
            return EventIssue(box: box, field: "sensor", message: "\"\(s)\" does not match the topic's sensor")
        }
        var st = states[box] ?? BoxState()
        st.state = state
        st.mode = o["mode"]?.string ?? st.mode
        st.bootID = o["boot_id"]?.string ?? st.bootID
        if let c = o["clock"]?.object?["synchronised"]?.bool { st.clockSynchronised = c }
        states[box] = st
        return nil
    }
}
