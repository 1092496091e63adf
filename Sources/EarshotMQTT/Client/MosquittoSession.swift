// The only file that calls libmosquitto (besides the version query): a thin,
// typed wrapper over one `struct mosquitto` with callbacks bridged to Swift.
import EarshotPlatform
import CMosquitto
import Glibc

/// An incoming message as the session hands it to Swift (allocates; commands are rare).
struct IncomingMessage {
    var topic: String
    var payload: [UInt8]
    var responseTopic: String?
    var correlationData: [UInt8]?
}

/// Callbacks from the network thread (set once before `connect`).
struct SessionCallbacks {
    /// CONNACK received: reason code (0 = accepted).
    var connected: (Int32) -> Void = { _ in }
    /// Connection closed (code 0 = we asked for it).
    var disconnected: (Int32) -> Void = { _ in }
    /// PUBACK for QoS 1, or a QoS 0 message written to the socket.
    var published: (Int32) -> Void = { _ in }
    /// A message on a subscribed topic.
    var message: (IncomingMessage) -> Void = { _ in }
}

/// One libmosquitto client handle. Threading: `loop`, `connect` and `reconnect` run
/// on the publisher's network thread; `publish` may be called from any thread
/// (libmosquitto is told so with `mosquitto_threaded_set`).
final class MosquittoSession: @unchecked Sendable {
    private let mosq: OpaquePointer
    private let configuration: MQTTConfiguration
    var callbacks = SessionCallbacks()
    private let logLock = RecursiveLock()
    private var lastTLSError: String?
    private var hasConnectedOnce = false

    private static let libraryInit: Void = { _ = mosquitto_lib_init() }()

