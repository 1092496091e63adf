// The centre's libmosquitto client: MQTT v5, persistent session, (shared) subscriptions
// renewed on every connect, reconnect with exponential backoff on its own network thread.
import EarshotPlatform
import EarshotText
import CMosquitto
import Glibc

/// A subscribing and publishing MQTT v5 client. Callbacks run on the client's network
/// thread; `publish` may be called from any thread.
public final class CentralMQTTClient: @unchecked Sendable {
    /// Called with (topic, payload) for each message on a subscribed filter.
    public typealias MessageHandler = @Sendable (String, [UInt8]) -> Void

    private let mosq: OpaquePointer
    private let settings: CentralMQTTSettings
    private let filters: [String]
    private let log: CentralLog
    private let onMessage: MessageHandler
    private let onConnect: @Sendable () -> Void
    private let lock = RecursiveLock()
    private var connectedFlag = false
    private var connects = 0
    private var started = false
    private var lastRefusalLogNs: UInt64 = 0

    private static let libraryInit: Void = { _ = mosquitto_lib_init() }()

    /// Creates the client (nothing is sent until `start()`). `onConnect` runs after each
    /// CONNACK and subscription request, e.g. to re-publish state.
    public init(settings: CentralMQTTSettings, clientID: String, filters: [String], log: CentralLog,
                onConnect: @escaping @Sendable () -> Void, onMessage: @escaping MessageHandler) throws(CentralError) {
        _ = Self.libraryInit
        self.settings = settings; self.filters = filters; self.log = log
        self.onMessage = onMessage; self.onConnect = onConnect
        // clean_session false + a session expiry: the broker keeps our subscriptions and
        // queues QoS 1 events while we reconnect (as long as the broker itself lives).
        guard let m = mosquitto_new(clientID, settings.sessionExpirySeconds == 0, nil) else {
            throw CentralError("mosquitto_new failed: \(Errno.current.description)")
        }
        mosq = m
        mosquitto_user_data_set(m, Unmanaged.passUnretained(self).toOpaque())
        _ = mosquitto_threaded_set(m, true)
        try check(mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5), "protocol version")
        if let u = settings.username { try check(mosquitto_username_pw_set(m, u, settings.password), "username/password") }
        if let ca = settings.caFile {
            for f in [ca, settings.certFile, settings.keyFile].compactMap({ $0 }) where access(f, R_OK) != 0 {
                throw CentralError("mqtt.tls: \(f) not readable (\(Errno.current.description))")
            }
            try check(mosquitto_tls_set(m, ca, nil, settings.certFile, settings.keyFile, nil), "TLS files")
        }
        installCallbacks()
    }

    deinit { mosquitto_destroy(mosq) }

    private func check(_ rc: Int32, _ what: String) throws(CentralError) {
        if rc != MOSQ_ERR_SUCCESS.rawValue { throw CentralError("mqtt \(what): \(String(cString: mosquitto_strerror(rc)))") }
    }

    private static func client(_ obj: UnsafeMutableRawPointer?) -> CentralMQTTClient {
        Unmanaged<CentralMQTTClient>.fromOpaque(obj!).takeUnretainedValue()
    }

    private func installCallbacks() {
        mosquitto_connect_v5_callback_set(mosq) { _, obj, rc, _, _ in CentralMQTTClient.client(obj).connected(rc) }
        mosquitto_disconnect_v5_callback_set(mosq) { _, obj, rc, _ in CentralMQTTClient.client(obj).disconnected(rc) }
        mosquitto_message_v5_callback_set(mosq) { _, obj, message, _ in
            guard let message, let topic = message.pointee.topic else { return }
            var payload: [UInt8] = []
            if let p = message.pointee.payload, message.pointee.payloadlen > 0 {
                payload = Array(UnsafeRawBufferPointer(start: p, count: Int(message.pointee.payloadlen)))
            }
            CentralMQTTClient.client(obj).onMessage(String(cString: topic), payload)
        }
    }

    private func connected(_ rc: Int32) {
        guard rc == 0 else {
            // Retried every reconnect_max_s at most: say it once per 30 s, not at each attempt.
            let t = monotonicNs()
            let say = lock.withLock { () -> Bool in
                guard lastRefusalLogNs == 0 || t &- lastRefusalLogNs >= 30_000_000_000 else { return false }
                lastRefusalLogNs = t
                return true
            }
            if say { log.warning("broker \(settings.host):\(settings.port) refused the connection: \(String(cString: mosquitto_reason_string(rc)))") }
            return
        }
        let n = lock.withLock { connectedFlag = true; connects += 1; return connects }
        for f in filters {
            let rc = mosquitto_subscribe_v5(mosq, nil, f, 1, 0, nil)
            if rc != MOSQ_ERR_SUCCESS.rawValue { log.warning("subscribe \(f) failed: \(String(cString: mosquitto_strerror(rc)))") }
        }
        log.info("connected to \(settings.host):\(settings.port)\(n > 1 ? " again (connection \(n))" : ""), subscribed to \(filters.joined(separator: ", "))")
        onConnect()
    }

    private func disconnected(_ rc: Int32) {
        let was = lock.withLock { let c = connectedFlag; connectedFlag = false; return c && !stopping }
        if was && rc != 0 {
            log.warning("connection to \(settings.host):\(settings.port) lost (\(String(cString: mosquitto_strerror(rc)))); reconnecting")
        }
    }

    /// Whether a CONNACK was accepted and the connection has not dropped since.
    public var isConnected: Bool { lock.withLock { connectedFlag } }
    /// Accepted connections so far.
    public var connectionCount: Int { lock.withLock { connects } }

    /// Starts the network thread: it connects (a broker that is down is retried with
    /// exponential backoff between `reconnect_min_s` and `reconnect_max_s`), runs
    /// libmosquitto's I/O and reconnects after any loss, each time asking for the session expiry.
    public func start() throws(CentralError) {
        guard !lock.withLock({ started }) else { return }
        lock.withLock { started = true; stopping = false }
        try spawnThread(name: "central-mqtt") { self.networkLoop() }
    }

    private var stopping = false
    private var loopDone = false

    private func networkLoop() {
        var failures = 0
        var socketOpen = false
        while !lock.withLock({ stopping }) {
            if !socketOpen {
                var props: OpaquePointer?
                if settings.sessionExpirySeconds > 0 {
                    _ = mosquitto_property_add_int32(&props, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue),
                                                     UInt32(settings.sessionExpirySeconds))
                }
                errno = 0
                let rc = mosquitto_connect_bind_v5(mosq, settings.host, Int32(settings.port), Int32(settings.keepAliveSeconds), nil, props)
                let e = errno
                mosquitto_property_free_all(&props)
                if rc != MOSQ_ERR_SUCCESS.rawValue {
                    failures += 1
                    let why = rc == MOSQ_ERR_ERRNO.rawValue ? Errno(rawValue: e).description : String(cString: mosquitto_strerror(rc))
                    if failures == 1 || failures % 10 == 0 {
                        log.warning("broker \(settings.host):\(settings.port) unreachable (\(why)); retrying (attempt \(failures))")
                    }
                    backOff(failures)
                    continue
                }
                socketOpen = true
            }
            let rc = mosquitto_loop(mosq, 200, 1)
            if rc != MOSQ_ERR_SUCCESS.rawValue {
                socketOpen = false
                let was = lock.withLock { let c = connectedFlag; connectedFlag = false; return c }
                if was { log.warning("connection to \(settings.host):\(settings.port) lost (\(String(cString: mosquitto_strerror(rc)))); reconnecting") }
                failures += 1
                backOff(failures)
            } else if lock.withLock({ connectedFlag }) {
                failures = 0
            }
        }
        if socketOpen {
            _ = mosquitto_disconnect(mosq)
            for _ in 0..<50 { if mosquitto_loop(mosq, 10, 1) != MOSQ_ERR_SUCCESS.rawValue { break } }
        }
        lock.withLock { connectedFlag = false; loopDone = true }
    }

    private func backOff(_ failures: Int) {
        var delay = settings.reconnectMinSeconds
        for _ in 1..<max(min(failures, 20), 1) { delay = min(delay * 2, settings.reconnectMaxSeconds) }
        let deadline = monotonicNs() + UInt64(delay * 1e9)
        while monotonicNs() < deadline && !lock.withLock({ stopping }) { usleep(20_000) }
    }

    /// Publishes at QoS 1, with an MQTT v5 message expiry when `expirySeconds` > 0 (the
    /// broker then forgets a retained message after that long); false when libmosquitto
    /// refused it (e.g. not connected: the caller re-sends after the next connect).
    @discardableResult
    public func publish(topic: String, payload: String, retain: Bool, expirySeconds: Int = 0) -> Bool {
        guard isConnected else { return false }
        let bytes = Array(payload.utf8)
        var props: OpaquePointer?
        if expirySeconds > 0 {
            _ = mosquitto_property_add_int32(&props, Int32(MQTT_PROP_MESSAGE_EXPIRY_INTERVAL.rawValue), UInt32(expirySeconds))
        }
        let rc = bytes.withUnsafeBytes { mosquitto_publish_v5(mosq, nil, topic, Int32($0.count), $0.baseAddress, 1, retain, props) }
        mosquitto_property_free_all(&props)
        return rc == MOSQ_ERR_SUCCESS.rawValue
    }

    /// Disconnects cleanly and waits (≤ 3 s) for the network thread to finish.
    public func stop() {
        guard lock.withLock({ let s = started; started = false; stopping = true; return s }) else { return }
        let deadline = monotonicNs() + 3_000_000_000
        while !lock.withLock({ loopDone }) && monotonicNs() < deadline { usleep(5_000) }
    }
}

/// CLOCK_MONOTONIC, ns.
func monotonicNs() -> UInt64 { MonotonicClock.nanoseconds() }

/// CLOCK_REALTIME, ns since 1970 (UTC).
public func realtimeNs() -> Int64 { UTCClock.nanoseconds() }

/// Starts a detached thread named `name` running `body`.
func spawnThread(name: String, _ body: @escaping @Sendable () -> Void) throws(CentralError) {
    do { try PlatformThread.spawn(name: name, body) } catch {
        throw CentralError("cannot start thread \(name): \(error)")
    }
}

/// A startup failure of the centre, in words.
public struct CentralError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var description: String
    /// Builds an error.
    public init(_ description: String) { self.description = description }
}
