// The site registry: a good file decodes; bad ones fail with box and field named.
import EarshotAgent
@testable import EarshotCentral
import Testing

@Suite("Central: site registry")
struct CentralRegistryTests {
    static let good = """
    [site]
    id = "demo"
    speed_of_sound_m_s = 343.0

    [[box]]
    id = "box-01"
    x_m = 0
    y_m = 0.0
    orientation_deg = 90
    camera = true
    label = "Place Jean Jaurès"

    [[box]]
    id = "box-02"
    x_m = 120.5
    y_m = -30
    z_m = 4.5
    range_m = 250

    [[street]]
    name = "Rue de la République"
    points_m = [[-50, 0], [200, 0]]
    """

    @Test("a valid registry decodes boxes, defaults and streets")
    func decodesGood() throws {
        let r = try SiteRegistry.parse(Self.good, file: "central.toml")
        #expect(r.site == "demo")
        #expect(r.boxes.map(\.id) == ["box-01", "box-02"])
        #expect(r.box("box-01")?.orientationDeg == 90)
        #expect(r.box("box-01")?.camera == true)
        #expect(r.box("box-02")?.hearingRangeM == 250)
        #expect(r.box("box-02")?.z == 4.5)
        #expect(r.box("box-01")?.hearingRangeM == 400)
        #expect(r.box("nope") == nil)
        #expect(r.streets.first?.points.count == 2)
    }

    func issues(_ text: String) -> [String] {
        do { _ = try SiteRegistry.parse(text, file: "central.toml"); return [] }
        catch { return error.issues.map(\.description) }
    }

    @Test("duplicate ids, missing position and absurd values are each reported with box and field")
    func badRegistry() {
        let text = """
        [site]
        id = "demo"
        [[box]]
        id = "a"
        x_m = 0
        y_m = 0
        [[box]]
        id = "a"
        x_m = 10
        y_m = 0
        [[box]]
        id = "b"
        y_m = 5
        [[box]]
        id = "c"
        x_m = 4.5e6
        y_m = 0
        range_m = -3
        colour = "red"
        [[box]]
        x_m = 1
        y_m = 1
        """
        let found = issues(text)
        #expect(found.contains { $0.contains("box \"a\".id = \"a\"") && $0.contains("duplicate") }, "\(found)")
        #expect(found.contains { $0.contains("box \"b\".x_m") && $0.contains("missing") }, "\(found)")
        #expect(found.contains { $0.contains("box \"c\".x_m = 4500000.0") }, "\(found)")
        #expect(found.contains { $0.contains("box \"c\".range_m = -3") }, "\(found)")
        #expect(found.contains { $0.contains("box \"c\".colour") && $0.contains("unknown key") }, "\(found)")
        #expect(found.contains { $0.contains("box #5.id") && $0.contains("missing") }, "\(found)")
        #expect(found.allSatisfy { $0.hasPrefix("central.toml") })
    }

    @Test("a box named like the centre's topic level is refused; a wrong type names box and field")
    func reservedAndTypes() {
        let found = issues("[site]\nid = \"x\"\n[[box]]\nid = \"incidents\"\nx_m = 0\ny_m = 0\n[[box]]\nid = \"b\"\nx_m = \"12\"\ny_m = 0\ncamera = 1\n")
        #expect(found.contains { $0.contains("box \"incidents\".id") && $0.contains("reserved") }, "\(found)")
        #expect(found.contains { $0.contains("box \"b\".x_m = \"12\"") && $0.contains("got a string") }, "\(found)")
        #expect(found.contains { $0.contains("box \"b\".camera = 1") && $0.contains("true or false") }, "\(found)")
    }

