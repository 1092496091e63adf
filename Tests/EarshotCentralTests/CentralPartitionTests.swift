// Several central instances splitting one site (`[partition]`): each listens to a strip of the
// plan and its margin, and together they publish exactly the incidents one instance publishes.
import EarshotConfig
import EarshotAgent
import EarshotCentral
import EarshotMQTT
import EarshotTestSupport
import Foundation
import Testing

/// Incidents an instance published (its `onIncident` hook), by id.
final class PublishedIncidents: @unchecked Sendable {
    private let lock = NSLock()
    private var byID: [String: Incident] = [:]
    func record(_ i: Incident) { lock.withLock { byID[i.id] = i } }
    var all: [String: Incident] { lock.withLock { byID } }
}

@Suite("Central: partitions split one site", .serialized)
struct CentralPartitionTests {
    /// 32 boxes on a 16 × 2 grid, 60 m apart (x 0…900 m), hearing 130 m.
    static let boxes: [RegisteredBox] = (0..<32).map { i in
        RegisteredBox(id: "box-\(i + 1)", x: Double(i % 16) * 60, y: Double(i / 16) * 60, hearingRangeM: 130)
    }

    @Test("plan: two strips split at the middle box column; each listens to its strip and 260 m beyond")
    func plan() throws {
        let registry = SiteRegistry(site: "test", boxes: Self.boxes)
        let west = SitePartition(index: 0, count: 2).plan(registry)
        let east = SitePartition(index: 1, count: 2).plan(registry)
        #expect(west.marginM == 260 && east.marginM == 260)
        #expect(west.westM == -.infinity && west.eastM == 450 && east.westM == 450 && east.eastM == .infinity)
        #expect(west.owns(PlanePoint(x: 449.9, y: 0)) && !west.owns(PlanePoint(x: 450, y: 0)) && east.owns(PlanePoint(x: 450, y: 0)))
        // West listens to x < 710 (columns 0…11), east to x ≥ 190 (columns 4…15): 24 of 32 each.
        #expect(west.boxIDs.count == 24 && east.boxIDs.count == 24)
        #expect(west.listens(to: "box-12") && !west.listens(to: "box-13") && east.listens(to: "box-5") && !east.listens(to: "box-4"))
        var mqtt = CentralMQTTSettings()
        mqtt.shareGroup = "a"
        #expect(mqtt.filters(site: "test", partition: west).count == 48)
        #expect(mqtt.filters(site: "test", partition: west).first == "$share/a/earshot/v1/test/box-1/event")
        #expect(mqtt.filters(site: "test") == ["$share/a/earshot/v1/test/+/event", "$share/a/earshot/v1/test/+/status"])
    }

    @Test("[partition] is validated with its field named")
    func decode() throws {
        let base = "[site]\nid = \"x\"\n[[box]]\nid = \"a\"\nx_m = 0\ny_m = 0\n"
        let ok = try CentralConfig.parse(base + "[partition]\nindex = 1\ncount = 3\nmargin_m = 500\n", file: "c.toml")
        #expect(ok.partition == SitePartition(index: 1, count: 3, marginM: 500))
        for (body, needle) in [("index = 3\ncount = 3", "partition.index"), ("index = 0\ncount = 0", "partition.count"),
                               ("count = 2", "partition.index"), ("index = 0.5\ncount = 2", "partition.index"),
                               ("index = 0\ncount = 2\nstrips = 2", "strips")] {
            #expect(throws: ConfigError.self) { try CentralConfig.parse(base + "[partition]\n" + body + "\n", file: "c.toml") }
            do { _ = try CentralConfig.parse(base + "[partition]\n" + body + "\n", file: "c.toml") } catch {
                #expect(error.description.contains(needle), "\(error.description)")
            }
        }
    }

