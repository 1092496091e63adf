// earshot-fleet (`make fleet`, issue 15): a simulated city. Starts a real mosquitto, N boxes
// publishing through the agent's own MQTTPublisher and outbox (status every 30 s, events from
// sound sources placed at random, onsets from the true distances plus each box's clock error),
// and the earshot-central executable; kills the broker (SIGKILL) and restarts it mid-run;
// then prints one line of key=value results.
import EarshotCentral
import EarshotDSP
import EarshotMQTT
import EarshotTestSupport
import Foundation

struct Options {
    var boxes = 100
    var durationS = 60.0
    var sourcesPerMinute = 30.0
    var clockErrorMs = 1.0
    var spacingM = 150.0
    var statusIntervalS = 30.0
    var killBroker = true
    var seed: UInt64 = 15
    var central: String?
    var shareGroup = false
    var screenshot: String?

    static let usage = """
    usage: earshot-fleet [--boxes N] [--duration-s S] [--sources-per-min R] [--clock-error-ms E]
                         [--spacing-m M] [--status-interval-s S] [--no-broker-kill] [--share] [--seed N] [--central PATH]
                         [--screenshot PNG]   (the operator's page in headless Chromium at the end)
    """

    init(_ args: [String]) {
        var a = args[...]
        func value() -> String {
            guard let v = a.popFirst() else { fail("missing value\n\(Self.usage)") }
            return v
        }
        while let k = a.popFirst() {
            switch k {
            case "--boxes": boxes = Int(value()) ?? 0
            case "--duration-s": durationS = Double(value()) ?? 0
            case "--sources-per-min": sourcesPerMinute = Double(value()) ?? 0
            case "--clock-error-ms": clockErrorMs = Double(value()) ?? -1
            case "--spacing-m": spacingM = Double(value()) ?? 0
            case "--status-interval-s": statusIntervalS = Double(value()) ?? 0
            case "--no-broker-kill": killBroker = false
            case "--share": shareGroup = true
            case "--screenshot": screenshot = value()
            case "--seed": seed = UInt64(value()) ?? 15
            case "--central": central = value()
            default: fail("unknown argument \(k)\n\(Self.usage)")
            }
        }
        // Each box is a libmosquitto client of this one process, and mosquitto_loop() uses
        // select(): file descriptors above FD_SETSIZE (1024) fail, so beyond ~250 boxes (4 fds
        // each) clients churn without ever connecting. A bigger city needs worker processes.
        if boxes > 240 { fail("--boxes \(boxes): at most 240 boxes per process (libmosquitto's select() stops at fd 1024)") }
        if boxes < 1 || durationS <= 0 || sourcesPerMinute <= 0 || clockErrorMs < 0 || spacingM <= 0 || statusIntervalS <= 0 {
            fail("bad value\n\(Self.usage)")
        }
    }
}

func fail(_ text: String) -> Never {
    FileHandle.standardError.write(Data("earshot-fleet: \(text)\n".utf8))
    exit(2)
}


func nowNs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1e9) }

/// Everything recorded during the run (incident messages arrive on the subscriber's thread).
final class Record: @unchecked Sendable {
    let lock = NSLock()
    var eventSource: [String: Int] = [:]           // event id → source index
    var lastSentNs: [Int: Int64] = [:]             // source → wall time its last event was handed over
    var expected: [Int: Int] = [:]                 // source → boxes that heard it
    var incidents: [String: (contributions: [String], x: Double, y: Double, state: String)] = [:]
    var arrivals: [(ns: Int64, ids: [String])] = [] // every incident message: receipt time, contributing events
    var sent = 0
}

let o = Options(Array(CommandLine.arguments.dropFirst()))
nonisolated(unsafe) var rng = SplitMix64(state: o.seed)
func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }

// The city: boxes on a square grid, each hearing 2.5 spacings away, each with its own clock error.
let side = Int(Double(o.boxes).squareRoot().rounded(.up))
var boxes: [RegisteredBox] = []
var clockErrorNs: [Int64] = []
for i in 0..<o.boxes {
    boxes.append(RegisteredBox(id: "b\(i)", x: Double(i % side) * o.spacingM, y: Double(i / side) * o.spacingM,
                               hearingRangeM: 2.5 * o.spacingM))
    clockErrorNs.append(Int64((uniform() * 2 - 1) * o.clockErrorMs * 1e6))
}
let extentX = Double(side - 1) * o.spacingM, extentY = Double((o.boxes - 1) / side) * o.spacingM

