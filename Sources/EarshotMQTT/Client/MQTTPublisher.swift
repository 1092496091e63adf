// The agent's MQTT side: outbox-backed publishing of events and telemetry, the
// retained status with its last will, remote commands, reconnect with backoff.
// No Foundation: threads are pthreads, warnings go to stderr with write(2).
import EarshotText
import EarshotPlatform
import Glibc

/// Connection state, observable through `MQTTPublisher.state` and `onStateChange`.
public enum MQTTConnectionState: Sendable, Equatable {
    /// `start()` not called yet, or `stop()` finished.
    case stopped
    /// Opening TCP/TLS and waiting for CONNACK.
    case connecting
    /// CONNACK accepted; publishing.
    case connected
    /// Last attempt failed (`MQTTPublisher.lastError`); next attempt in `retryInMs` ms.
    case waitingToReconnect(retryInMs: Int)
}

/// What `publish(event:)` assigned to the event.
public struct PublishReceipt: Sendable, Equatable {
    /// Unique event id `{sensor}-{boot_id}-{seq}` (consumers deduplicate on it).
    public var eventID: String
    /// Per-boot event sequence number (1, 2, …).
    public var sequence: UInt64
    /// Outbox record id (matches `onAcknowledged`).
    public var recordID: UInt64
}

/// What `store(event:)` assigned to the event: no String, so storing allocates nothing.
/// The id is `eventID(sequence:)` = `{sensor}-{boot_id}-{sequence}`.
public struct StoredEvent: Sendable, Equatable {
    /// Per-boot event sequence number (1, 2, …).
    public var sequence: UInt64
    /// Outbox record id (matches `onAcknowledged`).
    public var recordID: UInt64
}

/// A record settled by the broker, reported to `MQTTPublisher.onAcknowledged`.
public struct Acknowledgement: Sendable, Equatable {
    /// Outbox record id.
    public var recordID: UInt64
    /// Event or telemetry.
    public var kind: OutboxRecordKind
    /// Event (or telemetry) sequence number of this boot; 0 for records replayed from a previous run.
    public var sequence: UInt64
}

/// Publishes Earshot's MQTT contract through libmosquitto with a persistent outbox.
///
/// Threads: one network thread (started by `start()`) connects, reconnects with
/// exponential backoff and jitter, runs libmosquitto's I/O and settles outbox
/// records on PUBACK. Callers of `publish(event:)`/`publish(telemetry:)` write
/// the record to the outbox (write + fdatasync on the caller's thread, see the
/// report for timings) and hand it to libmosquitto without waiting for the network.
/// Command handlers run on the network thread.
public final class MQTTPublisher: @unchecked Sendable {
    /// The configuration given at init.
    public let configuration: MQTTConfiguration
    /// Topic names.
    public let topics: MQTTTopics
    /// Random id of this process run (16 hex digits), part of every event id.
    public let bootID: String

    /// Called on the network thread whenever `state` changes.
    public var onStateChange: (@Sendable (MQTTConnectionState, MQTTError?) -> Void)? {
        get { lock.withLock { stateObserver } }
        set { lock.withLock { stateObserver = newValue } }
    }
    /// Called on the network thread when a record is settled by the broker (PUBACK for
    /// QoS 1, written to the socket for QoS 0).
    public var onAcknowledged: (@Sendable (Acknowledgement) -> Void)? {
        get { lock.withLock { ackObserver } }
        set { lock.withLock { ackObserver = newValue } }
    }

    private let lock = RecursiveLock()
    private let outbox: Outbox
    private var session: MosquittoSession?
    private var stopping = false
    /// Message id of the clean "offline" status published by `stop()`, and
    /// whether the broker has acknowledged it (so DISCONNECT may follow).
    private var offlineStatusMid: Int32?
    private var offlineStatusAcked = false
    private var stopped = true
    private var connected = false
    private var socketOpen = false
    private var justConnected = false
    private var connackFailure: MQTTError?
    private var currentState: MQTTConnectionState = .stopped
    private var currentError: MQTTError?
    private var stateObserver: (@Sendable (MQTTConnectionState, MQTTError?) -> Void)?
    private var ackObserver: (@Sendable (Acknowledgement) -> Void)?
    private let warn: @Sendable (String) -> Void
    private var commandHandlers: [String: CommandHandler] = [:]
    /// Commands that are carried out only with a valid signature (see `CommandAuthenticator`).
    private var signedCommands: Set<String> = []
    private let authenticator: CommandAuthenticator
    private var commandCounters = CommandCounters()
    /// A refusal since the last status publish: the status is re-sent (at most once a second).
    private var refusalStatusPending = false
    private var pendingCommands: [IncomingMessage] = []
    private var eventSequence: UInt64 = 0
    private var telemetrySequence: UInt64 = 0
    private var connections: UInt64 = 0
    private var connectedAt: UInt64 = 0
    private var lastStaleCheck: UInt64 = 0
    private var status = StatusMessage()
    private var statusDirty = false
    private let startedAt = Outbox.monotonicNanoseconds()
    private let eventWriter = JSONWriter(capacity: 4096)
    private let telemetryWriter = JSONWriter(capacity: 2048)
    private let statusWriter = JSONWriter(capacity: 4096)
    private let replyWriter = JSONWriter(capacity: 4096)
    private var statusTopicC: [CChar]
    private var random = SystemRandomNumberGenerator()

