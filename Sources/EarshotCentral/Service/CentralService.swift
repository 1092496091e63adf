// earshot-central's service: box messages in, fused incidents out.
import EarshotPlatform
import EarshotText
import Glibc

/// Subscribes to every box's `event` and `status`, fuses events into incidents and publishes
/// them (`IncidentPayload`): retained while open, re-published when a late event moves them,
/// a retained `closed` message (expiring after `rememberClosedS`) when they end. Bad input is
/// logged with the box and field and never stops the service. State lives in memory across
/// reconnects, so a broker restart (and the boxes' outbox replays) gives no second incident.
/// With `[site] ptz = true` the nearest camera box is asked once per incident to turn toward it.
public final class CentralService: @unchecked Sendable {
    /// The configuration given at init.
    public let config: CentralConfig
    private let log: CentralLog
    private let now: @Sendable () -> Int64
    private let lock = RecursiveLock()
    private var engine: FusionEngine
    private var book = BoxBook()
    private var limiter = LogLimiter(intervalS: 10)
    private var counters = CentralCounters()
    private var unsent: [String: (payload: String, retain: Bool, expiry: Int)] = [:]
    /// Open incidents whose camera was already asked to turn (one cmd/ptz per incident).
    private var steered = Set<String>()
    /// cmd/ptz requests the broker could not take yet (sent after the next connect while fresh).
    private var unsentCommands: [(topic: String, payload: String, createdNs: Int64)] = []
    /// How long a cmd/ptz stays worth carrying out, s (its MQTT v5 message expiry, and the
    /// longest it waits here for a reconnect): a camera turned later shows an empty street.
    public static let ptzCommandExpiryS = 10
    /// How long an incident whose fix is only just determined waits for more boxes before its
    /// camera is turned anyway, s (sound crosses ~340 m of a city in that time).
    public static let ptzSettleS = 1.0
    /// `[partition]` applied to the registry (nil: this instance serves the whole site).
    public let partition: PartitionPlan?
    private var client: CentralMQTTClient?
    private var running = false
    private var tickerDone = true
    /// Called (under the service's lock) after every incident change; the operator page hooks here.
    public var onIncident: (@Sendable (Incident) -> Void)?

    /// Builds the service; `now` gives the centre's clock (ns since 1970, UTC).
    public init(config: CentralConfig, log: CentralLog = CentralLog(), now: @escaping @Sendable () -> Int64 = realtimeNs) {
        self.config = config; self.log = log; self.now = now
        partition = config.partitionPlan
        engine = FusionEngine(registry: config.registry, settings: config.fusion)
    }

    /// Client id: configured, else `earshot-central-{site}`.
    public var clientID: String { config.mqtt.clientID ?? "earshot-central-\(config.registry.site)" }

    /// Connects to the broker (retrying in the background) and starts the closing ticker.
    public func start() throws(CentralError) {
        let filters = config.mqtt.filters(site: config.registry.site, partition: partition)
        let c = try CentralMQTTClient(settings: config.mqtt, clientID: clientID, filters: filters, log: log,
                                      onConnect: { [unowned self] in self.resendAll() },
                                      onMessage: { [unowned self] topic, payload in self.handle(topic: topic, payload: payload) })
        lock.withLock { client = c; running = true; tickerDone = false }
        try c.start()
        try spawnThread(name: "central-tick") { [self] in
            while lock.withLock({ running }) {
                tick()
                usleep(100_000)
            }
            lock.withLock { tickerDone = true }
        }
        log.info("site \(config.registry.site): \(config.registry.boxes.count) boxes; broker \(config.mqtt.host):\(config.mqtt.port)\(partition.map { "; " + $0.summary } ?? "")")
    }

    /// Stops the ticker and disconnects (open incidents stay retained on the broker).
    public func stop() {
        lock.withLock { running = false }
        let deadline = monotonicNs() + 2_000_000_000
        while !lock.withLock({ tickerDone }) && monotonicNs() < deadline { usleep(5_000) }
        let c = lock.withLock { () -> CentralMQTTClient? in defer { client = nil }; return client }
        c?.stop()
    }

    /// Whether the broker connection is up.
    public var isConnected: Bool { lock.withLock { client?.isConnected ?? false } }
    /// Counts since start.
    public var stats: CentralCounters { lock.withLock { counters } }
    /// Open incidents, oldest first.
    public var openIncidents: [Incident] { lock.withLock { engine.openIncidents } }
    /// Closed incidents still remembered, oldest first.
    public var closedIncidents: [Incident] { lock.withLock { engine.closedIncidents } }
    /// Box states by id.
    public var boxStates: [String: BoxState] { lock.withLock { book.states } }
    /// Unregistered ids seen publishing.
    public var unknownBoxes: [String] { lock.withLock { book.unknownBoxes } }

