// The operator's page: served, its state, live incidents over SSE, acknowledge, and a real
// headless Chromium rendering the incident into the DOM.
@testable import EarshotCentral
import EarshotMQTT
import EarshotTestSupport
import Foundation
import Testing

/// Raw HTTP over a socket (no URLSession: it buffers event streams).
final class RawHTTP: @unchecked Sendable {
    let fd: Int32
    private let lock = NSLock()
    private var received = Data()

    init(port: Int, request: String) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard ok else { close(fd); throw TestSupportError("connect to \(port) failed") }
        _ = request.withCString { Glibc.send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        Thread { [self] in
            var buf = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 65_536, 0) }
                if n <= 0 { break }
                lock.withLock { received.append(contentsOf: buf[0..<n]) }
            }
        }.start()
    }
    deinit { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
    var text: String { lock.withLock { String(decoding: received, as: UTF8.self) } }

    /// One whole request/response (Connection: close).
    static func fetch(port: Int, _ method: String, _ path: String) throws -> (status: Int, body: String) {
        let c = try RawHTTP(port: port, request: "\(method) \(path) HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        _ = waitUntil(timeout: 5) { c.text.contains("\r\n\r\n") && c.text.utf8.count >= c.expectedLength }
        let t = c.text
        let status = Int(t.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, t.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n"))
    }

    private var expectedLength: Int {
        let t = text
        guard let r = t.range(of: "Content-Length: "), let end = t[r.upperBound...].firstIndex(of: "\r"),
              let n = Int(t[r.upperBound..<end]), let h = t.range(of: "\r\n\r\n") else { return Int.max }
        return t.utf8.distance(from: t.utf8.startIndex, to: h.upperBound.samePosition(in: t.utf8)!) + n
    }
}

@Suite("Central: operator page", .serialized)
struct OperatorPageTests {
    /// A service fed directly (no broker) and its page on a free port.
    func setUp(tiles: MapTiles? = nil) throws -> (CentralService, OperatorPage, FusionScene) {
        let scene = FusionScene.ring(4, radius: 150)
        var registry = SiteRegistry(site: "test", boxes: scene.boxes,
                                    streets: [PlanStreet(name: "Rue A", points: [PlanePoint(x: -200, y: 0), PlanePoint(x: 200, y: 0)])])
        registry.tiles = tiles
        let service = CentralService(config: CentralConfig(registry: registry), log: CentralLog { _ in })
        let page = OperatorPage(service: service)
        try page.start(host: "127.0.0.1", port: 0)
        return (service, page, scene)
    }

    /// The four boxes' event payloads (as the agent encodes them) for a sound at `source`.
    func publishShot(_ service: CentralService, _ scene: FusionScene, at source: PlanePoint, seq: Int) throws {
        let emitted = Int64(Date().timeIntervalSince1970 * 1e9) - 1_000_000_000
        for b in scene.boxes {
            let onset = emitted + Int64((b.position.distance(to: source) / 343 * 1e9).rounded())
            let json = """
            {"schema":1,"id":"\(b.id)-00000000000000ab-\(seq)","seq":\(seq),"site":"test","sensor":"\(b.id)","class":"gunshot",\
            "onset":"\(UTCTimestamp(nanosecondsSinceEpoch: onset).rfc3339)","onset_ns":\(onset),\
            "clock":{"synchronised":true,"error_us":100},"duration_ms":5,"peak_dbfs":-3,"confidence":0.9}
            """
            service.handle(topic: "earshot/v1/test/\(b.id)/event", payload: Array(json.utf8))
        }
        service.handle(topic: "earshot/v1/test/box-1/status",
                       payload: Array(#"{"schema":1,"state":"online","site":"test","sensor":"box-1","boot_id":"00000000000000ab","mode":"events"}"#.utf8))
    }

    @Test("GET / is the page, /api/state the plan and incidents; SSE carries a new incident live; POST ack acknowledges it")
    func pageAndStream() throws {
        let (service, page, scene) = try setUp()
        defer { page.stop() }
        let port = try #require(page.port)
        let html = try RawHTTP.fetch(port: port, "GET", "/")
        #expect(html.status == 200 && html.body.contains("<svg id=\"plan\"") && html.body.contains("EventSource"))
        let stream = try RawHTTP(port: port, request: "GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(waitUntil(timeout: 5) { stream.text.contains("event: state") })
        try publishShot(service, scene, at: PlanePoint(x: 30, y: 40), seq: 1)
        let id = try #require(service.openIncidents.first?.id)
        #expect(waitUntil(timeout: 5) { stream.text.contains("event: incident\ndata: {\"schema\":1,\"id\":\"\(id)\"") })
        let state = try RawHTTP.fetch(port: port, "GET", "/api/state")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(state.body.utf8)) as? [String: Any])
        #expect((json["boxes"] as? [[String: Any]])?.count == 4)
        #expect(((json["boxes"] as? [[String: Any]])?.first?["state"] as? String) == "online")
        #expect((json["streets"] as? [[String: Any]])?.first?["name"] as? String == "Rue A")
        let incidents = try #require(json["incidents"] as? [[String: Any]])
        #expect(incidents.count == 1 && incidents[0]["acknowledged"] as? Bool == false)
        let ack = try RawHTTP.fetch(port: port, "POST", "/api/incidents/\(id)/ack")
        #expect(ack.status == 200 && ack.body == "{\"acknowledged\":\"\(id)\"}")
        #expect(page.acknowledgedIDs == [id])
        #expect(try RawHTTP.fetch(port: port, "GET", "/api/state").body.contains("\"acknowledged\":true"))
        #expect(try RawHTTP.fetch(port: port, "POST", "/api/incidents/inc-0000000000000000/ack").status == 404)
        #expect(try RawHTTP.fetch(port: port, "GET", "/nope").status == 404)
        #expect(!html.body.contains("audio"), "the page must carry no audio")
    }

    @Test("headless Chromium renders the incident (list entry, ellipse, boxes) into the DOM")
    func chromiumDOM() throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"),
                     "no /usr/bin/chromium: Tools/install-deps.sh (make test) installs the Debian package")
        let (service, page, scene) = try setUp()
        defer { page.stop() }
        let port = try #require(page.port)
        try publishShot(service, scene, at: PlanePoint(x: -50, y: 25), seq: 1)
        let id = try #require(service.openIncidents.first?.id)
        let profile = try makeTemporaryDirectory(prefix: "earshot-chromium")
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let dom = try runTool("/usr/bin/chromium", ["--headless", "--disable-gpu", "--no-sandbox", "--user-data-dir=\(profile)",
                                                    "--virtual-time-budget=5000", "--dump-dom", "http://127.0.0.1:\(port)/?static"],
                              timeout: 60)
        #expect(dom.contains("class=\"inc open \" id=\"\(id)\""), "\(dom.suffix(3000))")
        #expect(dom.contains("data-incident=\"\(id)\""))
        #expect(dom.contains("by tdoa") && dom.contains("boxes: box-1, box-2, box-3, box-4"))
        #expect(dom.contains("data-box=\"box-4\""))
        #expect(dom.contains("box-1: online (events)"))
        #expect(!dom.contains("class=\"tile\""), "no tile_url: the SVG plan alone")
    }

    /// A 1×1 PNG.
    static let png: [UInt8] = Array(Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")!)

    @Test("with a tile_url: /api/state carries it with the origin, and headless Chromium fetches the tiles covering the plan and draws them under it, origin tile where the origin is")
    func tilesUnderThePlan() throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"),
                     "no /usr/bin/chromium: Tools/install-deps.sh (make test) installs the Debian package")
        // A tile server on 127.0.0.1 that records what it is asked for.
        let asked = LogLines()
        let record = asked.log
        let tileServer = try HTTPServer(host: "127.0.0.1", port: 0, handler: { r in
            record.info(r.path)
            return .response(status: 200, contentType: "image/png", body: Self.png)
        })
        try tileServer.start()
        defer { tileServer.stop() }
        let lat = 45.4397, lon = 4.3872  // Saint-Étienne
        let tiles = MapTiles(urlTemplate: "http://127.0.0.1:\(tileServer.port)/tiles/{z}/{x}/{y}.png", originLatDeg: lat, originLonDeg: lon,
                             zoom: 17, attribution: "test tiles")
        let (service, page, scene) = try setUp(tiles: tiles)
        defer { page.stop() }
        let port = try #require(page.port)
        try publishShot(service, scene, at: PlanePoint(x: -50, y: 25), seq: 1)

        let state = try RawHTTP.fetch(port: port, "GET", "/api/state")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(state.body.utf8)) as? [String: Any])
        let t = try #require(json["tiles"] as? [String: Any])
        #expect(t["url"] as? String == tiles.urlTemplate && json["tile_url"] as? String == tiles.urlTemplate)
        #expect(t["origin_lat_deg"] as? Double == lat && t["origin_lon_deg"] as? Double == lon)
        #expect(t["zoom"] as? Int == 17 && t["max_zoom"] as? Int == 19 && t["attribution"] as? String == "test tiles")

        // The tile holding the origin, by the usual slippy-map formulas.
        let n = Double(1 << 17), phi = lat * Double.pi / 180
        let tx = Int(((lon + 180) / 360 * n).rounded(.down))
        let ty = Int(((1 - log(tan(phi) + 1 / cos(phi)) / Double.pi) / 2 * n).rounded(.down))
        let profile = try makeTemporaryDirectory(prefix: "earshot-chromium")
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let dom = try runTool("/usr/bin/chromium", ["--headless", "--disable-gpu", "--no-sandbox", "--user-data-dir=\(profile)",
                                                    "--window-size=1400,900", "--virtual-time-budget=5000", "--dump-dom",
                                                    "http://127.0.0.1:\(port)/?static"], timeout: 60)
        let tileCount = dom.components(separatedBy: "class=\"tile\"").count - 1
        print("tiles: \(tileCount) drawn, \(Set(asked.all).count) fetched, origin tile 17/\(tx)/\(ty)")
        #expect(tileCount >= 4 && tileCount <= 256, "\(dom.prefix(3000))")
        #expect(asked.all.contains("earshot-central: /tiles/17/\(tx)/\(ty).png"), "\(asked.all)")
        #expect(dom.contains("Map: test tiles"))
        // Under the plan: the tile layer is the plan group's first child, before streets and boxes.
        let tilesAt = try #require(dom.range(of: "<g id=\"tiles\""))
        let streetAt = try #require(dom.range(of: "class=\"street\""))
        #expect(tilesAt.lowerBound < streetAt.lowerBound)
        // The origin tile covers the plane origin (SVG y = −y) and is 2πR/2^17·cos(lat) m wide.
        let re = try NSRegularExpression(pattern: "data-tile=\"17/\(tx)/\(ty)\" x=\"([-0-9.e]+)\" y=\"([-0-9.e]+)\" width=\"([-0-9.e]+)\"")
        let m = try #require(re.firstMatch(in: dom, range: NSRange(dom.startIndex..., in: dom)), "\(dom.prefix(3000))")
        let v = (1...3).map { Double(dom[Range(m.range(at: $0), in: dom)!]) ?? .nan }
        let size = 2 * Double.pi * 6_378_137 / n * cos(phi)
        #expect(abs(v[2] - size) < 0.01, "\(v)")
        #expect(v[0] <= 0 && 0 < v[0] + v[2] && v[1] <= 0 && 0 < v[1] + v[2], "\(v)")
    }
}
