// earshot-fleet (`make fleet`, issue 15): a simulated city. Starts a real mosquitto, N boxes
// publishing through the agent's own MQTTPublisher and outbox (status every 30 s, events from
// sound sources placed at random, onsets from the true distances plus each box's clock error),
// and the earshot-central executable; kills the broker (SIGKILL) and restarts it mid-run;
// then prints one line of key=value results.
//
// The boxes run in worker processes (this executable with --worker), at most
// --boxes-per-worker (200) each: every box is a libmosquitto client, and mosquitto_loop()
// uses select(), which fails for descriptors above FD_SETSIZE (1024; ~4 per box). Every
// process derives the same city from --seed; the parent owns the broker, the centre and the
// consumer that scores the incidents, and tells the workers when to start through a file.
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
    /// Central instances, each serving one strip of the city (`[partition]`); 1 = one for all.
    var partitions = 1
    var screenshot: String?
    var boxesPerWorker = 200
    /// The centre's (and the consumer's) reconnect delays, s; nil: the centre's defaults.
    var centralReconnect: (min: Double, max: Double)?
    // Worker mode (internal): which slice, which broker, where the run's files are.
    var worker: Int?
    var workers = 1
    var port = 0
    var dir = ""

    static let usage = """
    usage: earshot-fleet [--boxes N] [--duration-s S] [--sources-per-min R] [--clock-error-ms E]
                         [--spacing-m M] [--status-interval-s S] [--no-broker-kill] [--share] [--seed N] [--central PATH]
                         [--boxes-per-worker N]   (boxes per worker process, 1…240; default 200)
                         [--central-reconnect MIN:MAX]   (the centre's reconnect_min_s/max_s; default: its own)
                         [--screenshot PNG]   (the operator's page in headless Chromium at the end)
                         [--partitions N]   (N earshot-central instances, one per strip of the city; 1…16, default 1)
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
            case "--partitions": partitions = Int(value()) ?? 0
            case "--screenshot": screenshot = value()
            case "--seed": seed = UInt64(value()) ?? 15
            case "--central": central = value()
            case "--boxes-per-worker": boxesPerWorker = Int(value()) ?? 0
            case "--central-reconnect":
                let p = value().split(separator: ":").compactMap { Double($0) }
                guard p.count == 2, p[0] > 0, p[1] >= p[0] else { fail("--central-reconnect MIN:MAX, seconds\n\(Self.usage)") }
                centralReconnect = (p[0], p[1])
            case "--worker": worker = Int(value())
            case "--workers": workers = Int(value()) ?? 0
            case "--port": port = Int(value()) ?? 0
            case "--dir": dir = value()
            default: fail("unknown argument \(k)\n\(Self.usage)")
            }
        }
        // ~4 descriptors per box (socket, libmosquitto's socket pair, outbox file): 240 boxes
        // stay below select()'s 1024 with room for the process's own.
        if !(1...240).contains(boxesPerWorker) { fail("--boxes-per-worker \(boxesPerWorker): 1…240 (libmosquitto's select() stops at fd 1024)") }
        if !(1...16).contains(partitions) { fail("--partitions \(partitions): 1…16") }
        if boxes < 1 || durationS <= 0 || sourcesPerMinute <= 0 || clockErrorMs < 0 || spacingM <= 0 || statusIntervalS <= 0 || workers < 1 {
            fail("bad value\n\(Self.usage)")
        }
    }

    /// The city's arguments, as a worker is given them.
    var cityArguments: [String] {
        ["--boxes", String(boxes), "--duration-s", String(durationS), "--sources-per-min", String(sourcesPerMinute),
         "--clock-error-ms", String(clockErrorMs), "--spacing-m", String(spacingM), "--status-interval-s", String(statusIntervalS),
         "--seed", String(seed), "--boxes-per-worker", String(boxesPerWorker)]
    }
}

func fail(_ text: String) -> Never {
    FileHandle.standardError.write(Data("earshot-fleet: \(text)\n".utf8))
    exit(2)
}

func note(_ text: String) { FileHandle.standardError.write(Data("earshot-fleet: \(text)\n".utf8)) }

/// One line on stdout at once (unbuffered: the parent waits for it).
func say(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }

func nowNs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1e9) }

// MARK: the city (the same in every process: derived from the seed alone)

struct Source { var x: Double; var y: Double; var emitOffsetNs: Int64; var heard: [Int] }
/// One box event, due `dueOffsetNs` after the start (onset + 50 ms of detection).
struct Due { var dueOffsetNs: Int64; var source: Int; var box: Int; var onsetOffsetNs: Int64 }

struct City {
    /// The sound's flight time from `src` to `box` at 343 m/s, ns (no clock error).
    static func flightNs(_ src: Source, to box: RegisteredBox) -> Double {
        hypot(box.x - src.x, box.y - src.y) / 343 * 1e9
    }

    var boxes: [RegisteredBox] = []
    var clockErrorNs: [Int64] = []
    var sources: [Source] = []
    var schedule: [Due] = []

    /// Boxes on a square grid, each hearing 2.5 spacings away with its own clock error;
    /// sources at Poisson times and uniform places, each heard by every box within range.
    init(_ o: Options) {
        var rng = SplitMix64(state: o.seed)
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        let side = Int(Double(o.boxes).squareRoot().rounded(.up))
        for i in 0..<o.boxes {
            boxes.append(RegisteredBox(id: "b\(i)", x: Double(i % side) * o.spacingM, y: Double(i / side) * o.spacingM,
                                       hearingRangeM: 2.5 * o.spacingM))
            clockErrorNs.append(Int64((uniform() * 2 - 1) * o.clockErrorMs * 1e6))
        }
        let extentX = Double(side - 1) * o.spacingM, extentY = Double((o.boxes - 1) / side) * o.spacingM
        var t = 0.0
        while true {
            t += -log(max(uniform(), 1e-12)) * 60 / o.sourcesPerMinute
            if t >= o.durationS { break }
            let x = uniform() * extentX, y = uniform() * extentY
            let heard = boxes.indices.filter { hypot(boxes[$0].x - x, boxes[$0].y - y) <= boxes[$0].hearingRangeM }
            sources.append(Source(x: x, y: y, emitOffsetNs: Int64(t * 1e9), heard: heard))
        }
        for (s, src) in sources.enumerated() {
            for b in src.heard {
                let onset = src.emitOffsetNs + Int64(City.flightNs(src, to: boxes[b])) + clockErrorNs[b]
                schedule.append(Due(dueOffsetNs: onset + 50_000_000, source: s, box: b, onsetOffsetNs: onset))
            }
        }
        schedule.sort { ($0.dueOffsetNs, $0.box) < ($1.dueOffsetNs, $1.box) }
    }

    /// The boxes worker `w` of `k` runs (interleaved, so each worker has a share of every street).
    func boxes(ofWorker w: Int, of k: Int) -> [Int] { boxes.indices.filter { $0 % k == w } }
}

let o = Options(Array(CommandLine.arguments.dropFirst()))
let city = City(o)

// MARK: worker: a slice of the boxes

/// What a worker hands back per event: id, source, hand-over and broker-acknowledgement times.
struct SentEvent { var id: String; var source: Int; var handoverNs: Int64; var ackNs: Int64 }

final class Acks: @unchecked Sendable {
    let lock = NSLock()
    var at: [Int: [UInt64: Int64]] = [:]   // box → outbox record id → PUBACK time
}

func runWorker(_ w: Int) throws -> Never {
    let mine = city.boxes(ofWorker: w, of: o.workers)
    let acks = Acks()
    var publishers: [Int: MQTTPublisher] = [:]
    for b in mine {
        let id = city.boxes[b].id
        try FileManager.default.createDirectory(atPath: o.dir + "/outbox/" + id, withIntermediateDirectories: true)
        var c = MQTTConfiguration(site: "city", sensor: id, outboxDirectory: o.dir + "/outbox/" + id)
        c.port = o.port
        c.keepAliveSeconds = 30
        c.reconnect = ReconnectPolicy(initialDelayMs: 200, maxDelayMs: 2000, multiplier: 2, jitter: 0.3)
        let p = try MQTTPublisher(configuration: c, warn: { _ in })
        p.onAcknowledged = { ack in
            let t = nowNs()
            acks.lock.withLock { acks.at[b, default: [:]][ack.recordID] = t }
        }
        try p.start()
        publishers[b] = p
    }
    let connected = waitUntil(timeout: 120) { publishers.values.allSatisfy { $0.state == .connected } }
    let status = StatusMessage(mode: "events", softwareVersion: "fleet", clock: ClockSync(synchronised: true,
                               estimatedErrorMicroseconds: Int64(o.clockErrorMs * 1000)))
    for p in publishers.values { p.update(status: status) }
    let up = publishers.values.filter { $0.state == .connected }.count
    say("worker \(w) ready: \(up)/\(mine.count) boxes connected\(connected ? "" : " (timed out)")")

    // The parent writes the start time once every worker is ready.
    var start: Int64 = 0
    let parent = getppid()
    while start == 0 {
        if let s = try? String(contentsOfFile: o.dir + "/start", encoding: .utf8), let v = Int64(s) { start = v; break }
        if getppid() != parent { exit(1) }
        usleep(10_000)
    }
    var sent: [(box: Int, recordID: UInt64, event: SentEvent)] = []
    var nextStatus = start + Int64(o.statusIntervalS * 1e9)
    for item in city.schedule where item.box % o.workers == w {
        let due = start + item.dueOffsetNs
        while nowNs() < due { usleep(UInt32(min(max((due - nowNs()) / 1000, 100), 20_000))) }
        if nowNs() >= nextStatus { for p in publishers.values { p.update(status: status) }; nextStatus += Int64(o.statusIntervalS * 1e9) }
        let e = EventMessage(eventClass: "gunshot", onset: UTCTimestamp(nanosecondsSinceEpoch: start + item.onsetOffsetNs),
                             clock: ClockSync(synchronised: true, estimatedErrorMicroseconds: Int64(o.clockErrorMs * 1000)),
                             durationMs: 5, peakDBFS: -3, confidence: 0.9)
        guard let receipt = try? publishers[item.box]!.publish(event: e) else { continue }
        sent.append((item.box, receipt.recordID, SentEvent(id: receipt.eventID, source: item.source, handoverNs: nowNs(), ackNs: 0)))
    }
    // Drain: every outbox empty (≤ 60 s), then report and leave.
    _ = waitUntil(timeout: 60) { publishers.values.allSatisfy { $0.outboxStats.pendingEvents == 0 } }
    let ackTimes = acks.lock.withLock { acks.at }
    var text = ""
    for s in sent {
        let ack = ackTimes[s.box]?[s.recordID] ?? 0
        text += "\(s.event.id)\t\(s.event.source)\t\(s.event.handoverNs)\t\(ack)\n"
    }
    let file = o.dir + "/worker-\(w).tsv"
    try text.write(toFile: file + ".tmp", atomically: false, encoding: .utf8)
    rename(file + ".tmp", file)
    say("worker \(w) done: \(sent.count) events")
    // Stay online (no clean "offline" status) until the parent has scored the run and taken its
    // screenshot, so the operator's page shows the boxes as they were while the city ran: the
    // parent writes `stop` in the run directory; bounded (≤ 600 s, or the parent gone).
    let holdUntil = nowNs() + 600_000_000_000
    while !FileManager.default.fileExists(atPath: o.dir + "/stop"), getppid() == parent, nowNs() < holdUntil { usleep(20_000) }
    for p in publishers.values { p.stop(flushTimeoutMs: 100) }
    say("worker \(w) stopped")
    exit(0)
}

if let w = o.worker { try runWorker(w) }

// MARK: parent: broker, centre, consumer, workers, broker kill, score

/// Incident messages as the consumer receives them.
final class Record: @unchecked Sendable {
    let lock = NSLock()
    var incidents: [String: (contributions: [String], x: Double, y: Double, state: String)] = [:]
    var arrivals: [(ns: Int64, ids: [String])] = [] // every incident message: receipt time, contributing events
}

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

// The centre, as deployed: its own process and config file (one per strip with --partitions;
// the first serves the operator's page).
var siteToml = "[site]\nid = \"city\"\n"
for b in city.boxes { siteToml += "[[box]]\nid = \"\(b.id)\"\nx_m = \(b.x)\ny_m = \(b.y)\nrange_m = \(b.hearingRangeM)\n" }
let httpPort = try freeLocalPort()
let selfPath = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
let centralPath = o.central ?? URL(fileURLWithPath: selfPath).deletingLastPathComponent().appendingPathComponent("earshot-central").path
var centrals: [ChildProcess] = []
for k in 0..<o.partitions {
    var toml = siteToml + "[mqtt]\nport = \(broker.port)\n\(o.shareGroup ? "share_group = \"central\"\n" : "")"
    if o.partitions > 1 { toml += "client_id = \"earshot-central-city-\(k)\"\n" }
    if let r = o.centralReconnect { toml += "reconnect_min_s = \(r.min)\nreconnect_max_s = \(r.max)\n" }
    toml += "[fusion]\nclose_after_s = 5\n"
    if o.screenshot != nil && k == 0 { toml += "[http]\nlisten = \"127.0.0.1:\(httpPort)\"\n" }
    if o.partitions > 1 { toml += "[partition]\nindex = \(k)\ncount = \(o.partitions)\n" }
    let file = dir + (o.partitions > 1 ? "/central-\(k).toml" : "/central.toml")
    try toml.write(toFile: file, atomically: true, encoding: .utf8)
    let c = try ChildProcess(centralPath, ["--config", file])
    guard c.waitForLine(timeout: 20, { $0.contains("connected to") }) else { fail("earshot-central \(k) did not connect: \(c.lines)") }
    if o.partitions > 1, let line = c.lines.first(where: { $0.contains("partition \(k) of") }) { note(line) }
    centrals.append(c)
}

// A consumer of the incidents (the fleet's own client), reconnecting as the centre does.
let record = Record()
var watchSettings = CentralMQTTSettings()
watchSettings.port = broker.port
watchSettings.sessionExpirySeconds = 600
if let r = o.centralReconnect { watchSettings.reconnectMinSeconds = r.min; watchSettings.reconnectMaxSeconds = r.max }
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

// The boxes, in worker processes of at most boxesPerWorker each.
let workerCount = (o.boxes + o.boxesPerWorker - 1) / o.boxesPerWorker
var workers: [ChildProcess] = []
for w in 0..<workerCount {
    workers.append(try ChildProcess(selfPath, o.cityArguments + ["--worker", String(w), "--workers", String(workerCount),
                                                                 "--port", String(broker.port), "--dir", dir]))
}
for (w, p) in workers.enumerated() {
    guard p.waitForLine(timeout: 180, { $0.hasPrefix("worker \(w) ready") }) else { fail("worker \(w) did not start: \(p.lines)") }
}
let readyLines = workers.flatMap { $0.lines.filter { $0.contains("ready") } }
if readyLines.contains(where: { $0.contains("timed out") }) { note(readyLines.joined(separator: "; ")) }
let start = nowNs() + 1_000_000_000
try String(start).write(toFile: dir + "/start.tmp", atomically: false, encoding: .utf8)
rename(dir + "/start.tmp", dir + "/start")

// The broker kill, on the parent's clock while the workers keep publishing into their outboxes.
if o.killBroker {
    let killAt = start + Int64(o.durationS / 2 * 1e9)
    while nowNs() < killAt { usleep(20_000) }
    broker.kill()
    usleep(1_000_000)
    try broker.restart()
}
for (w, p) in workers.enumerated() {
    guard p.waitForLine(timeout: o.durationS + 180, { $0.hasPrefix("worker \(w) done") }) else { fail("worker \(w) did not finish: \(p.lines.suffix(5))") }
}
var sentEvents: [SentEvent] = []
for w in 0..<workerCount {
    let text = (try? String(contentsOfFile: dir + "/worker-\(w).tsv", encoding: .utf8)) ?? ""
    for line in text.split(separator: "\n") {
        let f = line.split(separator: "\t")
        guard f.count == 4, let s = Int(f[1]), let h = Int64(f[2]), let a = Int64(f[3]) else { continue }
        sentEvents.append(SentEvent(id: String(f[0]), source: s, handoverNs: h, ackNs: a))
    }
}
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
let cpuPerInstance = centrals.map { cpuSeconds($0.pid) }
let cpu = cpuPerInstance.reduce(0, +)
/// Set when the operator's page, as the screenshot shows it, has no online box or no incident.
var pageCheckFailed = false
if let png = o.screenshot {
    let profile = dir + "/chromium"
    let path = png.hasPrefix("/") ? png : FileManager.default.currentDirectoryPath + "/" + png
    do {
        try runTool("/usr/bin/chromium", ["--headless", "--disable-gpu", "--no-sandbox", "--user-data-dir=\(profile)",
                                          "--window-size=1400,900", "--timeout=5000", "--screenshot=\(path)",
                                          "http://127.0.0.1:\(httpPort)/"], timeout: 90)
        note("operator page screenshot in \(path)")
    } catch { note("screenshot failed: \(error)"); pageCheckFailed = true }
    // The same page's DOM (drawn once, `?static`), while the boxes are still connected: the
    // screenshot must show online boxes and incidents (it showed every box offline when the
    // workers stopped their publishers before it was taken).
    do {
        let dom = try runTool("/usr/bin/chromium", ["--headless", "--disable-gpu", "--no-sandbox", "--user-data-dir=\(profile)",
                                                    "--window-size=1400,900", "--virtual-time-budget=5000", "--dump-dom",
                                                    "http://127.0.0.1:\(httpPort)/?static"], timeout: 90)
        func occurrences(_ s: String) -> Int { dom.components(separatedBy: s).count - 1 }
        let online = occurrences("class=\"box-online\""), listed = occurrences("\" id=\"inc-") // list entries (the script's text has none)
        note("operator page: \(online) of \(o.boxes) boxes online, \(listed) incidents listed")
        if online == 0 || listed == 0 { note("operator page check failed: no online box or no incident"); pageCheckFailed = true }
    } catch { note("page DOM dump failed: \(error)"); pageCheckFailed = true }
}
// The workers may now stop their boxes (each publishes its clean offline status).
try? "".write(toFile: dir + "/stop", atomically: true, encoding: .utf8)
for (w, p) in workers.enumerated() where !p.waitForLine(timeout: 30, { $0.hasPrefix("worker \(w) stopped") }) {
    note("worker \(w) did not stop within 30 s")
}
for c in centrals { kill(c.pid, SIGTERM) }
for c in centrals { _ = c.waitForLine(timeout: 10) { $0.contains("stopping") } }
let summaries = centrals.map { c in c.lines.first { $0.contains("stopping") } ?? "" }
let summary = summaries.joined(separator: "\n")
func count(_ label: String, in summary: String) -> Int {
    guard let r = summary.range(of: " \(label)") else { return -1 }
    let before = summary[..<r.lowerBound]
    return Int(before.split(separator: " ").last.map { $0.filter(\.isNumber) } ?? "") ?? -1
}
watcher.stop()
broker.stop()
if let keep = ProcessInfo.processInfo.environment["FLEET_KEEP_LOGS"] {
    try? FileManager.default.removeItem(atPath: keep + ".broker.log")
    try? FileManager.default.copyItem(atPath: broker.logPath, toPath: keep + ".broker.log")
    try? centrals.flatMap(\.lines).joined(separator: "\n").write(toFile: keep + ".central.log", atomically: true, encoding: .utf8)
}

// Score: each incident belongs to the source most of its events came from.
let (incidents, arrivals) = record.lock.withLock { (record.incidents, record.arrivals) }
var eventSource: [String: Int] = [:]
var lastHandover: [Int: Int64] = [:], lastAck: [Int: Int64] = [:], unacked = Set<Int>()
for e in sentEvents {
    eventSource[e.id] = e.source
    lastHandover[e.source] = max(lastHandover[e.source] ?? 0, e.handoverNs)
    if e.ackNs == 0 { unacked.insert(e.source) } else { lastAck[e.source] = max(lastAck[e.source] ?? 0, e.ackNs) }
}
// Latency, per source whose events all reached one incident message: to that message's
// receipt by the consumer from (a) the broker's acknowledgement of the source's last event
// (it had arrived: "after the last contributing event arrives"), (b) its hand-over to the
// box's publisher (adds the time a box spends reconnecting across the broker restart).
var latency: [Int: Double] = [:], latencyHandover: [Int: Double] = [:]
for a in arrivals {
    var votes: [Int: Int] = [:]
    for e in a.ids { if let s = eventSource[e] { votes[s, default: 0] += 1 } }
    for (s, n) in votes where n == city.sources[s].heard.count && latencyHandover[s] == nil {
        if let h = lastHandover[s] { latencyHandover[s] = Double(a.ns - h) / 1e6 }
        if let k = lastAck[s], !unacked.contains(s) { latency[s] = Double(a.ns - k) / 1e6 }
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
    if city.sources[s].heard.count >= 4 { errors.append(hypot(inc.x - city.sources[s].x, inc.y - city.sources[s].y)) }
}
func percentile(_ v: [Double], _ p: Double) -> Double {
    guard !v.isEmpty else { return .nan }
    let s = v.sorted()
    return s[min(Int((p * Double(s.count - 1)).rounded()), s.count - 1)]
}
// The slowest sources, for the log: where their time went.
for (s, l) in latencyHandover.sorted(by: { $0.value > $1.value }).prefix(3) {
    let ack = lastAck[s].map { Double($0 - (lastHandover[s] ?? $0)) / 1e6 } ?? .nan
    note(String(format: "slowest: source %d (%d boxes, emitted at +%.2f s): hand-over → broker ack %.0f ms, ack → incident %.0f ms, total %.0f ms",
                s, city.sources[s].heard.count, Double(city.sources[s].emitOffsetNs) / 1e9, ack, latency[s] ?? .nan, l))
}
// Sources whose events never sat together in one incident message: where they went.
for s in city.sources.indices where latencyHandover[s] == nil && city.sources[s].heard.count > 0 {
    let holders = incidents.map { (id: $0.key, n: $0.value.contributions.filter { eventSource[$0] == s }.count,
                                   total: $0.value.contributions.count) }.filter { $0.n > 0 }.sorted { $0.id < $1.id }
    note(String(format: "split: source %d (%d boxes, emitted at +%.3f s, at %.0f, %.0f m) in %d incident(s): %@", s, city.sources[s].heard.count,
                Double(city.sources[s].emitOffsetNs) / 1e9, city.sources[s].x, city.sources[s].y, holders.count,
                holders.map { "\($0.id.suffix(8)) \($0.n) of \($0.total)" }.joined(separator: ", ")))
    // The closest pair of arrivals of another source at a box that heard both: onsets that
    // close carry no timing to tell the two sounds apart at that box.
    var closest: (ms: Double, box: Int, other: Int)?
    for t in city.sources.indices where t != s {
        for b in city.sources[s].heard where city.sources[t].heard.contains(b) {
            func arrival(_ k: Int) -> Double {
                (Double(city.sources[k].emitOffsetNs) + City.flightNs(city.sources[k], to: city.boxes[b])) / 1e6
            }
            let ms = abs(arrival(s) - arrival(t))
            if closest == nil || ms < closest!.ms { closest = (ms, b, t) }
        }
    }
    if let c = closest {
        note(String(format: "split: source %d: at box %d it arrives %.1f ms from source %d's sound", s, c.box, c.ms, c.other))
    }
}
let lat = Array(latency.values), latH = Array(latencyHandover.values)
let lostIDs = eventSource.keys.filter { !contributed.contains($0) }.sorted()
let lost = lostIDs.count
for id in lostIDs.prefix(5) {
    let e = sentEvents.first { $0.id == id }!
    let holders = incidents.filter { inc in inc.value.contributions.contains { eventSource[$0] == e.source } }
    note(String(format: "in no incident: event %@ of source %d (hand-over +%.2f s, broker ack %@); the source's events are in %d incident(s): %@", id, e.source,
                Double(e.handoverNs - start) / 1e9, e.ackNs == 0 ? "none" : String(format: "+%.2f s", Double(e.ackNs - start) / 1e9),
                holders.count, holders.map { "\($0.key) (\($0.value.contributions.count) events)" }.sorted().joined(separator: ", ")))
}
if lost > 0 { note(summary) }
let receivedPerInstance = summaries.map { count("events", in: $0) }
let received = receivedPerInstance.reduce(0, +)
let f2 = { (x: Double) in String(format: "%.2f", x) }
print("fleet_boxes=\(o.boxes) events_sent=\(sentEvents.count) events_received=\(received) incidents_true=\(city.sources.count) incidents_found=\(found.count) incidents_published=\(incidents.count) localisation_median_m=\(f2(percentile(errors, 0.5))) localisation_p90_m=\(f2(percentile(errors, 0.9))) incident_latency_p50_ms=\(f2(percentile(lat, 0.5))) incident_latency_p99_ms=\(f2(percentile(lat, 0.99))) latency_samples=\(lat.count) handover_latency_p50_ms=\(f2(percentile(latH, 0.5))) handover_latency_p99_ms=\(f2(percentile(latH, 0.99))) central_cpu_s_per_event=\(String(format: "%.6f", cpu / Double(max(received, 1)))) lost=\(lost) broker_killed=\(o.killBroker ? 1 : 0) worker_processes=\(workerCount) sources_per_min=\(o.sourcesPerMinute) clock_error_ms=\(o.clockErrorMs) shared_subscription=\(o.shareGroup ? 1 : 0) central_instances=\(o.partitions) events_received_per_instance=\(receivedPerInstance.map(String.init).joined(separator: ",")) central_cpu_s_per_instance=\(cpuPerInstance.map { String(format: "%.2f", $0) }.joined(separator: ","))")
for c in centrals { c.kill() }
exit(pageCheckFailed ? 1 : 0)