    /// Validates the configuration and opens the outbox (records left by a previous
    /// run are re-sent once connected). Does not connect: call `start()`.
    public init(configuration: MQTTConfiguration,
                warn: @escaping @Sendable (String) -> Void = MQTTPublisher.warnOnStandardError)
        throws(MQTTError) {
        try configuration.validate()
        self.configuration = configuration
        topics = configuration.topics
        var rng = SystemRandomNumberGenerator()
        bootID = String(rng.next() as UInt64, radix: 16).leftPadded(to: 16)
        statusTopicC = Array(topics.status.utf8CString)
        self.warn = warn
        authenticator = CommandAuthenticator(configuration.commandAuthentication)
        commandCounters.auth = configuration.commandAuthentication.summary
        do { outbox = try Outbox(directory: configuration.outboxDirectory, options: configuration.outbox, warn: warn) }
        catch { throw .invalidConfiguration(field: "mqtt.outbox_dir", reason: error.description) }
    }

    deinit {
        stop(flushTimeoutMs: 0)
    }

    /// The default `warn`: writes `earshot: warning: <text>` to stderr (one write(2)).
    @Sendable public static func warnOnStandardError(_ text: String) {
        writeStandardError("earshot: warning: \(text)\n")
    }

    // MARK: lifecycle

    /// Creates the libmosquitto client (credentials, TLS files, last will) and starts
    /// the network thread. Returns at once; connection progress shows in `state`.
    /// Throws for configuration problems (unreadable TLS file, library error).
    public func start() throws(MQTTError) {
        guard lock.withLock({ session == nil }) else { return }
        let willBuffer = JSONWriter(capacity: 512)
        StatusMessage.encodeWill(into: willBuffer, site: configuration.site, sensor: configuration.sensor, bootID: bootID)
        let s = try MosquittoSession(configuration: configuration, willTopic: configuration.isCheckClient ? nil : topics.status,
                                     willPayload: willBuffer.bytes)
        s.callbacks = SessionCallbacks(
            connected: { [unowned self] rc in self.handleConnack(rc) },
            disconnected: { [unowned self] _ in self.lock.withLock { self.connected = false } },
            published: { [unowned self] mid in self.handlePublished(mid) },
            message: { [unowned self] m in self.lock.withLock { self.pendingCommands.append(m) } })
        lock.withLock {
            session = s
            stopping = false
            stopped = false
        }
        // A strong capture: the thread keeps the publisher alive until stop(). Callers store
        // records on their own thread (the agent's dispatcher), so there is no writer thread.
        do {
            try spawnThread(name: "earshot-mqtt") { self.networkLoop() }
        } catch {
            lock.withLock { session = nil; stopped = true }
            throw error
        }
    }

    /// Publishes `{"state":"offline"}` (retained), waits up to `flushTimeoutMs` for
    /// in-flight records to be acknowledged, disconnects cleanly (no last will) and
    /// joins the network thread. Unacknowledged records stay in the outbox.
    public func stop(flushTimeoutMs: Int = 2000) {
        let wasRunning = lock.withLock { () -> Bool in
            guard !stopped else { return false }
            if connected { offlineStatusMid = publishStatusLocked(online: false) }
            return true
        }
        guard wasRunning else { return }
        let deadline = Outbox.monotonicNanoseconds() + UInt64(max(flushTimeoutMs, 0)) * 1_000_000
        while Outbox.monotonicNanoseconds() < deadline {
            let idle = lock.withLock { !connected || outbox.inFlightCount == 0 }
            if idle { break }
            usleep(5_000)
        }
        lock.withLock { stopping = true }
        // Bounded: a blocking TCP connect to a black-holed broker can take the kernel's
        // SYN timeout (~2 min); then the thread finishes on its own and stop() returns anyway.
        let joinDeadline = Outbox.monotonicNanoseconds() + 3_000_000_000
        while lock.withLock({ !stopped }) && Outbox.monotonicNanoseconds() < joinDeadline { usleep(2_000) }
        lock.withLock {
            if stopped { session = nil }
            setState(.stopped, error: currentError)
        }
    }

