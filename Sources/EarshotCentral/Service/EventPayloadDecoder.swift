// An `event` message (Schemas/event.schema.json) → `FusionEvent`, or the box and field at fault.
import EarshotJSON

/// Decodes one box's event payload. Only what the fusion uses is required to be right;
/// every refusal names the box (from the topic) and the field.
public enum EventPayloadDecoder {
    /// Largest payload accepted, bytes (the agent's are < 4 KiB).
    public static let maxBytes = 65_536

    /// Decodes `payload` published on the event topic of `sensor` at `site`.
    public static func decode(_ payload: [UInt8], site: String, sensor: String) -> Result<FusionEvent, EventIssue> {
        func bad(_ field: String, _ message: String) -> Result<FusionEvent, EventIssue> {
            .failure(EventIssue(box: sensor, field: field, message: message))
        }
        guard payload.count <= maxBytes else { return bad("payload", "\(payload.count) bytes exceeds \(maxBytes)") }
        let value: JSONValue
        do { value = try JSONReader.parse(payload) } catch { return bad("payload", "not JSON: \(error.description)") }
        guard let o = value.object else { return bad("payload", "must be a JSON object") }
        guard let schema = o["schema"]?.number?.int64 else { return bad("schema", "missing or not an integer") }
        guard schema == 1 else { return bad("schema", "layout version \(schema) is not 1") }
        guard let id = o["id"]?.string, !id.isEmpty, id.utf8.count <= 200,
              !id.contains(where: { $0 == "/" || $0 == "+" || $0 == "#" }) else {
            return bad("id", "missing or not an event id {sensor}-{boot_id}-{seq}")
        }
        guard let s = o["sensor"]?.string else { return bad("sensor", "missing or not a string") }
        guard s == sensor else { return bad("sensor", "\"\(s)\" does not match the topic's sensor \"\(sensor)\"") }
        guard let st = o["site"]?.string else { return bad("site", "missing or not a string") }
        guard st == site else { return bad("site", "\"\(st)\" does not match the topic's site \"\(site)\"") }
        guard let cls = o["class"]?.string, !cls.isEmpty, cls.utf8.count <= 64 else { return bad("class", "missing or not a class name") }
        var phase = EventPhase.impulse
        if let p = o["phase"] {
            guard let ps = p.string, let ph = EventPhase(rawValue: ps) else { return bad("phase", "must be impulse, start or end") }
            phase = ph
        }
        guard let onsetNs = o["onset_ns"]?.number?.int64 else { return bad("onset_ns", "missing or not an integer (ns since 1970)") }
        guard let onsetText = o["onset"]?.string else { return bad("onset", "missing or not a string") }
        guard let parsed = parseRFC3339UTC(onsetText) else { return bad("onset", "\"\(onsetText)\" is not RFC 3339 UTC") }
        if parsed != onsetNs {
            return bad("onset", "\"\(onsetText)\" and onset_ns \(onsetNs) disagree by \(parsed &- onsetNs) ns")
        }
        guard let clock = o["clock"]?.object else { return bad("clock", "missing or not an object") }
        guard let sync = clock["synchronised"]?.bool else { return bad("clock.synchronised", "missing or not true/false") }
        var errorUs: Int64?
        if let e = clock["error_us"], !e.isNull {
            guard let v = e.number?.int64, v >= 0 else { return bad("clock.error_us", "must be a non-negative integer or null") }
            errorUs = v
        } else if clock["error_us"] == nil {
            return bad("clock.error_us", "missing (null when unknown)")
        }
        guard let confidence = o["confidence"]?.number?.value, (0...1).contains(confidence) else {
            return bad("confidence", "missing or outside 0…1")
        }
        var bearing: Double?
        if let b = o["bearing_deg"] {
            guard let v = b.number?.value, v >= 0, v < 360 else { return bad("bearing_deg", "must be a number in [0, 360)") }
            bearing = v
        }
        var bearingConfidence: Double?
        if let b = o["bearing_confidence"] {
            guard let v = b.number?.value, (0...1).contains(v) else { return bad("bearing_confidence", "must be 0…1") }
            bearingConfidence = v
        }
        var spl: Double?
        if let p = o["peak_db_spl"] {
            guard let v = p.number?.value, (0...200).contains(v) else { return bad("peak_db_spl", "must be 0…200 dB SPL") }
            spl = v
        }
        return .success(FusionEvent(id: id, box: sensor, soundClass: cls, phase: phase, onsetNs: onsetNs,
                                    clock: EventClock(synchronised: sync, errorUs: errorUs), bearingDeg: bearing,
                                    bearingConfidence: bearingConfidence, peakDbSpl: spl, confidence: confidence))
    }
}
