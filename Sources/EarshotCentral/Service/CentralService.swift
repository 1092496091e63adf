// earshot-central's service: box messages in, fused incidents out.
import EarshotPlatform
import EarshotText
import Glibc
import Synchronization

/// Subscribes to every box's `event` and `status`, fuses events into incidents and publishes
/// them (`IncidentPayload`): retained while open, re-published when a late event moves them,
/// a retained `closed` message (expiring after `rememberClosedS`) when they end. Bad input is
/// logged with the box and field and never stops the service. State lives in memory across
/// reconnects, so a broker restart (and the boxes' outbox replays) gives no second incident.
/// With `[site] ptz = true` the nearest camera box is asked once per incident to turn toward it.
public final class CentralService: Sendable {
    /// The configuration given at init.
    public let config: CentralConfig
    private let log: CentralLog
    private let now: @Sendable () -> Int64
    /// Everything that changes, behind one lock: the fusion engine and what goes with it.
    private struct State {
        var engine: FusionEngine
        var book = BoxBook()
        var limiter = LogLimiter(intervalS: 10)
        var counters = CentralCounters()
        var unsent: [String: (payload: String, retain: Bool, expiry: Int)] = [:]
        /// Open incidents whose camera was already asked to turn (one cmd/ptz per incident).
        var steered = Set<String>()
        /// cmd/ptz requests the broker could not take yet (sent after the next connect while fresh).
        var unsentCommands: [(topic: String, payload: String, createdNs: Int64)] = []
        var client: CentralMQTTClient?
        var running = false
        var tickerDone = true
        var onIncident: (@Sendable (Incident) -> Void)?
    }
    private let state: Mutex<State>
    /// How long a cmd/ptz stays worth carrying out, s (its MQTT v5 message expiry, and the
    /// longest it waits here for a reconnect): a camera turned later shows an empty street.
    public static let ptzCommandExpiryS = 10
    /// How long an incident whose fix is only just determined waits for more boxes before its
    /// camera is turned anyway, s (sound crosses ~340 m of a city in that time).
    public static let ptzSettleS = 1.0
    /// `[partition]` applied to the registry (nil: this instance serves the whole site).
    public let partition: PartitionPlan?
    /// Called (under the service's lock: it must not call back into the service) after every
    /// incident change; the operator page hooks here.
    public var onIncident: (@Sendable (Incident) -> Void)? {
        get { state.withLock { $0.onIncident } }
        set { state.withLock { $0.onIncident = newValue } }
    }

    /// Builds the service; `now` gives the centre's clock (ns since 1970, UTC).
    public init(config: CentralConfig, log: CentralLog = CentralLog(), now: @escaping @Sendable () -> Int64 = realtimeNs) {
        self.config = config; self.log = log; self.now = now
        partition = config.partitionPlan
        state = Mutex(State(engine: FusionEngine(registry: config.registry, settings: config.fusion)))
    }

    /// Client id: configured, else `earshot-central-{site}`.
    public var clientID: String { config.mqtt.clientID ?? "earshot-central-\(config.registry.site)" }

    /// Connects to the broker (retrying in the background) and starts the closing ticker.
    public func start() throws(CentralError) {
        let filters = config.mqtt.filters(site: config.registry.site, partition: partition)
        let c = try CentralMQTTClient(settings: config.mqtt, clientID: clientID, filters: filters, log: log,
                                      onConnect: { [unowned self] in self.resendAll() },
                                      onMessage: { [unowned self] topic, payload in self.handle(topic: topic, payload: payload) })
        state.withLock { $0.client = c; $0.running = true; $0.tickerDone = false }
        try c.start()
        try spawnThread(name: "central-tick") { [self] in
            while state.withLock({ $0.running }) {
                tick()
                usleep(100_000)
            }
            state.withLock { $0.tickerDone = true }
        }
        log.info("site \(config.registry.site): \(config.registry.boxes.count) boxes; broker \(config.mqtt.host):\(config.mqtt.port)\(partition.map { "; " + $0.summary } ?? "")")
    }

    /// Stops the ticker and disconnects (open incidents stay retained on the broker).
    public func stop() {
        state.withLock { $0.running = false }
        let deadline = monotonicNs() + 2_000_000_000
        while !state.withLock({ $0.tickerDone }) && monotonicNs() < deadline { usleep(5_000) }
        let c = state.withLock { s -> CentralMQTTClient? in defer { s.client = nil }; return s.client }
        c?.stop()
    }

    /// Whether the broker connection is up.
    public var isConnected: Bool { state.withLock { $0.client }?.isConnected ?? false }
    /// Counts since start.
    public var stats: CentralCounters { state.withLock { $0.counters } }
    /// Open incidents, oldest first.
    public var openIncidents: [Incident] { state.withLock { $0.engine.openIncidents } }
    /// Closed incidents still remembered, oldest first.
    public var closedIncidents: [Incident] { state.withLock { $0.engine.closedIncidents } }
    /// Box states by id.
    public var boxStates: [String: BoxState] { state.withLock { $0.book.states } }
    /// Unregistered ids seen publishing.
    public var unknownBoxes: [String] { state.withLock { $0.book.unknownBoxes } }

