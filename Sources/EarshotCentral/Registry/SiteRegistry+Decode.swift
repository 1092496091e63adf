// Registry file (TOML) → `SiteRegistry`; every problem names the box and the field.
import EarshotConfig
import EarshotAgent
import EarshotPlatform

extension SiteRegistry {
    static let topKeys = ["site", "box", "street"]
    static let siteKeys = ["id", "speed_of_sound_m_s", "tile_url", "origin_lat_deg", "origin_lon_deg", "tile_zoom",
                           "tile_max_zoom", "tile_attribution", "ptz"]
    static let boxKeys = ["id", "x_m", "y_m", "z_m", "orientation_deg", "range_m", "camera", "camera_presets_deg", "label"]
    static let streetKeys = ["name", "points_m"]
    /// Largest |x|, |y| accepted, m: a city fits in 100 km; beyond is a typo (degrees, mm).
    public static let maxCoordinateM = 100_000.0
    /// Box ids that would collide with the centre's own topics.
    public static let reservedIDs = ["incidents"]

    /// Reads and validates the registry at `path`; throws every issue found at once.
    public static func load(path: String) throws(ConfigError) -> SiteRegistry {
        let bytes: [UInt8]
        do { bytes = try FileAccess.read(path, maxBytes: 16 << 20) }
        catch { throw ConfigError([ConfigIssue(file: path, message: error.description)]) }
        return try parse(String(decoding: bytes, as: UTF8.self), file: path)
    }

    /// Parses and validates registry text; `file` names it in messages.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> SiteRegistry {
        let doc: TOMLDocument
        do { doc = try TOMLDocument(parsing: text, file: file) }
        catch { throw ConfigError([ConfigIssue(file: file, position: error.position, message: error.message)]) }
        var r = RegistryReader(file: file)
        let registry = decode(doc.root, reader: &r, extraTopKeys: [])
        if !r.issues.isEmpty { throw ConfigError(r.issues) }
        return registry
    }

    /// Decodes the registry tables of `root` (`[site]`, `[[box]]`, `[[street]]`), recording issues
    /// in `r`; `extraTopKeys` are other top-level tables the caller decodes (the centre's config).
    static func decode(_ root: TOMLTable, reader r: inout RegistryReader, extraTopKeys: [String]) -> SiteRegistry {
        r.unknownKeys(root, allowed: topKeys + extraTopKeys, path: nil)

        var siteID: String?
        var speed = 343.0
        var tiles: MapTiles?
        var ptz = false
        if case .table(let t)? = root["site"] {
            r.unknownKeys(t, allowed: siteKeys, path: "site")
            siteID = r.identifier(t, "id", path: "site", required: true)
            if let s = r.number(t, "speed_of_sound_m_s", path: "site", range: 300...370,
                                rule: "must be 300…370 m/s (343 at 20 °C)") { speed = s }
            tiles = r.tiles(t)
            ptz = r.bool(t, "ptz", path: "site") ?? false
        } else {
            r.fail(nil, "site", nil, "missing [site] table with id = \"…\" (the {site} topic level)")
        }

        var boxes: [RegisteredBox] = []
        var seen: [String: Int] = [:]
        let boxTables = r.tables(root, "box", what: "[[box]] entries")
        if boxTables.isEmpty { r.fail(nil, "box", nil, "no [[box]] entries: the centre would trust no box") }
        for (i, t) in boxTables.enumerated() {
            let provisional = "box #\(i + 1)"
            let rawID = t["id"].flatMap { if case .string(let s) = $0 { s } else { nil } }
            let path = rawID.map { "box \"\($0)\"" } ?? provisional
            r.unknownKeys(t, allowed: boxKeys, path: path)
            let id = r.identifier(t, "id", path: path, required: true)
            if let id {
                if reservedIDs.contains(id) {
                    r.fail(path, "id", .string(id), "\"\(id)\" is reserved (the centre publishes under earshot/v1/{site}/\(id)/…)")
                }
                if let first = seen[id] {
                    r.fail(path, "id", .string(id), "duplicate box id (also box #\(first + 1)): ids must be unique")
                } else { seen[id] = i }
            }
            let coordinateRule = "must be a finite number of metres within ±\(Int(maxCoordinateM)) m of the site origin"
            let x = r.number(t, "x_m", path: path, required: true, range: -maxCoordinateM...maxCoordinateM, rule: coordinateRule)
            let y = r.number(t, "y_m", path: path, required: true, range: -maxCoordinateM...maxCoordinateM, rule: coordinateRule)
            let z = r.number(t, "z_m", path: path, range: -100...1000, rule: "must be −100…1000 m") ?? 0
            let o = r.number(t, "orientation_deg", path: path, range: -360...360, rule: "must be −360…360°") ?? 0
            let range = r.number(t, "range_m", path: path, range: 1...5000, rule: "must be 1…5000 m") ?? 400
            let camera = r.bool(t, "camera", path: path) ?? false
            let presets = r.presets(t, path: path)
            if !presets.isEmpty && !camera {
                r.fail(path, "camera_presets_deg", t["camera_presets_deg"], "presets without camera = true: set camera = true or remove them")
            }
            if camera && ptz && presets.isEmpty && t["camera_presets_deg"] == nil {
                r.fail(path, "camera_presets_deg", nil,
                       "missing: [site] ptz = true steers this camera, and cmd/ptz names a preset; list the azimuths of presets 1, 2, … in the board's frame (the board file's [[camera.preset]] azimuth_deg), e.g. [0, 90, 180, 270]")
            }
            let label = r.string(t, "label", path: path) ?? ""
            if let id, let x, let y {
                boxes.append(RegisteredBox(id: id, x: x, y: y, z: z, orientationDeg: o, hearingRangeM: range,
                                           camera: camera, cameraPresetsDeg: presets, label: label))
            }
        }

        var streets: [PlanStreet] = []
        for (i, t) in r.tables(root, "street", what: "[[street]] entries").enumerated() {
            let path = "street #\(i + 1)"
            r.unknownKeys(t, allowed: streetKeys, path: path)
            let name = r.string(t, "name", path: path) ?? ""
            var points: [PlanePoint] = []
            if case .array(let a)? = t["points_m"] {
                for v in a {
                    if case .array(let pair) = v, pair.count == 2, let px = pair[0].double, let py = pair[1].double,
                       abs(px) <= maxCoordinateM, abs(py) <= maxCoordinateM {
                        points.append(PlanePoint(x: px, y: py))
                    } else {
                        r.fail(path, "points_m", v, "each point must be [x_m, y_m] within ±\(Int(maxCoordinateM)) m"); break
                    }
                }
            } else {
                r.fail(path, "points_m", t["points_m"], "must be an array of [x_m, y_m] points")
            }
            streets.append(PlanStreet(name: name, points: points))
        }

        return SiteRegistry(site: siteID ?? "", speedOfSoundMPerS: speed, boxes: boxes, streets: streets,
                            tiles: tiles, ptzEnabled: ptz)
    }
}

