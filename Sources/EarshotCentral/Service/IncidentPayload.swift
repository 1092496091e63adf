// `Incident` → the `incident` message (Schemas/incident.schema.json) and its topic.
import EarshotText
import EarshotMQTT

/// Encodes incidents for MQTT. Topic: `{prefix}/{site}/incidents/{id}` (retained while open;
/// when the incident closes a `state: closed` message is published, not retained, and the
/// retained one is cleared).
public enum IncidentPayload {
    /// Topic level between site and incident id (so a box may not be called this).
    public static let topicLevel = "incidents"

    /// The topic of one incident.
    public static func topic(prefix: String, incident: Incident) -> String {
        "\(prefix)/\(incident.site)/\(topicLevel)/\(incident.id)"
    }

    /// The JSON text of `incident` (timestamps of the central's clock for opened/updated/closed).
    public static func encode(_ incident: Incident) -> String {
        JSONWriter.document(capacity: capacity(incident)) { w in
            w.beginObject()
            writeMembers(incident, into: w)
            w.endObject()
        }
    }

    /// Bytes enough for `encode(incident)`: the fixed members, and per contributing event its
    /// members, sized from the strings (ids, names) they carry.
    static func capacity(_ incident: Incident) -> Int {
        var n = 4_096 + JSONWriter.maxStringBytes(incident.id) + JSONWriter.maxStringBytes(incident.site)
            + JSONWriter.maxStringBytes(incident.soundClass) + JSONWriter.maxStringBytes(incident.mergedInto ?? "")
        for e in incident.events { n += 512 + JSONWriter.maxStringBytes(e.box) + 2 * JSONWriter.maxStringBytes(e.id) }
        return n
    }

    /// The members of the incident message, inside an open object (the operator's page adds
    /// its own after them). Positions and axes in metres, angles in degrees, residuals in ms.
    static func writeMembers(_ incident: Incident, into w: JSONWriter) {
        let loc = incident.location
        w.key("schema"); w.int(1)
        w.key("id"); w.string(incident.id)
        w.key("site"); w.string(incident.site)
        w.key("state"); w.string(incident.state.rawValue)
        w.key("revision"); w.int(incident.revision)
        w.key("class"); w.string(incident.soundClass)
        w.key("onset"); w.string(UTCTimestamp(nanosecondsSinceEpoch: loc.emissionNs).rfc3339)
        w.key("onset_ns"); w.int(loc.emissionNs)
        w.key("method"); w.string(loc.method.rawValue)
        w.key("position"); w.beginObject()
        w.key("x_m"); w.number(loc.position.x, decimals: 2)
        w.key("y_m"); w.number(loc.position.y, decimals: 2)
        w.endObject()
        w.key("ellipse"); w.beginObject()
        w.key("semi_major_m"); w.number(loc.ellipse.semiMajorM, decimals: 2)
        w.key("semi_minor_m"); w.number(loc.ellipse.semiMinorM, decimals: 2)
        w.key("orientation_deg"); w.number(loc.ellipse.orientationDeg, decimals: 1)
        w.key("confidence"); w.number(loc.ellipse.confidence, decimals: 2)
        w.endObject()
        if let band = loc.rangeBandM {
            w.key("range_band_m"); w.beginArray()
            w.number(band.lowerBound, decimals: 1); w.number(band.upperBound, decimals: 1)
            w.endArray()
        }
        w.key("rms_residual"); w.number(loc.rmsNormalisedResidual, decimals: 3)
        w.key("contributions"); w.beginArray()
        for e in incident.events {
            w.beginObject()
            w.key("sensor"); w.string(e.box)
            w.key("event_id"); w.string(e.id)
            w.key("onset"); w.string(UTCTimestamp(nanosecondsSinceEpoch: e.onsetNs).rfc3339)
            w.key("onset_ns"); w.int(e.onsetNs)
            if let b = e.bearingDeg { w.key("bearing_deg"); w.number(b, decimals: 1) }
            if let r = loc.residualsMs[e.box] { w.key("residual_ms"); w.number(r, decimals: 3) }
            w.endObject()
        }
        w.endArray()
        w.key("event_ids"); w.beginArray()
        for id in incident.eventIDs { w.string(id) }
        w.endArray()
        w.key("opened"); w.string(UTCTimestamp(nanosecondsSinceEpoch: incident.openedNs).rfc3339)
        w.key("updated"); w.string(UTCTimestamp(nanosecondsSinceEpoch: incident.updatedNs).rfc3339)
        if let c = incident.closedNs { w.key("closed"); w.string(UTCTimestamp(nanosecondsSinceEpoch: c).rfc3339) }
        if let m = incident.mergedInto { w.key("merged_into"); w.string(m) }
    }
}