let dir = try makeTemporaryDirectory(prefix: "earshot-fleet")
defer { try? FileManager.default.removeItem(atPath: dir) }
// Persistence on (saved every second): the centre's session, its subscriptions and the events
// queued for it survive the broker's SIGKILL, as on a production broker. (Saving after every
// change made a 1000-box broker fall behind.)
let brokerDir = try makeTemporaryDirectory(prefix: "earshot-fleet-broker")
defer { try? FileManager.default.removeItem(atPath: brokerDir) }
let broker = try MosquittoBroker(listenerConfiguration: ["allow_anonymous true", "max_connections -1", "persistence true",
                                                         "persistence_location \(brokerDir)/", "autosave_interval 1",
                                                         "max_queued_messages 0"],
                                 directory: brokerDir)
try broker.start()

// The centre, as deployed: its own process and config file.
var toml = "[site]\nid = \"city\"\n"
for b in boxes { toml += "[[box]]\nid = \"\(b.id)\"\nx_m = \(b.x)\ny_m = \(b.y)\nrange_m = \(b.hearingRangeM)\n" }
toml += "[mqtt]\nport = \(broker.port)\n\(o.shareGroup ? "share_group = \"central\"\n" : "")reconnect_min_s = 1\nreconnect_max_s = 2\n[fusion]\nclose_after_s = 5\n"
let httpPort = try freeLocalPort()
if o.screenshot != nil { toml += "[http]\nlisten = \"127.0.0.1:\(httpPort)\"\n" }
try toml.write(toFile: dir + "/central.toml", atomically: true, encoding: .utf8)
let centralPath = o.central ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    .appendingPathComponent("earshot-central").path
let central = try ChildProcess(centralPath, ["--config", dir + "/central.toml"])
guard central.waitForLine(timeout: 20, { $0.contains("connected to") }) else { fail("earshot-central did not connect: \(central.lines)") }

// An observer of the incidents (the fleet's own client, as a consumer would be).
let record = Record()
var watchSettings = CentralMQTTSettings()
watchSettings.port = broker.port
watchSettings.sessionExpirySeconds = 600
watchSettings.reconnectMinSeconds = 1
watchSettings.reconnectMaxSeconds = 2
let watcher = try CentralMQTTClient(settings: watchSettings, clientID: "fleet-watcher", filters: ["earshot/v1/city/incidents/+"],
                                    log: CentralLog { _ in }, onConnect: {}, onMessage: { _, payload in
    let t = nowNs()
    guard let j = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any], let id = j["id"] as? String,
          let p = j["position"] as? [String: Any], let x = p["x_m"] as? Double, let y = p["y_m"] as? Double,
          let ids = j["event_ids"] as? [String], let state = j["state"] as? String else { return }
    record.lock.withLock {
        record.incidents[id] = (ids, x, y, state)
        record.arrivals.append((t, ids))
    }
})
try watcher.start()
_ = waitUntil(timeout: 10) { watcher.isConnected }

// The boxes: the agent's publisher and outbox each.
var publishers: [MQTTPublisher] = []
for b in boxes {
    try FileManager.default.createDirectory(atPath: dir + "/outbox/" + b.id, withIntermediateDirectories: true)
    var c = MQTTConfiguration(site: "city", sensor: b.id, outboxDirectory: dir + "/outbox/" + b.id)
    c.port = broker.port
    c.keepAliveSeconds = 30
    c.reconnect = ReconnectPolicy(initialDelayMs: 200, maxDelayMs: 2000, multiplier: 2, jitter: 0.3)
    let p = try MQTTPublisher(configuration: c, warn: { _ in })
    try p.start()
    publishers.append(p)
}
_ = waitUntil(timeout: 60) { publishers.allSatisfy { $0.state == .connected } }
let status = StatusMessage(mode: "events", softwareVersion: "fleet", clock: ClockSync(synchronised: true,
                           estimatedErrorMicroseconds: Int64(o.clockErrorMs * 1000)))
