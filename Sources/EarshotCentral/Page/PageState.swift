// The JSON the operator's page draws from: the plan (boxes, streets), box states, incidents.
import EarshotText

/// Builds `/api/state`: `{"site", "tile_url", "tiles": {url, origin_lat_deg, origin_lon_deg, zoom,
/// max_zoom, attribution} or null, "boxes": [...], "streets": [...],
/// "incidents": [incident messages + "acknowledged"]}`. Distances in metres on the site plane.
enum PageState {
    static func encode(registry: SiteRegistry, states: [String: BoxState], incidents: [Incident],
                       acknowledged: Set<String>, nowNs: Int64) -> String {
        var parts: [String] = []
        let w = JSONWriter(capacity: 4096)
        var boxes: [String] = []
        for b in registry.boxes {
            w.reset()
            let st = states[b.id]
            w.beginObject()
            w.key("id"); w.string(b.id)
            w.key("x_m"); w.number(b.x, decimals: 2)
            w.key("y_m"); w.number(b.y, decimals: 2)
            w.key("orientation_deg"); w.number(b.orientationDeg, decimals: 1)
            w.key("range_m"); w.number(b.hearingRangeM, decimals: 0)
            w.key("label"); w.string(b.label)
            w.key("camera"); w.bool(b.camera)
            w.key("state"); if let s = st?.state { w.string(s) } else { w.null() }
            w.key("mode"); if let m = st?.mode { w.string(m) } else { w.null() }
            w.key("last_seen_s"); if let t = st?.lastSeenNs { w.number(Double(nowNs &- t) / 1e9, decimals: 1) } else { w.null() }
            w.key("events"); w.int(st?.events ?? 0)
            w.endObject()
            boxes.append(w.string)
        }
        var streets: [String] = []
        for s in registry.streets {
            let sw = JSONWriter(capacity: 256 + 48 * s.points.count)
            sw.beginObject()
            sw.key("name"); sw.string(s.name)
            sw.key("points"); sw.beginArray()
            for p in s.points { sw.beginArray(); sw.number(p.x, decimals: 2); sw.number(p.y, decimals: 2); sw.endArray() }
            sw.endArray()
            sw.endObject()
            streets.append(sw.string)
        }
        let incidentTexts = incidents.map { inc -> String in
            var t = IncidentPayload.encode(inc)
            t.removeLast()  // the closing brace
            return t + ",\"acknowledged\":\(acknowledged.contains(inc.id))}"
        }
        w.reset()
        w.beginObject()
        w.key("site"); w.string(registry.site)
        w.key("tile_url"); if let u = registry.tileURL { w.string(u) } else { w.null() }
        w.key("tiles")
        if let t = registry.tiles {
            w.beginObject()
            w.key("url"); w.string(t.urlTemplate)
            w.key("origin_lat_deg"); w.number(t.originLatDeg, decimals: 6)
            w.key("origin_lon_deg"); w.number(t.originLonDeg, decimals: 6)
            w.key("zoom"); if let z = t.zoom { w.int(z) } else { w.null() }
            w.key("max_zoom"); w.int(t.maxZoom)
            w.key("attribution"); w.string(t.attribution)
            w.endObject()
        } else { w.null() }
        w.endObject()
        var head = w.string
        head.removeLast()
        parts.append(head)
        parts.append("\"boxes\":[" + boxes.joined(separator: ",") + "]")
        parts.append("\"streets\":[" + streets.joined(separator: ",") + "]")
        parts.append("\"incidents\":[" + incidentTexts.joined(separator: ",") + "]}")
        return parts.joined(separator: ",")
    }
}