    /// Current connection state.
    public var state: MQTTConnectionState { lock.withLock { currentState } }
    /// The most recent connection error (nil after a successful connect).
    public var lastError: MQTTError? { lock.withLock { currentError } }
    /// Outbox counters.
    public var outboxStats: OutboxStats { lock.withLock { outbox.stats } }

    /// Waits until connected or until the first connection error, at most `timeoutMs`.
    /// Returns nil when connected, else the error (or a timeout error).
    public func waitUntilConnected(timeoutMs: Int) -> MQTTError? {
        let deadline = Outbox.monotonicNanoseconds() + UInt64(timeoutMs) * 1_000_000
        while Outbox.monotonicNanoseconds() < deadline {
            let (s, e) = lock.withLock { (currentState, currentError) }
            if s == .connected { return nil }
            if case .waitingToReconnect = s, let e { return e }
            usleep(2_000)
        }
        return lock.withLock { currentError } ?? .connectionLost(host: configuration.host, port: configuration.port,
                                                                   reason: "no CONNACK within \(timeoutMs) ms")
    }

    // MARK: publishing

    /// Appends an event to the outbox (write + fdatasync, on this thread) and hands it
    /// to libmosquitto when connected (QoS 1, not retained). Assigns
    /// `{sensor}-{boot_id}-{seq}`. Never waits on the network. Throws when the outbox
    /// cannot store it (disk full). Real-time threads hand events to a thread of their own
    /// that calls this (the agent's EventDispatcher) instead of calling it themselves.
    @discardableResult
    public func publish(event: EventMessage) throws(OutboxError) -> PublishReceipt {
        let stored = try store(event: event)
        return PublishReceipt(eventID: eventID(sequence: stored.sequence), sequence: stored.sequence, recordID: stored.recordID)
    }

    /// `publish(event:)` without building the id String: encodes into the preallocated
    /// buffer (the id written piecewise), appends to the outbox (write + fdatasync on this
    /// thread) and hands the record to libmosquitto when connected. Allocates nothing on
    /// the Swift side. To name this event as the start of a later `end`, set that message's
    /// `startSequence` to the returned `sequence`.
    public func store(event: EventMessage) throws(OutboxError) -> StoredEvent {
        let sequence = nextEventSequence()
        return try persist(event: event, sequence: sequence)
    }

    /// The event id for a sequence number of this boot: `{sensor}-{boot_id}-{seq}`.
    public func eventID(sequence: UInt64) -> String { "\(configuration.sensor)-\(bootID)-\(sequence)" }

    /// Own lock: the main lock can be held across a disk sync by the storing thread.
    private let sequenceLock = RecursiveLock()

    private func nextEventSequence() -> UInt64 {
        sequenceLock.withLock { eventSequence += 1; return eventSequence }
    }

    private func persist(event: EventMessage, sequence: UInt64) throws(OutboxError) -> StoredEvent {
        lock.lock(); defer { lock.unlock() }
        event.encode(into: eventWriter, sequence: sequence, bootID: bootID, site: configuration.site, sensor: configuration.sensor)
        precondition(!eventWriter.overflowed, "event payload exceeds 4096 bytes")
        let recordID: UInt64?
        do {
            recordID = try outbox.append(kind: .event, qos: 1, retain: false, topic: topics.event,
                                         payload: UnsafeRawBufferPointer(eventWriter.bytes), tag: sequence)
        } catch .writeFailed(let path, let code) {
            // Disk full (or EIO): the event cannot be kept, but a connected broker can
            // still take it. Hand it to libmosquitto directly (QoS 1, not persisted:
            // lost only if the connection drops before the PUBACK) and count it.
            guard connected, let s = session, publishDirectLocked(s) else {
                outbox.noteUnstoredEvent(published: false)
                throw .writeFailed(path: path, errno: code)
            }
            outbox.noteUnstoredEvent(published: true)
            warn("outbox \(path): write failed (\(Errno(rawValue: code).description)); event \(sequence) published directly to the broker, not stored")
            return StoredEvent(sequence: sequence, recordID: 0)
        }
        if connected { drainLocked() }
        return StoredEvent(sequence: sequence, recordID: recordID ?? 0)
    }

