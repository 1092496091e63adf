// `cmd/ptz` from the centre: the camera box nearest a located incident is asked to turn
// toward it (`[site] ptz = true`, off by default), once per incident.
import EarshotText
import EarshotMQTT
import Glibc

/// Where one camera should look: which box, the bearing toward the incident in that box's
/// frame, and the preset (sector) nearest that bearing.
public struct PTZAim: Sendable, Equatable {
    /// The camera box.
    public var box: String
    /// Bearing from the box toward the estimated position, degrees [0, 360) counter-clockwise
    /// from the board's +x (the frame of the event payload's `bearing_deg` and of the presets).
    public var bearingDeg: Double
    /// 0-based sector (preset − 1) whose azimuth is nearest `bearingDeg`.
    public var sector: Int
    /// Distance from the box to the estimated position, m.
    public var distanceM: Double

    /// Builds an aim.
    public init(box: String, bearingDeg: Double, sector: Int, distanceM: Double) {
        self.box = box; self.bearingDeg = bearingDeg; self.sector = sector; self.distanceM = distanceM
    }

    /// The camera to turn toward `position`: the nearest box with `camera = true` and presets,
    /// within its `range_m`, whose last status is not `offline` and whose reported mode (when
    /// known) is `events+ptz` (the agent refuses cmd/ptz in any other mode). Ties: smaller id.
    public static func choose(toward position: PlanePoint, registry: SiteRegistry, states: [String: BoxState]) -> PTZAim? {
        var best: (RegisteredBox, Double)?
        for b in registry.boxes where b.camera && !b.cameraPresetsDeg.isEmpty {
            let d = b.position.distance(to: position)
            guard d <= b.hearingRangeM else { continue }
            if let st = states[b.id] {
                if st.state == "offline" { continue }
                if let m = st.mode, m != "events+ptz" { continue }
            }
            if let (bb, bd) = best, (bd, bb.id) <= (d, b.id) { continue }
            best = (b, d)
        }
        guard let (box, d) = best else { return nil }
        let siteAngle = atan2(position.y - box.y, position.x - box.x) * 180 / Double.pi
        let bearing = wrapDegrees360(siteAngle - box.orientationDeg)
        var sector = 0
        for (i, a) in box.cameraPresetsDeg.enumerated()
        where abs(wrapDegrees180(bearing - a)) < abs(wrapDegrees180(bearing - box.cameraPresetsDeg[sector])) {
            sector = i
        }
        return PTZAim(box: box.id, bearingDeg: bearing, sector: sector, distanceM: d)
    }
}

/// The `cmd/ptz` request the centre publishes (`Schemas/command-request.schema.json`), built in
/// this one place (so a signature, when the agent requires one, is added here).
public enum PTZCommandPayload {
    /// `{prefix}/{site}/{box}/cmd/ptz`.
    public static func topic(prefix: String, site: String, box: String) -> String {
        MQTTTopics(prefix: prefix, site: site, sensor: box).command("ptz")
    }

    /// `{"request_id":"{incident id}","args":{"sector":N,"bearing_deg":B}}`: the agent
    /// (`Agent.handlePTZ`) pulses `sector` (0-based, as everywhere); `bearing_deg` (board frame,
    /// one decimal) is carried for its log and for consumers, and ignored by the trigger.
    public static func make(incidentID: String, aim: PTZAim) -> String {
        JSONWriter.document(capacity: capacity(incidentID)) { w in
            w.beginObject()
            writeRequest(incidentID: incidentID, aim: aim, into: w)
            w.endObject()
        }
    }

    /// The same request signed for `topic` with the site's command key: `"ts"` (now, Unix seconds),
    /// a random `"nonce"` and, last, `"sig"` (CommandSigner; the agent's CommandAuthenticator checks it).
    public static func signed(topic: String, incidentID: String, aim: PTZAim, key: [UInt8],
                              time: Int64 = CommandSigner.unixTime(), nonce: String = CommandSigner.randomNonce()) -> String {
        let body = JSONWriter.document(capacity: capacity(incidentID) + 64 + JSONWriter.maxStringBytes(nonce)) { w in
            w.beginObject()
            writeRequest(incidentID: incidentID, aim: aim, into: w)
            w.key("ts"); w.int(time)
            w.key("nonce"); w.string(nonce)
            w.endObject()
        }
        return CommandSigner.sign(topic: topic, unsigned: body, key: key)
    }

    /// The `request_id` and `args` members, inside an open object (a NaN bearing is written as null).
    private static func writeRequest(incidentID: String, aim: PTZAim, into w: JSONWriter) {
        w.key("request_id"); w.string(incidentID)
        w.key("args"); w.beginObject()
        w.key("sector"); w.int(aim.sector)
        w.key("bearing_deg"); w.number(aim.bearingDeg, decimals: 1)
        w.endObject()
    }

    /// Bytes enough for the unsigned request of `incidentID`.
    private static func capacity(_ incidentID: String) -> Int { 128 + JSONWriter.maxStringBytes(incidentID) }
}
