// One command to one box and its reply: the client of `earshot mqtt command` (a
// technician's or the centre's signed cmd/ptz). Single-threaded: connect, subscribe to
// the reply topic, publish, run libmosquitto's loop until the reply with our request
// id arrives. The broker keeps the order of one connection's packets, so the
// subscription is in place before the box can answer.
import EarshotPlatform
import Glibc

/// Sends commands and waits for their replies.
public enum MQTTCommandSender {
    /// Publishes `payload` on `topic` (QoS 1) and returns the first message on `replyTopic`
    /// whose `request_id` is `requestID` (its raw JSON text), within `timeoutMs`.
    /// `configuration` gives broker, credentials and TLS (its client id is made unique).
    public static func send(_ configuration: MQTTConfiguration, topic: String, payload: String, replyTopic: String,
                            requestID: String, timeoutMs: Int) throws(MQTTError) -> String {
        var c = configuration.checkClient(role: "cmd")
        c.isCheckClient = true
        let session = try MosquittoSession(configuration: c, willTopic: nil, willPayload: UnsafeBufferPointer(start: nil, count: 0))
        let state = SenderState()
        session.callbacks.connected = { rc in state.withLock { $0.connack = rc } }
        session.callbacks.published = { _ in state.withLock { $0.acked = true } }
        session.callbacks.message = { m in
            guard m.topic == replyTopic else { return }
            let text = String(decoding: m.payload, as: UTF8.self)
            if text.contains("\"request_id\":\"\(requestID)\"") { state.withLock { $0.reply = text } }
        }
        if let e = session.connect() { throw e }
        let deadline = Outbox.monotonicNanoseconds() + UInt64(max(timeoutMs, 1)) * 1_000_000
        func pump(until done: () -> Bool) -> Bool {
            while Outbox.monotonicNanoseconds() < deadline {
                if done() { return true }
                if session.loop(timeoutMs: 20) != 0 { return false }
            }
            return done()
        }
        guard pump(until: { state.withLock { $0.connack != nil } }) else {
            throw .connectionLost(host: c.host, port: c.port, reason: "no CONNACK within \(timeoutMs) ms")
        }
        if let rc = state.withLock({ $0.connack }), let e = session.connackError(rc) { throw e }
        guard session.subscribe(replyTopic, qos: 1) else {
            throw .library(call: "mosquitto_subscribe", code: 0, message: "subscribe to \(replyTopic) refused")
        }
        var p = payload
        let mid = topic.withCString { t in p.withUTF8 { session.publish(topic: t, payload: UnsafeRawBufferPointer($0), qos: 1, retain: false) } }
        guard mid != nil else { throw .library(call: "mosquitto_publish", code: 0, message: "publish to \(topic) refused") }
        defer {
            session.disconnect()
            for _ in 0..<20 { if session.loop(timeoutMs: 5) != 0 { break } }
        }
        guard pump(until: { state.withLock { $0.reply != nil } }), let reply = state.withLock({ $0.reply }) else {
            let acked = state.withLock { $0.acked }
            throw .connectionLost(host: c.host, port: c.port,
                                  reason: acked ? "the broker took the command (PUBACK) but no reply came on \(replyTopic) within \(timeoutMs) ms (is the box running and subscribed?)"
                                                : "no PUBACK within \(timeoutMs) ms (not authorised to publish on \(topic)?)")
        }
        return reply
    }
}

private final class SenderState: @unchecked Sendable {
    struct Values { var connack: Int32?; var acked = false; var reply: String? }
    private let lock = RecursiveLock()
    private var values = Values()
    func withLock<R>(_ body: (inout Values) -> R) -> R { lock.withLock { body(&values) } }
}