    // MARK: input

    /// Handles one message of a subscribed topic (public so tests can drive it without a broker).
    public func handle(topic: String, payload: [UInt8]) {
        let t = now()
        lock.withLock {
            guard let bt = BoxTopic(topic, prefix: config.mqtt.topicPrefix), bt.site == config.registry.site else {
                warn("topic", "?", "topic", "\(topic) is not \(config.mqtt.topicPrefix)/\(config.registry.site)/{sensor}/{event|status}", t)
                return
            }
            let isEvent = bt.kind == "event"
            if isEvent { counters.eventsReceived += 1 } else if bt.kind == "status" { counters.statusesReceived += 1 }
            let registered = config.registry.box(bt.sensor) != nil
            if book.saw(bt.sensor, registered: registered, nowNs: t, isEvent: isEvent) {
                log.warning("box \(bt.sensor): field sensor: unknown box id publishing on \(topic): not in the registry, not trusted (reported once)")
            }
            guard registered else { counters.fromUnknownBoxes += 1; return }
            if let partition, !partition.listens(to: bt.sensor) { counters.outsidePartition += 1; return }
            switch bt.kind {
            case "event": handleEvent(payload, topic: bt, nowNs: t)
            case "status":
                if let issue = book.apply(status: payload, box: bt.sensor) {
                    counters.malformed += 1
                    warn("status", issue.box, issue.field, issue.message, t)
                }
            default:
                warn("topic", bt.sensor, "topic", "unexpected topic \(topic)", t)
            }
        }
    }

    private func handleEvent(_ payload: [UInt8], topic: BoxTopic, nowNs t: Int64) {
        let event: FusionEvent
        switch EventPayloadDecoder.decode(payload, site: topic.site, sensor: topic.sensor) {
        case .failure(let issue):
            counters.malformed += 1
            warn("event", issue.box, issue.field, "malformed event: \(issue.message)", t)
            return
        case .success(let e): event = e
        }
        let outcome = engine.ingest(event, receivedNs: t)
        counters.incidentsOpened = engine.incidentsOpened
        for inc in engine.takeMergedIncidents() {
            counters.incidentsClosed += 1
            log.info("incident \(inc.id) merged into \(inc.mergedInto ?? "?")")
            publish(inc)
            // The camera turned for a fragment has turned for the incident it joined.
            if steered.remove(inc.id) != nil, let into = inc.mergedInto { steered.insert(into) }
        }
        for inc in engine.takeChangedIncidents() {
            if inc.revision == 1 { log.info("incident \(inc.id) opened: \(inc.soundClass) heard by \(inc.boxIDs.joined(separator: ","))") }
            publish(inc)
            steerCamera(toward: inc, nowNs: t)
        }
        switch outcome {
        case .opened, .updated:
            counters.fused += 1
        case .duplicate:
            counters.duplicates += 1
        case .absorbed:
            counters.absorbed += 1
        case .notFused:
            break
        case .rejected(let issue):
            counters.rejected += 1
            warn("event", issue.box, issue.field, "event \(event.id) not fused: \(issue.message)", t)
        }
    }

    private func warn(_ kind: String, _ box: String, _ field: String, _ message: String, _ t: Int64) {
        guard let dropped = limiter.admit("\(kind)|\(box)|\(field)", nowNs: t) else { return }
        let extra = dropped > 0 ? " (\(dropped) similar lines suppressed)" : ""
        log.warning("box \(box): field \(field): \(message)\(extra)")
    }

    // MARK: output

    /// Closes quiet incidents and publishes their closing messages (called every 100 ms).
    public func tick() {
        let t = now()
        lock.withLock {
            for inc in engine.closeQuiet(nowNs: t) {
                counters.incidentsClosed += 1
                log.info("incident \(inc.id) closed: \(inc.soundClass) at (\(Int(inc.location.position.x.rounded())), \(Int(inc.location.position.y.rounded()))) m by \(inc.location.method.rawValue), \(inc.boxIDs.count) boxes")
                publish(inc)
                steered.remove(inc.id)
            }
            if config.registry.ptzEnabled {
                for inc in engine.openIncidents where !steered.contains(inc.id) { steerCamera(toward: inc, nowNs: t) }
            }
        }
    }

    /// Whether `inc` is this instance's to publish: the box whose event opened it stands in this
    /// instance's strip (`SitePartition`: every instance that fuses it decides the same, for its life).
    private func isOwn(_ inc: Incident) -> Bool {
        guard let partition else { return true }
        return config.registry.box(inc.openerBox).map { partition.owns($0.position) } ?? false
    }