    // MARK: input

    /// Handles one message of a subscribed topic (public so tests can drive it without a broker).
    public func handle(topic: String, payload: [UInt8]) {
        let t = now()
        state.withLock { s in
            guard let bt = BoxTopic(topic, prefix: config.mqtt.topicPrefix), bt.site == config.registry.site else {
                warn(&s, "topic", "?", "topic", "\(topic) is not \(config.mqtt.topicPrefix)/\(config.registry.site)/{sensor}/{event|status}", t)
                return
            }
            let isEvent = bt.kind == "event"
            if isEvent { s.counters.eventsReceived += 1 } else if bt.kind == "status" { s.counters.statusesReceived += 1 }
            let registered = config.registry.box(bt.sensor) != nil
            if s.book.saw(bt.sensor, registered: registered, nowNs: t, isEvent: isEvent) {
                log.warning("box \(bt.sensor): field sensor: unknown box id publishing on \(topic): not in the registry, not trusted (reported once)")
            }
            guard registered else { s.counters.fromUnknownBoxes += 1; return }
            if let partition, !partition.listens(to: bt.sensor) { s.counters.outsidePartition += 1; return }
            switch bt.kind {
            case "event": handleEvent(&s, payload, topic: bt, nowNs: t)
            case "status":
                if let issue = s.book.apply(status: payload, box: bt.sensor) {
                    s.counters.malformed += 1
                    warn(&s, "status", issue.box, issue.field, issue.message, t)
                }
            default:
                warn(&s, "topic", bt.sensor, "topic", "unexpected topic \(topic)", t)
            }
        }
    }

    private func handleEvent(_ s: inout State, _ payload: [UInt8], topic: BoxTopic, nowNs t: Int64) {
        let event: FusionEvent
        switch EventPayloadDecoder.decode(payload, site: topic.site, sensor: topic.sensor) {
        case .failure(let issue):
            s.counters.malformed += 1
            warn(&s, "event", issue.box, issue.field, "malformed event: \(issue.message)", t)
            return
        case .success(let e): event = e
        }
        let outcome = s.engine.ingest(event, receivedNs: t)
        s.counters.incidentsOpened = s.engine.incidentsOpened
        for inc in s.engine.takeMergedIncidents() {
            s.counters.incidentsClosed += 1
            log.info("incident \(inc.id) merged into \(inc.mergedInto ?? "?")")
            publish(&s, inc)
            // The camera turned for a fragment has turned for the incident it joined.
            if s.steered.remove(inc.id) != nil, let into = inc.mergedInto { s.steered.insert(into) }
        }
        for inc in s.engine.takeChangedIncidents() {
            if inc.revision == 1 { log.info("incident \(inc.id) opened: \(inc.soundClass) heard by \(inc.boxIDs.joined(separator: ","))") }
            publish(&s, inc)
            steerCamera(&s, toward: inc, nowNs: t)
        }
        switch outcome {
        case .opened, .updated:
            s.counters.fused += 1
        case .duplicate:
            s.counters.duplicates += 1
        case .absorbed:
            s.counters.absorbed += 1
        case .notFused:
            break
        case .rejected(let issue):
            s.counters.rejected += 1
            warn(&s, "event", issue.box, issue.field, "event \(event.id) not fused: \(issue.message)", t)
        }
    }

    private func warn(_ s: inout State, _ kind: String, _ box: String, _ field: String, _ message: String, _ t: Int64) {
        guard let dropped = s.limiter.admit("\(kind)|\(box)|\(field)", nowNs: t) else { return }
        let extra = dropped > 0 ? " (\(dropped) similar lines suppressed)" : ""
        log.warning("box \(box): field \(field): \(message)\(extra)")
    }

    // MARK: output

    /// Closes quiet incidents and publishes their closing messages (called every 100 ms).
    public func tick() {
        let t = now()
        state.withLock { s in
            for inc in s.engine.closeQuiet(nowNs: t) {
                s.counters.incidentsClosed += 1
                log.info("incident \(inc.id) closed: \(inc.soundClass) at (\(Int(inc.location.position.x.rounded())), \(Int(inc.location.position.y.rounded()))) m by \(inc.location.method.rawValue), \(inc.boxIDs.count) boxes")
                publish(&s, inc)
                s.steered.remove(inc.id)
            }
            if config.registry.ptzEnabled {
                for inc in s.engine.openIncidents where !s.steered.contains(inc.id) { steerCamera(&s, toward: inc, nowNs: t) }
            }
        }
    }