    /// Publishes the event in `eventWriter` without the outbox (its append failed).
    private func publishDirectLocked(_ s: MosquittoSession) -> Bool {
        topics.event.withCString { t in
            s.publish(topic: t, payload: UnsafeRawBufferPointer(eventWriter.bytes), qos: 1, retain: false) != nil
        }
    }

    /// Appends a telemetry sample to the outbox and hands it to libmosquitto when
    /// connected (QoS 0). Encodes into a preallocated buffer: no Swift heap allocation.
    /// Returns the record id, or nil when the outbox was full of events (dropped, counted).
    @discardableResult
    public func publish(telemetry: TelemetryMessage) throws(OutboxError) -> UInt64? {
        lock.lock(); defer { lock.unlock() }
        telemetrySequence += 1
        telemetry.encode(into: telemetryWriter, sequence: telemetrySequence, site: configuration.site, sensor: configuration.sensor)
        let id = try outbox.append(kind: .telemetry, qos: 0, retain: false, topic: topics.telemetry,
                                   payload: UnsafeRawBufferPointer(telemetryWriter.bytes), tag: telemetrySequence)
        if connected { drainLocked() }
        return id
    }

    /// Replaces the status and publishes it retained (QoS 1) now if connected, and
    /// after every reconnect. Not queued in the outbox: only the latest status matters.
    /// Encodes into a preallocated buffer and hands its bytes to libmosquitto: no Swift
    /// heap allocation when the message's Strings already exist (`detail` is a `StatusText`).
    public func update(status newStatus: StatusMessage) {
        lock.withLock {
            status = newStatus
            if connected { publishStatusLocked(online: true) } else { statusDirty = true }
        }
    }

    /// Registers the handler for `…/cmd/{name}` (replaces an earlier one). "ping"
    /// has a built-in handler unless you register one. With `requiresSignature` the
    /// handler runs only for a request that `configuration.commandAuthentication`
    /// accepts (HMAC signature, timestamp window, fresh nonce); every other request is
    /// answered `ok: false` with the reason, logged through `warn` and counted in the status.
    public func setCommandHandler(_ name: String, requiresSignature: Bool = false, _ handler: @escaping CommandHandler) {
        lock.withLock {
            commandHandlers[name] = handler
            if requiresSignature { signedCommands.insert(name) } else { signedCommands.remove(name) }
        }
    }

    /// Counters of the commands that require a signature.
    public var commandStats: CommandCounters { lock.withLock { commandCounters } }

    // MARK: network thread

    private func networkLoop() {
        var failures = 0
        while !lock.withLock({ stopping }) {
            guard let s = lock.withLock({ session }) else { break }
            if !lock.withLock({ socketOpen }) {
                lock.withLock { setState(.connecting, error: currentError) }
                if let error = s.connect() {
                    failures += 1
                    backOff(failures: failures, error: error)
                    continue
                }
                lock.withLock { socketOpen = true; connackFailure = nil }
            }
            // A publish from another thread wakes this select through libmosquitto's
            // socket pair (threaded mode), and PUBACKs/commands are socket input: the
            // timeout only bounds stop() (≤ 0.5 s) and the 1 s stale-record check.
            // 20 ms cost 50 wake-ups/s of an idle box for nothing; 500 ms: 2/s.
            let rc = s.loop(timeoutMs: 500)
            let loopErrno = errno
            let refused = lock.withLock { connackFailure }
            if rc != 0 || refused != nil {
                let error = refused ?? s.lostError(rc, errno: loopErrno)
                lock.withLock {
                    socketOpen = false
                    connected = false
                    outbox.returnInFlightToPending(qos0Only: true)
                }
                failures += 1
                backOff(failures: failures, error: error)
                continue
            }
            if lock.withLock({ justConnected }) {
                failures = 0
                afterConnect(s)
            }
            processCommands(s)
            lock.withLock {
                guard connected else { return }
                let now = Outbox.monotonicNanoseconds()
                if now &- lastStaleCheck > 1_000_000_000 {
                    lastStaleCheck = now
                    if refusalStatusPending { refusalStatusPending = false; publishStatusLocked(online: true) }
                    let timeout = UInt64(configuration.republishAfterSeconds) * 1_000_000_000
                    if now &- connectedAt > timeout, outbox.requeueStale(timeout: timeout, now: now) > 0 {
                        warn("records unacknowledged for \(configuration.republishAfterSeconds) s were published again")
                    }
                }
                drainLocked()
            }
        }
        if lock.withLock({ socketOpen }) {
            // Let the offline status and DISCONNECT reach the socket.
            s_disconnect()
        }
        lock.withLock { socketOpen = false; connected = false; stopped = true }
    }