    /// Creates the handle and applies protocol, credentials, TLS and the last will.
    /// `willTopic` nil: no last will (a check tool's client).
    init(configuration: MQTTConfiguration, willTopic: String?, willPayload: UnsafeBufferPointer<UInt8>) throws(MQTTError) {
        _ = Self.libraryInit
        self.configuration = configuration
        guard let m = mosquitto_new(configuration.clientID, true, nil) else {
            throw .library(call: "mosquitto_new", code: errno, message: Errno.current.description)
        }
        mosq = m
        mosquitto_user_data_set(m, Unmanaged.passUnretained(self).toOpaque())
        _ = mosquitto_threaded_set(m, true)
        let version = configuration.protocolVersion == .v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311
        try check(mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, version), "mosquitto_int_option(PROTOCOL_VERSION)")
        if let user = configuration.username {
            try check(mosquitto_username_pw_set(m, user, configuration.password), "mosquitto_username_pw_set")
        }
        if let tls = configuration.tls {
            for (file, label) in [(tls.caFile, "ca_file"), (tls.certFile, "cert_file"), (tls.keyFile, "key_file")] {
                guard let file else { continue }
                if access(file, R_OK) != 0 {
                    throw .tlsConfiguration(file: file, reason: "\(label) not readable (\(Errno.current.description))")
                }
            }
            let rc = mosquitto_tls_set(m, tls.caFile, nil, tls.certFile, tls.keyFile, nil)
            if rc != MOSQ_ERR_SUCCESS.rawValue {
                throw .tlsConfiguration(file: tls.certFile ?? tls.caFile, reason: String(cString: mosquitto_strerror(rc)))
            }
            if tls.insecureSkipHostnameCheck { _ = mosquitto_tls_insecure_set(m, true) }
        }
        if let willTopic {
            try check(mosquitto_will_set(m, willTopic, Int32(willPayload.count), willPayload.baseAddress, 1, true),
                      "mosquitto_will_set")
        }
        installCallbacks()
    }

    deinit {
        mosquitto_destroy(mosq)
    }

    private func check(_ rc: Int32, _ call: String) throws(MQTTError) {
        if rc != MOSQ_ERR_SUCCESS.rawValue {
            throw .library(call: call, code: rc, message: String(cString: mosquitto_strerror(rc)))
        }
    }

    private static func session(_ obj: UnsafeMutableRawPointer?) -> MosquittoSession {
        Unmanaged<MosquittoSession>.fromOpaque(obj!).takeUnretainedValue()
    }

    private func installCallbacks() {
        mosquitto_connect_v5_callback_set(mosq) { _, obj, rc, _, _ in
            MosquittoSession.session(obj).callbacks.connected(rc)
        }
        mosquitto_disconnect_v5_callback_set(mosq) { _, obj, rc, _ in
            MosquittoSession.session(obj).callbacks.disconnected(rc)
        }
        mosquitto_publish_v5_callback_set(mosq) { _, obj, mid, _, _ in
            MosquittoSession.session(obj).callbacks.published(mid)
        }
        mosquitto_message_v5_callback_set(mosq) { _, obj, message, props in
            guard let message, let topic = message.pointee.topic else { return }
            var incoming = IncomingMessage(topic: String(cString: topic), payload: [])
            if let p = message.pointee.payload, message.pointee.payloadlen > 0 {
                incoming.payload = Array(UnsafeRawBufferPointer(start: p, count: Int(message.pointee.payloadlen)))
            }
            if let props {
                var response: UnsafeMutablePointer<CChar>?
                if mosquitto_property_read_string(props, Int32(MQTT_PROP_RESPONSE_TOPIC.rawValue), &response, false) != nil,
                   let response {
                    incoming.responseTopic = String(cString: response)
                    free(response)
                }
                var data: UnsafeMutableRawPointer?
                var length: UInt16 = 0
                if mosquitto_property_read_binary(props, Int32(MQTT_PROP_CORRELATION_DATA.rawValue), &data, &length, false) != nil,
                   let data {
                    incoming.correlationData = Array(UnsafeRawBufferPointer(start: data, count: Int(length)))
                    free(data)
                }
            }
            MosquittoSession.session(obj).callbacks.message(incoming)
        }
        mosquitto_log_callback_set(mosq) { _, obj, level, text in
            guard let text, level & Int32(MOSQ_LOG_ERR) != 0 else { return }
            let line = String(cString: text)
            if line.contains("OpenSSL Error") || line.contains("Unable to load") {
                let s = MosquittoSession.session(obj)
                s.logLock.withLock { s.lastTLSError = line }
            }
        }
    }

    /// Opens the TCP (and TLS) connection and sends CONNECT; blocking, bounded by
    /// the OS connect timeout. The CONNACK arrives later through `loop`.
    func connect() -> MQTTError? {
        logLock.withLock { lastTLSError = nil }
        errno = 0
        let rc: Int32
        if hasConnectedOnce {
            rc = mosquitto_reconnect(mosq)
        } else {
            rc = mosquitto_connect_bind_v5(mosq, configuration.host, Int32(configuration.port),
                                           Int32(configuration.keepAliveSeconds), nil, nil)
            hasConnectedOnce = true
        }
        let savedErrno = errno
        if rc == MOSQ_ERR_SUCCESS.rawValue { return nil }
        return mapConnectError(rc, errno: savedErrno)
    }

    private func mapConnectError(_ rc: Int32, errno e: Int32) -> MQTTError {
        let host = configuration.host, port = configuration.port
        switch rc {
        case MOSQ_ERR_ERRNO.rawValue:
            return .brokerUnreachable(host: host, port: port, reason: Errno(rawValue: e).description.lowercased())
        case MOSQ_ERR_EAI.rawValue:
            return .brokerUnreachable(host: host, port: port, reason: "cannot resolve host name")
        case MOSQ_ERR_TLS.rawValue:
            let raw = logLock.withLock { lastTLSError } ?? "unknown TLS error"
            return .tlsHandshakeFailed(host: host, port: port, openSSL: Self.openSSLReason(raw),
                                       caFile: configuration.tls?.caFile)
        default:
            return .library(call: "mosquitto_connect", code: rc, message: String(cString: mosquitto_strerror(rc)))
        }
    }

    /// "OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed" → "certificate verify failed".
    static func openSSLReason(_ line: String) -> String {
        guard line.contains("error:"), let colon = line.lastIndex(of: ":") else { return line }
        let reason = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
        return String(reason.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    /// Turns a CONNACK reason code into an error (nil when accepted).
    func connackError(_ rc: Int32) -> MQTTError? {
        guard rc != 0 else { return nil }
        let said = configuration.protocolVersion == .v5
            ? String(cString: mosquitto_reason_string(rc)) : String(cString: mosquitto_connack_string(rc))
        let host = configuration.host, port = configuration.port
        // v3.1.1: 4 bad username/password, 5 not authorised. v5: 0x86, 0x87, 0x8C (bad auth method).
        if [4, 5, 0x86, 0x87, 0x8C].contains(rc) {
            return .authenticationFailed(host: host, port: port, username: configuration.username, brokerSaid: said)
        }
        return .connectionRefused(host: host, port: port, brokerSaid: said)
    }

    /// Maps a `loop` failure to a connection-lost error.
    func lostError(_ rc: Int32, errno e: Int32) -> MQTTError {
        // The TLS handshake finishes inside the loop when the socket was not ready during connect.
        if rc == MOSQ_ERR_TLS.rawValue { return mapConnectError(rc, errno: e) }
        let reason = rc == MOSQ_ERR_ERRNO.rawValue ? Errno(rawValue: e).description.lowercased()
                                                   : String(cString: mosquitto_strerror(rc)).lowercased()
        return .connectionLost(host: configuration.host, port: configuration.port, reason: reason)
    }

    /// Runs network I/O for up to `timeoutMs`; returns the libmosquitto code (0 = fine).
    func loop(timeoutMs: Int32) -> Int32 {
        mosquitto_loop(mosq, timeoutMs, 1)
    }

    /// Queues a publish; returns the message id, or nil when libmosquitto refused it
    /// (not connected, or queue full). Never waits on the network.
    func publish(topic: UnsafePointer<CChar>, payload: UnsafeRawBufferPointer, qos: Int32, retain: Bool,
                 correlationData: [UInt8]? = nil) -> Int32? {
        var mid: Int32 = 0
        var rc: Int32
        if let correlationData, configuration.protocolVersion == .v5 {
            var props: OpaquePointer?
            _ = correlationData.withUnsafeBytes {
                mosquitto_property_add_binary(&props, Int32(MQTT_PROP_CORRELATION_DATA.rawValue), $0.baseAddress, UInt16($0.count))
            }
            rc = mosquitto_publish_v5(mosq, &mid, topic, Int32(payload.count), payload.baseAddress, qos, retain, props)
            mosquitto_property_free_all(&props)
        } else {
            rc = mosquitto_publish(mosq, &mid, topic, Int32(payload.count), payload.baseAddress, qos, retain)
        }
        return rc == MOSQ_ERR_SUCCESS.rawValue ? mid : nil
    }

    /// Subscribes to `filter` at `qos`.
    func subscribe(_ filter: String, qos: Int32) -> Bool {
        mosquitto_subscribe(mosq, nil, filter, qos) == MOSQ_ERR_SUCCESS.rawValue
    }

    /// Sends DISCONNECT (the broker then discards the last will).
    func disconnect() { _ = mosquitto_disconnect(mosq) }

    /// Whether data is waiting to be written (used when flushing before stop).
    var wantsWrite: Bool { mosquitto_want_write(mosq) }
}