    /// Whether `inc` is this instance's to publish: the box whose event opened it stands in this
    /// instance's strip (`SitePartition`: every instance that fuses it decides the same, for its life).
    private func isOwn(_ inc: Incident) -> Bool {
        guard let partition else { return true }
        return config.registry.box(inc.openerBox).map { partition.owns($0.position) } ?? false
    }

    private func publish(_ s: inout State, _ inc: Incident) {
        guard isOwn(inc) else { s.counters.incidentsElsewhere += 1; return }
        s.onIncident?(inc)
        let topic = IncidentPayload.topic(prefix: config.mqtt.topicPrefix, incident: inc)
        let payload = IncidentPayload.encode(inc)
        let expiry = inc.state == .closed ? max(Int(config.fusion.rememberClosedS), 1) : 0
        send(&s, topic, payload, retain: true, expiry: expiry)
    }

    /// With `[site] ptz = true`: asks the nearest eligible camera box (`PTZAim.choose`) to turn
    /// toward an open incident, once, as soon as its position is trustworthy: a fix over-determined
    /// by ≥ 3 constraints (4 timed boxes, or 3 and a bearing, …; an exactly determined 3-box TDOA
    /// fix can be the mirror solution), or any TDOA/bearings fix `ptzSettleS` after the incident
    /// opened (the ticker checks). Later revisions never send again; without an eligible camera
    /// the next revision or tick retries.
    private func steerCamera(_ s: inout State, toward inc: Incident, nowNs: Int64) {
        let loc = inc.location
        guard config.registry.ptzEnabled, inc.state == .open, !s.steered.contains(inc.id), isOwn(inc),
              loc.method == .tdoa || loc.method == .bearings else { return }
        let constraints = max(loc.timedBoxes - 1, 0) + loc.bearingBoxes
        guard constraints >= 3 || nowNs &- inc.openedNs >= Int64(Self.ptzSettleS * 1e9) else { return }
        guard let aim = PTZAim.choose(toward: inc.location.position, registry: config.registry, states: s.book.states) else {
            if let dropped = s.limiter.admit("ptz|none", nowNs: nowNs) {
                log.info("incident \(inc.id): no camera to turn (no camera box with presets within its range_m of (\(Int(inc.location.position.x.rounded())), \(Int(inc.location.position.y.rounded()))) m, online and in mode events+ptz)\(dropped > 0 ? " (\(dropped) similar lines suppressed)" : "")")
            }
            return
        }
        s.steered.insert(inc.id)
        s.counters.ptzCommands += 1
        let topic = PTZCommandPayload.topic(prefix: config.mqtt.topicPrefix, site: config.registry.site, box: aim.box)
        let payload = config.mqtt.commandKey.map { PTZCommandPayload.signed(topic: topic, incidentID: inc.id, aim: aim, key: $0) }
            ?? PTZCommandPayload.make(incidentID: inc.id, aim: aim)
        log.info("incident \(inc.id): cmd/ptz to box \(aim.box): sector \(aim.sector) (preset \(aim.sector + 1)), bearing \(Int(aim.bearingDeg.rounded()))°, \(Int(aim.distanceM.rounded())) m\(config.mqtt.commandKey == nil ? " (unsigned: no [mqtt] command_key_file; boxes refuse it unless their site allows unsigned commands)" : ", signed")")
        if s.client?.publish(topic: topic, payload: payload, retain: false, expirySeconds: Self.ptzCommandExpiryS) != true {
            s.unsentCommands.removeAll { $0.createdNs < nowNs - Int64(Self.ptzCommandExpiryS) * 1_000_000_000 }
            s.unsentCommands.append((topic, payload, nowNs))
        }
    }

    private func send(_ s: inout State, _ topic: String, _ payload: String, retain: Bool, expiry: Int) {
        if s.client?.publish(topic: topic, payload: payload, retain: retain, expirySeconds: expiry) == true {
            s.counters.incidentMessages += 1
            s.unsent[topic] = nil
        } else {
            s.unsent[topic] = (payload, retain, expiry)
        }
    }

    /// After each (re)connect: messages that could not be sent, and every open incident
    /// again (retained, same id and revision: idempotent for consumers).
    private func resendAll() {
        let fresh = now() - Int64(Self.ptzCommandExpiryS) * 1_000_000_000
        state.withLock { s in
            let pending = s.unsent
            let commands = s.unsentCommands
            s.unsentCommands = []
            for c in commands where c.createdNs >= fresh
                && s.client?.publish(topic: c.topic, payload: c.payload, retain: false, expirySeconds: Self.ptzCommandExpiryS) != true {
                s.unsentCommands.append(c)
            }
            for (topic, m) in pending.sorted(by: { $0.key < $1.key }) { send(&s, topic, m.payload, retain: m.retain, expiry: m.expiry) }
            for inc in s.engine.openIncidents where pending[IncidentPayload.topic(prefix: config.mqtt.topicPrefix, incident: inc)] == nil {
                publish(&s, inc)
            }
        }
    }
}