    private func s_disconnect() {
        guard let s = lock.withLock({ session }) else { return }
        // Wait (bounded, 1 s) for the broker's PUBACK of the offline status, so a
        // clean stop is never reported by the last will instead.
        let waitForStatus = lock.withLock { offlineStatusMid != nil }
        for _ in 0..<200 {
            if s.loop(timeoutMs: 5) != 0 { break }
            let done = waitForStatus ? lock.withLock { offlineStatusAcked } : !s.wantsWrite
            if done { break }
        }
        s.disconnect()
        // Flush DISCONNECT: loop until libmosquitto reports the connection closed (bounded, 0.5 s).
        for _ in 0..<100 { if s.loop(timeoutMs: 5) != 0 { break } }
    }

    private func backOff(failures: Int, error: MQTTError) {
        let delay = configuration.reconnect.delayMs(afterFailures: failures,
                                                    random: Double(random.next() as UInt64 >> 11) / Double(1 << 53))
        lock.withLock { setState(.waitingToReconnect(retryInMs: delay), error: error) }
        let deadline = Outbox.monotonicNanoseconds() + UInt64(delay) * 1_000_000
        while Outbox.monotonicNanoseconds() < deadline && !lock.withLock({ stopping }) { usleep(10_000) }
    }

    private func handleConnack(_ rc: Int32) {
        lock.withLock {
            if let error = session?.connackError(rc) {
                connackFailure = error
            } else {
                connected = true
                justConnected = true
                connectedAt = Outbox.monotonicNanoseconds()
                connections += 1
            }
        }
    }

    private func afterConnect(_ s: MosquittoSession) {
        _ = s.subscribe(topics.commandFilter, qos: 1)
        lock.withLock {
            justConnected = false
            currentError = nil
            setState(.connected, error: nil)
            publishStatusLocked(online: true)
            statusDirty = false
            if configuration.homeAssistantDiscovery { publishDiscoveryLocked(s) }
            drainLocked()
        }
    }

    private func handlePublished(_ mid: Int32) {
        let (settled, observer) = lock.withLock { () -> ((id: UInt64, kind: OutboxRecordKind, tag: UInt64)?, (@Sendable (Acknowledgement) -> Void)?) in
            if mid == offlineStatusMid { offlineStatusAcked = true }
            return (outbox.acknowledge(mid: mid), ackObserver)
        }
        if let settled, let observer {
            observer(Acknowledgement(recordID: settled.id, kind: settled.kind, sequence: settled.tag))
        }
        lock.withLock { if connected { drainLocked() } }
    }

    /// Hands pending outbox records to libmosquitto, oldest first, up to `maxInFlight`.
    private func drainLocked() {
        guard let s = session else { return }
        var cursor = 0
        while outbox.inFlightCount < configuration.maxInFlight, let i = outbox.nextPending(from: cursor) {
            let e = outbox.entry(at: i)
            let mid = outbox.withRecord(at: i) { topic, payload in
                s.publish(topic: topic, payload: payload, qos: Int32(e.qos), retain: e.retain)
            }
            switch mid {
            case .none: outbox.discardUnreadable(index: i)
            case .some(.none): return // libmosquitto refused (not connected): retry later
            case .some(.some(let m)): outbox.markInFlight(index: i, mid: m)
            }
            cursor = i + 1
        }
    }

    @discardableResult
    private func publishStatusLocked(online: Bool) -> Int32? {
        // A check tool's client publishes no status: it would stay retained for a sensor that does not exist.
        guard let s = session, !configuration.isCheckClient else { return nil }
        let counters = PublisherCounters(outbox: outbox.stats, connections: connections,
                                         uptimeSeconds: Int64((Outbox.monotonicNanoseconds() - startedAt) / 1_000_000_000),
                                         commands: commandCounters)
        let time = UTCTimestamp.now()
        status.encode(into: statusWriter, online: online, site: configuration.site, sensor: configuration.sensor,
                      bootID: bootID, time: time, counters: counters)
        if statusWriter.overflowed {
            // Never publish a cut document: without the free-form texts it fits (4096 bytes).
            var short = status
            short.detail = nil
            short.capture?.lastError = nil
            short.ptz?.lastError = nil
            short.encode(into: statusWriter, online: online, site: configuration.site, sensor: configuration.sensor,
                         bootID: bootID, time: time, counters: counters)
            guard !statusWriter.overflowed else { return nil }
        }
        return statusTopicC.withUnsafeBufferPointer { topic in
            s.publish(topic: topic.baseAddress!, payload: UnsafeRawBufferPointer(statusWriter.bytes), qos: 1, retain: true)
        }
    }