    @Test("one broker, one whole-site instance and two partitioned ones: the partitions together publish the same incidents (ids, positions, boxes) and each receives fewer events",
          .timeLimit(.minutes(2)))
    func twoPartitionsEqualOne() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        defer { broker.stop() }
        let outboxes = try makeTemporaryDirectory(prefix: "earshot-partition")
        defer { try? FileManager.default.removeItem(atPath: outboxes) }
        let registry = SiteRegistry(site: "test", boxes: Self.boxes)
        var fusion = FusionSettings()
        fusion.closeAfterS = 60
        func instance(_ name: String, _ partition: SitePartition?) throws -> (CentralService, PublishedIncidents) {
            var mqtt = CentralMQTTSettings()
            mqtt.port = broker.port
            mqtt.clientID = "earshot-central-\(name)"
            mqtt.reconnectMinSeconds = 0.1; mqtt.reconnectMaxSeconds = 0.5
            var config = CentralConfig(registry: registry, mqtt: mqtt, fusion: fusion)
            config.partition = partition
            let s = CentralService(config: config, log: CentralLog { _ in })
            let seen = PublishedIncidents()
            s.onIncident = { seen.record($0) }
            try s.start()
            return (s, seen)
        }
        let (whole, wholeSeen) = try instance("whole", nil)
        let (west, westSeen) = try instance("west", SitePartition(index: 0, count: 2))
        let (east, eastSeen) = try instance("east", SitePartition(index: 1, count: 2))
        defer { whole.stop(); west.stop(); east.stop() }
        #expect(waitUntil(timeout: 10) { whole.isConnected && west.isConnected && east.isConnected })

        var publishers: [String: MQTTPublisher] = [:]
        defer { for p in publishers.values { p.stop(flushTimeoutMs: 200) } }
        func box(_ id: String) throws -> MQTTPublisher {
            if let p = publishers[id] { return p }
            var c = MQTTConfiguration(site: "test", sensor: id, outboxDirectory: outboxes + "/" + id)
            c.port = broker.port
            let p = try MQTTPublisher(configuration: c, warn: { _ in })
            try p.start()
            if let e = p.waitUntilConnected(timeoutMs: 5000) { throw e }
            publishers[id] = p
            return p
        }
        // Deep in each strip, either side of the line at 450 m, and within the margins.
        let sources = [PlanePoint(x: 100, y: 30), PlanePoint(x: 300, y: 20), PlanePoint(x: 430, y: 35),
                       PlanePoint(x: 470, y: 25), PlanePoint(x: 640, y: 30), PlanePoint(x: 820, y: 40)]
        let start = Int64(Date().timeIntervalSince1970 * 1e9) - 8_000_000_000
        var heard: [Int] = []
        for (i, s) in sources.enumerated() {
            let emitted = start + Int64(i) * 700_000_000
            let hearers = Self.boxes.filter { $0.position.distance(to: s) <= $0.hearingRangeM }
            heard.append(hearers.count)
            for b in hearers {
                let onset = emitted + Int64((b.position.distance(to: s) / 343 * 1e9).rounded())
                let e = EventMessage(eventClass: "gunshot", onset: UTCTimestamp(nanosecondsSinceEpoch: onset),
                                     clock: ClockSync(synchronised: true, estimatedErrorMicroseconds: 100),
                                     durationMs: 8, peakDBFS: -2, confidence: 0.9)
                try box(b.id).publish(event: e)
            }
        }
        let total = heard.reduce(0, +)
        #expect(waitUntil(timeout: 20) {
            whole.stats.eventsReceived == total
                && wholeSeen.all.values.filter { $0.state == .open }.map(\.boxIDs.count).sorted() == heard.sorted()
                && westSeen.all.count + eastSeen.all.count == wholeSeen.all.count
        }, "whole \(wholeSeen.all.values.map(\.boxIDs.count)) west \(westSeen.all.count) east \(eastSeen.all.count)")
        // Settle: late fusion passes (merges) have happened in all three.
        Thread.sleep(forTimeInterval: 1)
        let one = wholeSeen.all
        let split = westSeen.all.merging(eastSeen.all) { a, _ in a }
        #expect(Set(one.keys) == Set(split.keys))
        #expect(Set(westSeen.all.keys).isDisjoint(with: eastSeen.all.keys))
        for (id, inc) in one {
            guard let other = split[id] else { continue }
            #expect(other.boxIDs.sorted() == inc.boxIDs.sorted(), "\(id)")
            #expect(other.location.position.distance(to: inc.location.position) < 1e-6, "\(id)")
        }
        for s in sources {
            #expect(one.values.contains { $0.state == .open && $0.boxIDs.count >= 4 && $0.location.position.distance(to: s) < 0.5 },
                    "no incident at \(s)")
        }
        // Each partition received only its boxes' events.
        let w = west.stats, e = east.stats
        print("partitions: whole received \(whole.stats.eventsReceived) events, west \(w.eventsReceived) (\(w.incidentsElsewhere) changes left to east), east \(e.eventsReceived) (\(e.incidentsElsewhere) left to west); incidents \(one.count) = \(westSeen.all.count) + \(eastSeen.all.count)")
        #expect(w.eventsReceived < total && e.eventsReceived < total)
        #expect(w.eventsReceived + e.eventsReceived > total)  // the margins overlap
    }
}