extension TOMLValue {
    /// Integer or float as a Double, else nil.
    var double: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .float(let d): d
        default: nil
        }
    }
}

/// Collects registry issues (keeps going after the first).
struct RegistryReader {
    let file: String
    var issues: [ConfigIssue] = []

    mutating func fail(_ path: String?, _ key: String, _ value: TOMLValue?, _ message: String) {
        let field = path.map { "\($0).\(key)" } ?? key
        issues.append(ConfigIssue(file: file, field: field, value: value?.tomlText, message: message))
    }

    mutating func unknownKeys(_ t: TOMLTable, allowed: [String], path: String?) {
        for k in t.keys where !allowed.contains(k) {
            let field = path.map { "\($0).\(k)" } ?? k
            issues.append(ConfigIssue(file: file, field: field, position: t.entry(k)?.position,
                                      message: "unknown key; allowed: \(allowed.joined(separator: ", "))"))
        }
    }

    mutating func tables(_ t: TOMLTable, _ key: String, what: String) -> [TOMLTable] {
        guard let v = t[key] else { return [] }
        guard case .array(let a) = v else { fail(nil, key, v, "must be \(what)"); return [] }
        var out: [TOMLTable] = []
        for item in a {
            if case .table(let tt) = item { out.append(tt) } else { fail(nil, key, item, "must be \(what)") }
        }
        return out
    }

