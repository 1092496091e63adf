// The boxes the supervision centre trusts: where they stand and how they are turned.

/// One sensor box as the centre knows it. Positions are in metres in the site's
/// plane frame (x east, y north, z up, origin chosen by the site).
public struct RegisteredBox: Sendable, Equatable {
    /// Sensor id, as the box publishes it (`earshot/v1/{site}/{id}/…`).
    public var id: String
    /// East coordinate, m.
    public var x: Double
    /// North coordinate, m.
    public var y: Double
    /// Height above the site's ground plane, m (drawn, not used by the 2-D fusion).
    public var z: Double
    /// Direction of the board's +x axis, degrees counter-clockwise from site east: a
    /// box's `bearing_deg` b points toward site angle `orientationDeg + b`.
    public var orientationDeg: Double
    /// Distance out to which the box hears the loud classes, m (the 1-box range band, the plan).
    public var hearingRangeM: Double
    /// Whether the box steers a PTZ camera (`cmd/ptz` may be sent to it).
    public var camera: Bool
    /// Azimuths of the camera's presets 1, 2, … (sectors 0, 1, …) in the board's frame, degrees
    /// counter-clockwise from the board's +x: the board file's `[[camera.preset]] azimuth_deg`,
    /// in preset order. The centre picks the preset nearest its bearing toward an incident.
    public var cameraPresetsDeg: [Double]
    /// Free text for the operator (street corner), may be empty.
    public var label: String

    /// Builds a box; z 0 m, orientation 0°, hearing range 400 m by default.
    public init(id: String, x: Double, y: Double, z: Double = 0, orientationDeg: Double = 0,
                hearingRangeM: Double = 400, camera: Bool = false, cameraPresetsDeg: [Double] = [], label: String = "") {
        self.id = id; self.x = x; self.y = y; self.z = z; self.orientationDeg = orientationDeg
        self.hearingRangeM = hearingRangeM; self.camera = camera; self.cameraPresetsDeg = cameraPresetsDeg; self.label = label
    }

    /// Plane position, m.
    public var position: PlanePoint { PlanePoint(x: x, y: y) }
}

/// A point of the site plane, m (x east, y north).
public struct PlanePoint: Sendable, Equatable {
    /// East, m.
    public var x: Double
    /// North, m.
    public var y: Double
    /// Builds a point, m.
    public init(x: Double, y: Double) { self.x = x; self.y = y }
    /// Euclidean distance to `other`, m.
    public func distance(to other: PlanePoint) -> Double {
        let dx = x - other.x, dy = y - other.y
        return (dx * dx + dy * dy).squareRoot()
    }
}

/// A street drawn on the operator's plan (not used by the fusion).
public struct PlanStreet: Sendable, Equatable {
    /// Street name shown on the plan.
    public var name: String
    /// Polyline vertices, m.
    public var points: [PlanePoint]
    /// Builds a street.
    public init(name: String, points: [PlanePoint]) { self.name = name; self.points = points }
}

/// The site registry file (`central.toml`'s registry, see `SiteRegistry+Decode.swift`):
/// site id, speed of sound, every box, optional streets for the plan.
public struct SiteRegistry: Sendable, Equatable {
    /// Site id (the `{site}` topic level).
    public var site: String
    /// Speed of sound used by the fusion, m/s (343 at 20 °C).
    public var speedOfSoundMPerS: Double
    /// Boxes in file order.
    public private(set) var boxes: [RegisteredBox]
    /// Streets for the plan.
    public var streets: [PlanStreet]
    /// Map tiles drawn under the operator's plan, for deployments that have a tile server; nil:
    /// the plan alone (boxes, streets).
    public var tiles: MapTiles?
    /// The tile URL template, when tiles are configured.
    public var tileURL: String? { tiles?.urlTemplate }
    /// Whether the centre sends `cmd/ptz` to the camera box nearest each located incident
    /// (`[site] ptz = true`; off by default).
    public var ptzEnabled: Bool
    private var index: [String: Int]

    /// Builds a registry; box ids must be unique (the decoder checks; here the last one wins).
    public init(site: String, speedOfSoundMPerS: Double = 343, boxes: [RegisteredBox], streets: [PlanStreet] = [],
                tiles: MapTiles? = nil, ptzEnabled: Bool = false) {
        self.site = site; self.speedOfSoundMPerS = speedOfSoundMPerS; self.boxes = boxes
        self.streets = streets; self.tiles = tiles; self.ptzEnabled = ptzEnabled
        var index: [String: Int] = [:]
        for (i, b) in boxes.enumerated() { index[b.id] = i }
        self.index = index
    }

    /// The box with this id, or nil when the box is not registered (not trusted).
    public func box(_ id: String) -> RegisteredBox? { index[id].map { boxes[$0] } }
}

/// Slippy-map tiles (`{z}/{x}/{y}`, Web Mercator, 256 px) placed under the site plane: the
/// plane's origin is at (`originLatDeg`, `originLonDeg`), x east, y north, in metres.
public struct MapTiles: Sendable, Equatable {
    /// `http(s)://…{z}…{x}…{y}…` (or a path on the page's own server, `/tiles/{z}/{x}/{y}.png`).
    public var urlTemplate: String
    /// WGS 84 latitude of the plane's origin, degrees.
    public var originLatDeg: Double
    /// WGS 84 longitude of the plane's origin, degrees.
    public var originLonDeg: Double
    /// Fixed zoom level; nil: chosen by the page from its size (≤ `maxZoom`).
    public var zoom: Int?
    /// Highest zoom the tile server has.
    public var maxZoom: Int
    /// Credit shown under the plan (tile licences usually require it), may be empty.
    public var attribution: String

    /// Builds a tile layer.
    public init(urlTemplate: String, originLatDeg: Double, originLonDeg: Double, zoom: Int? = nil, maxZoom: Int = 19,
                attribution: String = "") {
        self.urlTemplate = urlTemplate; self.originLatDeg = originLatDeg; self.originLonDeg = originLonDeg
        self.zoom = zoom; self.maxZoom = maxZoom; self.attribution = attribution
    }
}