    private func publish(_ inc: Incident) {
        guard isOwn(inc) else { counters.incidentsElsewhere += 1; return }
        onIncident?(inc)
        let topic = IncidentPayload.topic(prefix: config.mqtt.topicPrefix, incident: inc)
        let payload = IncidentPayload.encode(inc)
        let expiry = inc.state == .closed ? max(Int(config.fusion.rememberClosedS), 1) : 0
        send(topic, payload, retain: true, expiry: expiry)
    }

    /// With `[site] ptz = true`: asks the nearest eligible camera box (`PTZAim.choose`) to turn
    /// toward an open incident, once, as soon as its position is trustworthy: a fix over-determined
    /// by ≥ 3 constraints (4 timed boxes, or 3 and a bearing, …; an exactly determined 3-box TDOA
    /// fix can be the mirror solution), or any TDOA/bearings fix `ptzSettleS` after the incident
    /// opened (the ticker checks). Later revisions never send again; without an eligible camera
    /// the next revision or tick retries.
    private func steerCamera(toward inc: Incident, nowNs: Int64) {
        let loc = inc.location
        guard config.registry.ptzEnabled, inc.state == .open, !steered.contains(inc.id), isOwn(inc),
              loc.method == .tdoa || loc.method == .bearings else { return }
        let constraints = max(loc.timedBoxes - 1, 0) + loc.bearingBoxes
        guard constraints >= 3 || nowNs &- inc.openedNs >= Int64(Self.ptzSettleS * 1e9) else { return }
        guard let aim = PTZAim.choose(toward: inc.location.position, registry: config.registry, states: book.states) else {
            if let dropped = limiter.admit("ptz|none", nowNs: nowNs) {
                log.info("incident \(inc.id): no camera to turn (no camera box with presets within its range_m of (\(Int(inc.location.position.x.rounded())), \(Int(inc.location.position.y.rounded()))) m, online and in mode events+ptz)\(dropped > 0 ? " (\(dropped) similar lines suppressed)" : "")")
            }
            return
        }
        steered.insert(inc.id)
        counters.ptzCommands += 1
        let topic = PTZCommandPayload.topic(prefix: config.mqtt.topicPrefix, site: config.registry.site, box: aim.box)
        let payload = config.mqtt.commandKey.map { PTZCommandPayload.signed(topic: topic, incidentID: inc.id, aim: aim, key: $0) }
            ?? PTZCommandPayload.make(incidentID: inc.id, aim: aim)
        log.info("incident \(inc.id): cmd/ptz to box \(aim.box): sector \(aim.sector) (preset \(aim.sector + 1)), bearing \(Int(aim.bearingDeg.rounded()))°, \(Int(aim.distanceM.rounded())) m\(config.mqtt.commandKey == nil ? " (unsigned: no [mqtt] command_key_file; boxes refuse it unless their site allows unsigned commands)" : ", signed")")
        if client?.publish(topic: topic, payload: payload, retain: false, expirySeconds: Self.ptzCommandExpiryS) != true {
            unsentCommands.removeAll { $0.createdNs < nowNs - Int64(Self.ptzCommandExpiryS) * 1_000_000_000 }
            unsentCommands.append((topic, payload, nowNs))
        }
    }

    private func send(_ topic: String, _ payload: String, retain: Bool, expiry: Int) {
        if client?.publish(topic: topic, payload: payload, retain: retain, expirySeconds: expiry) == true {
            counters.incidentMessages += 1
            unsent[topic] = nil
        } else {
            unsent[topic] = (payload, retain, expiry)
        }
    }

    /// After each (re)connect: messages that could not be sent, and every open incident
    /// again (retained, same id and revision: idempotent for consumers).
    private func resendAll() {
        lock.withLock {
            let pending = unsent
            let fresh = now() - Int64(Self.ptzCommandExpiryS) * 1_000_000_000
            let commands = unsentCommands
            unsentCommands = []
            for c in commands where c.createdNs >= fresh
                && client?.publish(topic: c.topic, payload: c.payload, retain: false, expirySeconds: Self.ptzCommandExpiryS) != true {
                unsentCommands.append(c)
            }
            for (topic, m) in pending.sorted(by: { $0.key < $1.key }) { send(topic, m.payload, retain: m.retain, expiry: m.expiry) }
            for inc in engine.openIncidents where pending[IncidentPayload.topic(prefix: config.mqtt.topicPrefix, incident: inc)] == nil {
                publish(inc)
            }
        }
    }
}