    @Test("no [site], no boxes, a syntax error: reported, not crashed")
    func emptyAndBroken() {
        #expect(issues("").contains { $0.contains("[site]") })
        #expect(issues("[site]\nid = \"x\"\n").contains { $0.contains("no [[box]]") })
        #expect(issues("[site\nid=").first?.hasPrefix("central.toml:1:") == true)
        #expect(issues("[site]\nid = \"x\"\nspeed_of_sound_m_s = 34.3\n[[box]]\nid=\"a\"\nx_m=0\ny_m=0\n")
            .contains { $0.contains("site.speed_of_sound_m_s = 34.3") })
    }

    @Test("camera presets: read in order; with [site] ptz = true a camera box without them, presets without a camera, bad azimuths are refused by box and field")
    func cameraPresets() throws {
        let ok = try SiteRegistry.parse("[site]\nid = \"x\"\nptz = true\n[[box]]\nid = \"a\"\nx_m = 0\ny_m = 0\ncamera = true\ncamera_presets_deg = [0, 90.5, -90]\n",
                                        file: "central.toml")
        #expect(ok.ptzEnabled)
        #expect(ok.box("a")?.cameraPresetsDeg == [0, 90.5, -90])
        #expect(try SiteRegistry.parse(Self.good, file: "central.toml").ptzEnabled == false)
        let found = issues("""
        [site]
        id = "x"
        ptz = true
        [[box]]
        id = "cam"
        x_m = 0
        y_m = 0
        camera = true
        [[box]]
        id = "nocam"
        x_m = 1
        y_m = 0
        camera_presets_deg = [0, 180]
        [[box]]
        id = "bad"
        x_m = 2
        y_m = 0
        camera = true
        camera_presets_deg = [0, "north"]
        [[box]]
        id = "empty"
        x_m = 3
        y_m = 0
        camera = true
        camera_presets_deg = []
        """)
        #expect(found.contains { $0.contains("box \"cam\".camera_presets_deg") && $0.contains("missing") }, "\(found)")
        #expect(found.contains { $0.contains("box \"nocam\".camera_presets_deg") && $0.contains("camera = true") }, "\(found)")
        #expect(found.contains { $0.contains("box \"bad\".camera_presets_deg") && $0.contains("1…16") }, "\(found)")
        #expect(found.contains { $0.contains("box \"empty\".camera_presets_deg") && $0.contains("1…16") }, "\(found)")
        #expect(found.count == 4, "\(found)")
    }

    @Test("tile_url: needs the origin's latitude and longitude and {z}/{x}/{y}; tile keys without it are refused, by field")
    func tiles() throws {
        let base = "[[box]]\nid = \"a\"\nx_m = 0\ny_m = 0\n"
        let ok = try SiteRegistry.parse("[site]\nid = \"x\"\ntile_url = \"https://tiles.example.org/{z}/{x}/{y}.png\"\norigin_lat_deg = 45.44\norigin_lon_deg = 4.39\ntile_max_zoom = 18\n" + base,
                                        file: "central.toml")
        #expect(ok.tiles == MapTiles(urlTemplate: "https://tiles.example.org/{z}/{x}/{y}.png", originLatDeg: 45.44, originLonDeg: 4.39, maxZoom: 18))
        #expect(try SiteRegistry.parse("[site]\nid = \"x\"\n" + base, file: "central.toml").tiles == nil)
        let noOrigin = issues("[site]\nid = \"x\"\ntile_url = \"https://t.example/{z}/{x}/{y}.png\"\n" + base)
        #expect(noOrigin.contains { $0.contains("site.origin_lat_deg") && $0.contains("missing") }, "\(noOrigin)")
        #expect(noOrigin.contains { $0.contains("site.origin_lon_deg") && $0.contains("missing") }, "\(noOrigin)")
        let bad = issues("[site]\nid = \"x\"\ntile_url = \"ftp://t.example/{z}/{x}.png\"\norigin_lat_deg = 91\norigin_lon_deg = 4\n" + base)
        #expect(bad.contains { $0.contains("site.tile_url") && $0.contains("{z}, {x} and {y}") }, "\(bad)")
        let range = issues("[site]\nid = \"x\"\ntile_url = \"/tiles/{z}/{x}/{y}.png\"\norigin_lat_deg = 91\norigin_lon_deg = 4\ntile_zoom = 1.5\n" + base)
        #expect(range.contains { $0.contains("site.origin_lat_deg = 91") }, "\(range)")
        let orphan = issues("[site]\nid = \"x\"\norigin_lat_deg = 45\n" + base)
        #expect(orphan.contains { $0.contains("site.origin_lat_deg") && $0.contains("only used with tile_url") }, "\(orphan)")
    }
}
