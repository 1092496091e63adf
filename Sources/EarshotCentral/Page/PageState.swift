// The JSON the operator's page draws from: the plan (boxes, streets), box states, incidents.
import EarshotText

/// Builds `/api/state`: `{"site", "tile_url", "tiles": {url, origin_lat_deg, origin_lon_deg, zoom,
/// max_zoom, attribution} or null, "boxes": [...], "streets": [...],
/// "incidents": [incident messages + "acknowledged"]}`. Distances in metres on the site plane,
/// angles in degrees, `last_seen_s` in seconds; a NaN or infinite number is written as null.
enum PageState {
    static func encode(registry: SiteRegistry, states: [String: BoxState], incidents: [Incident],
                       acknowledged: Set<String>, nowNs: Int64) -> String {
        JSONWriter.document(capacity: capacity(registry: registry, states: states, incidents: incidents)) { w in
            w.beginObject()
            w.key("site"); w.string(registry.site)
            w.key("tile_url"); if let u = registry.tileURL { w.string(u) } else { w.null() }
            w.key("tiles"); writeTiles(registry.tiles, into: w)
            w.key("boxes"); w.beginArray()
            for b in registry.boxes { writeBox(b, state: states[b.id], nowNs: nowNs, into: w) }
            w.endArray()
            w.key("streets"); w.beginArray()
            for s in registry.streets {
                w.beginObject()
                w.key("name"); w.string(s.name)
                w.key("points"); w.beginArray()
                for p in s.points { w.beginArray(); w.number(p.x, decimals: 2); w.number(p.y, decimals: 2); w.endArray() }
                w.endArray()
                w.endObject()
            }
            w.endArray()
            w.key("incidents"); w.beginArray()
            for inc in incidents {
                w.beginObject()
                IncidentPayload.writeMembers(inc, into: w)
                w.key("acknowledged"); w.bool(acknowledged.contains(inc.id))
                w.endObject()
            }
            w.endArray()
            w.endObject()
        }
    }

    /// Bytes enough for the document, from the strings and counts it carries.
    private static func capacity(registry: SiteRegistry, states: [String: BoxState], incidents: [Incident]) -> Int {
        var n = 1_024 + JSONWriter.maxStringBytes(registry.site)
        if let t = registry.tiles {
            n += 2 * JSONWriter.maxStringBytes(t.urlTemplate) + JSONWriter.maxStringBytes(t.attribution)
        }
        for b in registry.boxes {
            let st = states[b.id]
            n += 512 + JSONWriter.maxStringBytes(b.id) + JSONWriter.maxStringBytes(b.label)
                + JSONWriter.maxStringBytes(st?.state ?? "") + JSONWriter.maxStringBytes(st?.mode ?? "")
        }
        for s in registry.streets { n += 64 + JSONWriter.maxStringBytes(s.name) + (2 * JSONWriter.maxNumberBytes + 4) * s.points.count }
        for inc in incidents { n += 32 + IncidentPayload.capacity(inc) }
        return n
    }

    /// `{url, origin_lat_deg, origin_lon_deg, zoom, max_zoom, attribution}` or null.
    private static func writeTiles(_ tiles: MapTiles?, into w: JSONWriter) {
        guard let t = tiles else { w.null(); return }
        w.beginObject()
        w.key("url"); w.string(t.urlTemplate)
        w.key("origin_lat_deg"); w.number(t.originLatDeg, decimals: 6)
        w.key("origin_lon_deg"); w.number(t.originLonDeg, decimals: 6)
        w.key("zoom"); if let z = t.zoom { w.int(z) } else { w.null() }
        w.key("max_zoom"); w.int(t.maxZoom)
        w.key("attribution"); w.string(t.attribution)
        w.endObject()
    }

    /// One box: plan position and label, and what the centre last heard from it (null when nothing).
    private static func writeBox(_ b: RegisteredBox, state st: BoxState?, nowNs: Int64, into w: JSONWriter) {
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
    }
}
