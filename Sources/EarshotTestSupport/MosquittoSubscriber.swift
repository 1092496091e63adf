// An independent MQTT subscriber for tests: the `mosquitto_sub` command-line
// client, so published messages are checked by code that is not ours.
import Foundation
import Synchronization

/// One message as `mosquitto_sub` printed it.
public struct ReceivedMessage: Sendable, Equatable {
    /// Retained flag as delivered (true for a retained message sent on subscribe).
    public var retained: Bool
    /// QoS of the delivery.
    public var qos: Int
    /// Topic.
    public var topic: String
    /// Payload as text (payloads here are one-line JSON).
    public var payload: String

    /// The payload parsed as a JSON object (nil when it is not one).
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) as? [String: Any]
    }
}

/// Runs `mosquitto_sub -d -F 'MSG\t%r\t%q\t%t\t%p'` and collects the messages.
/// `start()` returns once the SUBACK was received (≤ timeout); `stop()` (and
/// deinit) kills the process.
public final class MosquittoSubscriber: Sendable {
    private let arguments: [String]
    /// What the reader thread collected, and the running process.
    private struct State {
        var collected: [ReceivedMessage] = []
        var subscribed = false
        var output = ""
        var process: ParentWatchedProcess?
    }
    private let state = Mutex(State())

    /// A subscriber already started (SUBACK received): `init(port:filters:…)` then `start()`.
    public static func started(port: Int, filters: [String], extraArguments: [String] = [],
                               clientID: String? = nil) throws -> MosquittoSubscriber {
        let s = MosquittoSubscriber(port: port, filters: filters, extraArguments: extraArguments, clientID: clientID)
        try s.start()
        return s
    }

    /// `filters`: topic filters (QoS 1). `extraArguments`: e.g. `["--cafile", ca, "-u", "user", "-P", "pw"]`.
    public init(port: Int, filters: [String], extraArguments: [String] = [], clientID: String? = nil) {
        var args = ["-d", "-h", "127.0.0.1", "-p", String(port), "-q", "1", "-F", "MSG\t%r\t%q\t%t\t%p"]
        for f in filters { args += ["-t", f] }
        if let clientID { args += ["-i", clientID] }
        arguments = args + extraArguments
    }

    deinit { stop() }

    /// Starts `mosquitto_sub` and waits for its SUBACK (≤ `timeout` s).
    public func start(timeout: Double = 5) throws {
        let pipe = Pipe()
        // Line-buffered stdout, or the SUBACK debug line sits in stdio's buffer.
        let p = ParentWatchedProcess("/usr/bin/stdbuf", ["-oL", "-eL", "/usr/bin/mosquitto_sub"] + arguments, output: pipe)
        try p.run()
        state.withLock { $0.process = p }
        let handle = pipe.fileHandleForReading
        let t = Thread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let nl = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[pending.startIndex..<nl], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...nl)
                    self.consume(line)
                }
            }
        }
        t.start()
        guard waitUntil(timeout: timeout, { state.withLock { $0.subscribed } || !p.isRunning }),
              state.withLock({ $0.subscribed }) else {
            stop()
            throw TestSupportError("mosquitto_sub \(arguments.joined(separator: " ")) did not subscribe within \(timeout) s: \(state.withLock { $0.output })")
        }
    }

    private func consume(_ line: String) {
        state.withLock { s in
            if line.hasPrefix("MSG\t") {
                let parts = line.split(separator: "\t", maxSplits: 4, omittingEmptySubsequences: false)
                if parts.count == 5 {
                    s.collected.append(ReceivedMessage(retained: parts[1] == "1", qos: Int(parts[2]) ?? -1,
                                                     topic: String(parts[3]), payload: String(parts[4])))
                }
            } else {
                if line.contains("received SUBACK") { s.subscribed = true }
                if s.output.utf8.count < 8192 { s.output += line + "\n" }
            }
        }
    }

    /// Messages received so far, in arrival order.
    public var messages: [ReceivedMessage] { state.withLock { $0.collected } }

    /// Messages on `topic`.
    public func messages(on topic: String) -> [ReceivedMessage] { messages.filter { $0.topic == topic } }

    /// Non-message output (debug lines, errors) so far.
    public var diagnostics: String { state.withLock { $0.output } }

    /// Waits until `condition(messages)` holds (≤ `timeout` s).
    @discardableResult
    public func wait(timeout: Double, until condition: ([ReceivedMessage]) -> Bool) -> Bool {
        waitUntil(timeout: timeout) { condition(messages) }
    }

    /// Kills `mosquitto_sub`.
    public func stop() {
        let p = state.withLock { s -> ParentWatchedProcess? in defer { s.process = nil }; return s.process }
        p?.kill()
    }
}