for p in publishers { p.update(status: status) }

// Sources: Poisson arrivals over the city; each heard by every box within its range.
struct Source { var x: Double; var y: Double; var emitNs: Int64; var heard: [Int] }
var sources: [Source] = []
let start = nowNs() + 1_000_000_000
var t = 0.0
while true {
    t += -log(max(uniform(), 1e-12)) * 60 / o.sourcesPerMinute
    if t >= o.durationS { break }
    let x = uniform() * extentX, y = uniform() * extentY
    let heard = boxes.indices.filter { hypot(boxes[$0].x - x, boxes[$0].y - y) <= boxes[$0].hearingRangeM }
    sources.append(Source(x: x, y: y, emitNs: start + Int64(t * 1e9), heard: heard))
}
// Every box event, in the order it is due (onset + 50 ms of detection).
var schedule: [(due: Int64, source: Int, box: Int, onset: Int64)] = []
for (s, src) in sources.enumerated() {
    record.expected[s] = src.heard.count
    for b in src.heard {
        let onset = src.emitNs + Int64(hypot(boxes[b].x - src.x, boxes[b].y - src.y) / 343 * 1e9) + clockErrorNs[b]
        schedule.append((onset + 50_000_000, s, b, onset))
    }
}
schedule.sort { ($0.due, $0.box) < ($1.due, $1.box) }

let killAt = start + Int64(o.durationS / 2 * 1e9)
var killed = !o.killBroker
var nextStatus = start + Int64(o.statusIntervalS * 1e9)
for item in schedule {
    while nowNs() < item.due { usleep(UInt32(min(max((item.due - nowNs()) / 1000, 100), 20_000))) }
    if !killed && nowNs() >= killAt {
        broker.kill()
        usleep(1_000_000)
        try broker.restart()
        killed = true
    }
    if nowNs() >= nextStatus { for p in publishers { p.update(status: status) }; nextStatus += Int64(o.statusIntervalS * 1e9) }
    let e = EventMessage(eventClass: "gunshot", onset: UTCTimestamp(nanosecondsSinceEpoch: item.onset),
                         clock: ClockSync(synchronised: true, estimatedErrorMicroseconds: Int64(o.clockErrorMs * 1000)),
                         durationMs: 5, peakDBFS: -3, confidence: 0.9)
    guard let receipt = try? publishers[item.box].publish(event: e) else { continue }
    let sentAt = nowNs()
    record.lock.withLock {
        record.eventSource[receipt.eventID] = item.source
        record.lastSentNs[item.source] = sentAt
        record.sent += 1
    }
}
// Drain: outboxes empty, incidents closed (close_after_s = 5).
_ = waitUntil(timeout: 60) { publishers.allSatisfy { $0.outboxStats.pendingEvents == 0 } }
// The centre may still be working through a backlog: wait until its incident messages stop
// for longer than close_after_s and every incident is closed (≤ 120 s).
_ = waitUntil(timeout: 120) {
    record.lock.withLock {
        (record.arrivals.last.map { nowNs() - $0.ns > 7_000_000_000 } ?? true)
            && record.incidents.values.allSatisfy { $0.state == "closed" }
    }
}

