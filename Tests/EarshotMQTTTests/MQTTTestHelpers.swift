// Shared helpers for the MQTT tests: paths, schema validators, configurations.
import EarshotMQTT
import EarshotTestSupport
import Foundation
import Testing

enum Paths {
    /// Package root, from this file's location (Tests/EarshotMQTTTests/…).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let schemas = packageRoot + "/Schemas"

    /// The `earshot-mqtt-probe` executable built next to the test binary.
    static func probe() throws -> String {
        var candidates: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
            for _ in 0..<4 {
                candidates.append(dir.appendingPathComponent("earshot-mqtt-probe").path)
                dir = dir.deletingLastPathComponent()
            }
        }
        for arg in [CommandLine.arguments.first ?? ""] {
            candidates.append(URL(fileURLWithPath: arg).deletingLastPathComponent().appendingPathComponent("earshot-mqtt-probe").path)
        }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        throw TestSupportError("earshot-mqtt-probe not found (looked in \(candidates)); build it with swift build --product earshot-mqtt-probe")
    }
}

enum Schemas {
    static func validator(_ name: String) throws -> JSONSchemaValidator {
        try JSONSchemaValidator(schemaFile: "\(Paths.schemas)/\(name).schema.json")
    }
}

func testConfiguration(port: Int, outbox: String, sensor: String = "s1") -> MQTTConfiguration {
    var c = MQTTConfiguration(site: "test-site", sensor: sensor, outboxDirectory: outbox)
    c.port = port
    c.keepAliveSeconds = 5
    c.reconnect = ReconnectPolicy(initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0.2)
    c.outbox.syncEachAppend = true
    return c
}

func sampleEvent(_ i: Int = 0) -> EventMessage {
    EventMessage(eventClass: i % 2 == 0 ? "gunshot" : "glass_break",
                 onset: UTCTimestamp(nanosecondsSinceEpoch: 1_767_225_600_123_456_789 + Int64(i) * 1_000_000),
                 clock: ClockSync(synchronised: true, estimatedErrorMicroseconds: 250, source: .timesyncd),
                 durationMs: 12.5, peakDBFS: -3.25, peakDBSPL: 118.4, confidence: 0.87,
                 bearingDegrees: 271.5, sector: 3,
                 bands: OctaveBandLevels(SIMD8(-40, -35.5, -30, -20, -12, -9, -15, .nan)))
}

func sampleTelemetry() -> TelemetryMessage {
    TelemetryMessage(intervalStart: UTCTimestamp(nanosecondsSinceEpoch: 1_767_225_600_000_000_000), intervalSeconds: 60,
                     unit: .dBSPL, laeq: 62.34, lamax: 81.2, lamin: 48.9, la90: 51.05,
                     bands: OctaveBandLevels(SIMD8(55, 58, 60, 59, 57, 54, 50, 44)))
}

/// A mosquitto started on a free 127.0.0.1 port and a fresh outbox directory, the
/// set-up every broker test shares. The caller stops the broker and removes the directory
/// (`defer { broker.stop(); removeDirectory(outbox) }`).
func startBrokerWithOutbox() throws -> (broker: MosquittoBroker, outbox: String) {
    let broker = try MosquittoBroker()
    try broker.start()
    do {
        return (broker, try makeTemporaryDirectory(prefix: "earshot-mqtt"))
    } catch {
        broker.stop()
        throw error
    }
}

/// Deletes a temp directory at the end of a test.
func removeDirectory(_ path: String) { try? FileManager.default.removeItem(atPath: path) }