    private func processCommands(_ s: MosquittoSession) {
        let batch: [IncomingMessage] = lock.withLock {
            guard !pendingCommands.isEmpty else { return [] }
            defer { pendingCommands.removeAll(keepingCapacity: true) }
            return pendingCommands
        }
        for message in batch {
            guard let name = topics.commandName(ofTopic: message.topic) else { continue }
            var request = CommandRequest(name: name, responseTopic: message.responseTopic,
                                         correlationData: message.correlationData)
            let reply: CommandReply
            do {
                let parsed = try CommandRequest.parse(name: name, payload: message.payload)
                request.requestID = parsed.requestID
                request.arguments = parsed.arguments
                let (handler, needsSignature) = lock.withLock { (commandHandlers[name], signedCommands.contains(name)) }
                if handler != nil, needsSignature,
                   let refusal = message.payload.withUnsafeBytes({ authenticator.check(topic: message.topic, payload: $0,
                                                                                        timestamp: parsed.timestamp, nonce: parsed.nonce,
                                                                                        now: CommandSigner.unixTime()) }) {
                    lock.withLock {
                        commandCounters.refused += 1
                        commandCounters.lastRefusal = refusal.code
                        refusalStatusPending = true
                    }
                    warn("cmd/\(name) refused (\(refusal.code)): \(refusal)\(parsed.requestID.map { "; request_id \"\($0.prefix(64))\"" } ?? "")")
                    reply = CommandReply(ok: false, message: "refused: \(refusal)", result: ["refused": .string(refusal.code)])
                } else if let handler {
                    if needsSignature { lock.withLock { commandCounters.accepted += 1 } }
                    reply = handler(request)
                } else if configuration.isCheckClient {
                    continue  // a check client answers only its own handlers (not its status or telemetry)
                } else if name == "ping" {
                    let uptime = Double((Outbox.monotonicNanoseconds() - startedAt) / 1_000_000) / 1000
                    reply = CommandReply(ok: true, message: "pong", result: ["uptime_s": .number(uptime), "boot_id": .string(bootID)])
                } else {
                    let known = lock.withLock { commandHandlers.keys.sorted() }
                    reply = CommandReply(ok: false, message: "unknown command \"\(name)\"; known: \((known + ["ping"]).joined(separator: ", "))")
                }
            } catch {
                reply = CommandReply(ok: false, message: error.description)
            }
            let topic = request.responseTopic ?? topics.commandReply(name)
            lock.withLock {
                reply.encode(into: replyWriter, request: request, time: .now())
                topic.withCString { t in
                    _ = s.publish(topic: t, payload: UnsafeRawBufferPointer(replyWriter.bytes), qos: 1, retain: false,
                                  correlationData: request.correlationData)
                }
            }
        }
    }

    private func publishDiscoveryLocked(_ s: MosquittoSession) {
        for (topic, payload) in HomeAssistantDiscovery.configs(configuration: configuration, topics: topics) {
            topic.withCString { t in
                payload.withUnsafeBytes { p in _ = s.publish(topic: t, payload: p, qos: 1, retain: true) }
            }
        }
    }

    private func setState(_ s: MQTTConnectionState, error: MQTTError?) {
        let changed = s != currentState || error != currentError
        currentState = s
        currentError = error
        if changed, let observer = stateObserver { observer(s, error) }
    }
}

/// Writes `text` to stderr with write(2) (a warning before the agent's logger exists).
func writeStandardError(_ text: String) { StandardError.write(text) }

/// Runs `body` on a new detached thread named `name` (`top -H`, the soak's allocation census).
/// - Throws: `MQTTError.library` when the thread cannot be created (EAGAIN: thread limit).
private func spawnThread(name: String, _ body: @escaping @Sendable () -> Void) throws(MQTTError) {
    do { try PlatformThread.spawn(name: name, body) } catch {
        throw .library(call: "pthread_create(\(name))", code: error.rawValue, message: error.description)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
