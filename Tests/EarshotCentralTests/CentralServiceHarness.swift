// A real mosquitto, the centre in-process, simulated boxes publishing through the agent's
// own MQTTPublisher (outbox and all), and an independent mosquitto_sub watching incidents.
import EarshotCentral
import EarshotMQTT
import EarshotTestSupport
import Foundation

/// Collects the centre's log lines.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var log: CentralLog { CentralLog { [self] line in lock.withLock { lines.append(line) } } }
    var all: [String] { lock.withLock { lines } }
    func contains(_ parts: String...) -> Bool { all.contains { l in parts.allSatisfy { l.contains($0) } } }
}

enum CentralPaths {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let incidentSchema = packageRoot + "/Schemas/incident.schema.json"
}

/// Everything one service test needs; `close()` stops it all.
final class CentralHarness: @unchecked Sendable {
    static let site = "test"
    let broker: MosquittoBroker
    let scene: FusionScene
    let logs = LogLines()
    let service: CentralService
    let outboxRoot: String
    var boxes: [String: MQTTPublisher] = [:]
    /// The site's command key: the centre signs cmd/ptz with it and the boxes verify it.
    let commandKey: [UInt8]?
    /// The boxes' key (default: the centre's).
    let boxCommandKey: [UInt8]?

    /// `cameras`: boxes given a camera (orientation, preset azimuths); `ptz`: `[site] ptz`.
    /// `reconnect`: the centre's reconnect_min_s/max_s (nil: its defaults).
    init(closeAfterS: Double = 2, shareGroup: String? = "central", ptz: Bool = false, reconnect: (min: Double, max: Double)? = (1, 2),
         cameras: [String: (orientationDeg: Double, presetsDeg: [Double])] = [:], commandKey: [UInt8]? = nil,
         boxCommandKey: [UInt8]?? = nil) throws {
        self.commandKey = commandKey
        self.boxCommandKey = boxCommandKey ?? commandKey
        var boxes = FusionScene.ring(4, radius: 150).boxes
        for i in boxes.indices {
            guard let c = cameras[boxes[i].id] else { continue }
            boxes[i].camera = true
            boxes[i].orientationDeg = c.orientationDeg
            boxes[i].cameraPresetsDeg = c.presetsDeg
        }
        scene = FusionScene(boxes: boxes)
        broker = try MosquittoBroker()
        try broker.start()
        outboxRoot = try makeTemporaryDirectory(prefix: "earshot-central")
        var mqtt = CentralMQTTSettings()
        mqtt.port = broker.port
        mqtt.shareGroup = shareGroup
        mqtt.keepAliveSeconds = 5
        if let reconnect { mqtt.reconnectMinSeconds = reconnect.min; mqtt.reconnectMaxSeconds = reconnect.max }
        mqtt.commandKey = commandKey
        var fusion = FusionSettings()
        fusion.closeAfterS = closeAfterS
        service = CentralService(config: CentralConfig(registry: SiteRegistry(site: Self.site, boxes: scene.boxes, ptzEnabled: ptz), mqtt: mqtt,
                                                       fusion: fusion), log: logs.log)
        try service.start()
        guard waitUntil(timeout: 10, { self.service.isConnected }) else { throw TestSupportError("centre did not connect: \(logs.all)") }
    }

    /// The agent's publisher for box `id` (started once, connected).
    func box(_ id: String) throws -> MQTTPublisher {
        if let b = boxes[id] { return b }
        var c = MQTTConfiguration(site: Self.site, sensor: id, outboxDirectory: outboxRoot + "/" + id)
        c.port = broker.port
        c.keepAliveSeconds = 5
        c.reconnect = ReconnectPolicy(initialDelayMs: 100, maxDelayMs: 500, multiplier: 2, jitter: 0.2)
        c.commandAuthentication = CommandAuthentication(key: boxCommandKey)
        let p = try MQTTPublisher(configuration: c, warn: { _ in })
        try p.start()
        if let e = p.waitUntilConnected(timeoutMs: 5000) { throw e }
        boxes[id] = p
        return p
    }

    /// A gunshot at `source`, emitted `agoS` seconds ago: each box's onset from the true distance.
    func shot(at source: PlanePoint, agoS: Double = 1, from ids: [String]? = nil, clockErrorNs: [String: Int64] = [:]) throws {
        let emitted = Int64(Date().timeIntervalSince1970 * 1e9) - Int64(agoS * 1e9)
        for b in scene.boxes where ids?.contains(b.id) ?? true {
            let d = b.position.distance(to: source)
            let onset = emitted + Int64((d / 343 * 1e9).rounded()) + (clockErrorNs[b.id] ?? 0)
            let e = EventMessage(eventClass: "gunshot", onset: UTCTimestamp(nanosecondsSinceEpoch: onset),
                                 clock: ClockSync(synchronised: true, estimatedErrorMicroseconds: 100), durationMs: 8,
                                 peakDBFS: -2, peakDBSPL: 120, confidence: 0.9)
            try box(b.id).publish(event: e)
        }
    }

    /// `mosquitto_pub` (an independent client) publishes raw text.
    func rawPublish(_ topic: String, _ payload: String) throws {
        try runTool("/usr/bin/mosquitto_pub", ["-h", "127.0.0.1", "-p", String(broker.port), "-q", "1", "-t", topic, "-m", payload])
    }

    func subscriber(_ filters: [String] = ["earshot/v1/\(site)/incidents/#"]) throws -> MosquittoSubscriber {
        try MosquittoSubscriber.started(port: broker.port, filters: filters)
    }

    func close() {
        for b in boxes.values { b.stop(flushTimeoutMs: 200) }
        service.stop()
        broker.stop()
        try? FileManager.default.removeItem(atPath: outboxRoot)
    }
}

extension ReceivedMessage {
    var incidentID: String? { json?["id"] as? String }
    var state: String? { json?["state"] as? String }
    var position: PlanePoint? {
        guard let p = json?["position"] as? [String: Any], let x = p["x_m"] as? Double, let y = p["y_m"] as? Double else { return nil }
        return PlanePoint(x: x, y: y)
    }
    var contributionCount: Int { (json?["contributions"] as? [Any])?.count ?? 0 }
}