// The centre's CPU time (utime + stime of /proc/PID/stat, clock ticks).
func cpuSeconds(_ pid: Int32) -> Double {
    guard let s = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = s.lastIndex(of: ")") else { return .nan }
    let f = s[s.index(after: close)...].split(separator: " ")
    guard f.count > 13, let u = Double(f[11]), let k = Double(f[12]) else { return .nan }
    return (u + k) / Double(sysconf(Int32(_SC_CLK_TCK)))
}
let cpu = cpuSeconds(central.pid)
if let png = o.screenshot {
    let profile = dir + "/chromium"
    let path = png.hasPrefix("/") ? png : FileManager.default.currentDirectoryPath + "/" + png
    do {
        try runTool("/usr/bin/chromium", ["--headless", "--disable-gpu", "--no-sandbox", "--user-data-dir=\(profile)",
                                          "--window-size=1400,900", "--timeout=5000", "--screenshot=\(path)",
                                          "http://127.0.0.1:\(httpPort)/"], timeout: 90)
        FileHandle.standardError.write(Data("earshot-fleet: operator page screenshot in \(path)\n".utf8))
    } catch { FileHandle.standardError.write(Data("earshot-fleet: screenshot failed: \(error)\n".utf8)) }
}
kill(central.pid, SIGTERM)
_ = central.waitForLine(timeout: 10) { $0.contains("stopping") }
let summary = central.lines.first { $0.contains("stopping") } ?? ""
func count(_ label: String) -> Int {
    guard let r = summary.range(of: " \(label)") else { return -1 }
    let before = summary[..<r.lowerBound]
    return Int(before.split(separator: " ").last.map { $0.filter(\.isNumber) } ?? "") ?? -1
}
watcher.stop()
for p in publishers { p.stop(flushTimeoutMs: 100) }
broker.stop()
if let keep = ProcessInfo.processInfo.environment["FLEET_KEEP_LOGS"] {
    try? FileManager.default.removeItem(atPath: keep)
    try? FileManager.default.copyItem(atPath: broker.logPath, toPath: keep + ".broker.log")
    try? central.lines.joined(separator: "\n").write(toFile: keep + ".central.log", atomically: true, encoding: .utf8)
}

// Score: each incident belongs to the source most of its events came from.
let (incidents, eventSource, arrivals, sent, lastSent) = record.lock.withLock {
    (record.incidents, record.eventSource, record.arrivals, record.sent, record.lastSentNs)
}
// Latency: from the hand-over of a source's last event to the first incident message holding
// all of that source's events (sources whose events were split over incidents have none).
var latency: [Int: Double] = [:]
for a in arrivals {
    var votes: [Int: Int] = [:]
    for e in a.ids { if let s = eventSource[e] { votes[s, default: 0] += 1 } }
    for (s, n) in votes where n == sources[s].heard.count && latency[s] == nil {
        if let last = lastSent[s] { latency[s] = Double(a.ns - last) / 1e6 }
    }
}
var found = Set<Int>()
var errors: [Double] = []
var contributed = Set<String>()
for (_, inc) in incidents.sorted(by: { $0.key < $1.key }) {
    contributed.formUnion(inc.contributions)
    var votes: [Int: Int] = [:]
    for e in inc.contributions { if let s = eventSource[e] { votes[s, default: 0] += 1 } }
    guard let (s, _) = votes.max(by: { ($0.value, -$0.key) < ($1.value, -$1.key) }), !found.contains(s) else { continue }
    found.insert(s)
    if sources[s].heard.count >= 4 { errors.append(hypot(inc.x - sources[s].x, inc.y - sources[s].y)) }
}
func percentile(_ v: [Double], _ p: Double) -> Double {
    guard !v.isEmpty else { return .nan }
    let s = v.sorted()
    return s[min(Int((p * Double(s.count - 1)).rounded()), s.count - 1)]
}
let lat = Array(latency.values)
let lost = eventSource.keys.filter { !contributed.contains($0) }.count
let received = count("events")
let f2 = { (x: Double) in String(format: "%.2f", x) }
print("fleet_boxes=\(o.boxes) events_sent=\(sent) events_received=\(received) incidents_true=\(sources.count) incidents_found=\(found.count) incidents_published=\(incidents.count) localisation_median_m=\(f2(percentile(errors, 0.5))) localisation_p90_m=\(f2(percentile(errors, 0.9))) incident_latency_p50_ms=\(f2(percentile(lat, 0.5))) incident_latency_p99_ms=\(f2(percentile(lat, 0.99))) latency_samples=\(lat.count) central_cpu_s_per_event=\(String(format: "%.6f", cpu / Double(max(received, 1)))) lost=\(lost) broker_killed=\(o.killBroker ? 1 : 0) sources_per_min=\(o.sourcesPerMinute) clock_error_ms=\(o.clockErrorMs) shared_subscription=\(o.shareGroup ? 1 : 0)")
central.kill()
exit(0)