    mutating func identifier(_ t: TOMLTable, _ key: String, path: String, required: Bool) -> String? {
        guard let v = t[key] else {
            if required { fail(path, key, nil, "missing: 1…64 characters from A-Z a-z 0-9 _ - (a topic level)") }
            return nil
        }
        guard case .string(let s) = v, !s.isEmpty, s.utf8.count <= 64,
              s.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2D })
        else { fail(path, key, v, "must be 1…64 characters from A-Z a-z 0-9 _ - (a topic level)"); return nil }
        return s
    }

    mutating func number(_ t: TOMLTable, _ key: String, path: String, required: Bool = false,
                         range: ClosedRange<Double>, rule: String) -> Double? {
        guard let v = t[key] else {
            if required { fail(path, key, nil, "missing: \(rule)") }
            return nil
        }
        guard let d = v.double else { fail(path, key, v, "\(rule) (got \(v.typeName))"); return nil }
        guard d.isFinite, range.contains(d) else { fail(path, key, v, rule); return nil }
        return d
    }

    mutating func string(_ t: TOMLTable, _ key: String, path: String) -> String? {
        guard let v = t[key] else { return nil }
        guard case .string(let s) = v else { fail(path, key, v, "must be a string"); return nil }
        return s
    }

    /// `[site] tile_url` with the plane origin's `origin_lat_deg`/`origin_lon_deg` (both required
    /// with it), optional `tile_zoom`, `tile_max_zoom` (19) and `tile_attribution`.
    mutating func tiles(_ t: TOMLTable) -> MapTiles? {
        let p = "site"
        let url = string(t, "tile_url", path: p)
        let lat = number(t, "origin_lat_deg", path: p, range: -85...85, rule: "must be a WGS 84 latitude, −85…85°")
        let lon = number(t, "origin_lon_deg", path: p, range: -180...180, rule: "must be a WGS 84 longitude, −180…180°")
        let zoom = number(t, "tile_zoom", path: p, range: 0...22, rule: "must be a zoom level 0…22")
        let maxZoom = number(t, "tile_max_zoom", path: p, range: 0...22, rule: "must be a zoom level 0…22")
        let attribution = string(t, "tile_attribution", path: p) ?? ""
        guard let url else {
            for k in ["origin_lat_deg", "origin_lon_deg", "tile_zoom", "tile_max_zoom", "tile_attribution"] where t[k] != nil {
                fail(p, k, t[k], "only used with tile_url (the map tiles drawn under the plan)")
            }
            return nil
        }
        let lower = url.lowercased()
        if !(lower.hasPrefix("http://") || lower.hasPrefix("https://") || url.hasPrefix("/"))
            || !["{z}", "{x}", "{y}"].allSatisfy({ url.contains($0) }) || url.contains(where: { $0 == "\"" || $0 == " " || $0 == "<" }) {
            fail(p, "tile_url", .string(url),
                 "must be an http(s) URL (or a /path on the page's server) with {z}, {x} and {y}, e.g. \"https://tiles.example.org/{z}/{x}/{y}.png\"")
            return nil
        }
        for (k, v) in [("origin_lat_deg", lat), ("origin_lon_deg", lon)] where v == nil && t[k] == nil {
            fail(p, k, nil, "missing: tile_url needs the latitude and longitude of the plane's origin (x_m = 0, y_m = 0) to place the tiles")
        }
        guard let lat, let lon else { return nil }
        for (k, v) in [("tile_zoom", zoom), ("tile_max_zoom", maxZoom)] where v.map({ $0 != $0.rounded() }) == true {
            fail(p, k, t[k], "must be a whole zoom level 0…22")
        }
        return MapTiles(urlTemplate: url, originLatDeg: lat, originLonDeg: lon, zoom: zoom.map { Int($0) },
                        maxZoom: maxZoom.map { Int($0) } ?? 19, attribution: attribution)
    }

    /// `camera_presets_deg`: 1…16 finite azimuths, −360…360° (empty when absent or bad).
    mutating func presets(_ t: TOMLTable, path: String) -> [Double] {
        let key = "camera_presets_deg"
        guard let v = t[key] else { return [] }
        let rule = "must be an array of 1…16 preset azimuths, degrees −360…360 in the board's frame (presets 1, 2, … in order)"
        guard case .array(let a) = v, (1...16).contains(a.count) else { fail(path, key, v, rule); return [] }
        var out: [Double] = []
        for item in a {
            guard let d = item.double, d.isFinite, (-360...360).contains(d) else { fail(path, key, v, rule); return [] }
            out.append(d)
        }
        return out
    }

    mutating func bool(_ t: TOMLTable, _ key: String, path: String) -> Bool? {
        guard let v = t[key] else { return nil }
        guard case .boolean(let b) = v else { fail(path, key, v, "must be true or false"); return nil }
        return b
    }
}
