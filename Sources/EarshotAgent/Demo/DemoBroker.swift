// The demo's MQTT side: a bounded reachability probe, then the real publisher
// (outbox in a temporary directory removed afterwards). Without a broker the
// publisher is not started: the dispatcher still stores every event in the
// temporary outbox, as the agent does while its broker is away.
import EarshotPlatform
import EarshotMQTT

/// `HOST[:PORT]` → (host, port); port defaults to 1883. Nil when the port is not 1…65535.
public func parseBrokerAddress(_ text: String) -> (host: String, port: Int)? {
    if let colon = text.lastIndex(of: ":"), !text.hasPrefix("[") {
        guard let p = Int(text[text.index(after: colon)...]), (1...65_535).contains(p) else { return nil }
        let host = String(text[..<colon])
        return (host.isEmpty ? "localhost" : host, p)
    }
    return (text.isEmpty ? "localhost" : text, 1883)
}

/// The demo's publisher: connected to a broker, or (`connected` false) storing only.
public final class DemoBroker {
    /// The publisher (started only when connected).
    public let publisher: MQTTPublisher
    /// Its temporary outbox directory.
    public let directory: String
    /// Broker host and port ("" and 0 when offline).
    public let host: String
    public let port: Int
    /// True when the publisher was started and a broker accepted it.
    public let connected: Bool

    private init(publisher: MQTTPublisher, directory: String, host: String, port: Int, connected: Bool = true) {
        self.publisher = publisher
        self.directory = directory
        self.host = host
        self.port = port
        self.connected = connected
    }

    /// A publisher that is never started: events go to a temporary outbox only.
    public static func offline() throws(AgentError) -> DemoBroker {
        let dir = try temporaryDirectory()
        do {
            let p = try MQTTPublisher(configuration: MQTTConfiguration(site: "demo", sensor: "demo-1", outboxDirectory: dir),
                                      warn: { _ in })
            return DemoBroker(publisher: p, directory: dir, host: "", port: 0, connected: false)
        } catch {
            Directory.removeTree(dir)
            throw AgentError(.runtime, "demo outbox: \(error.description)")
        }
    }

    private static func temporaryDirectory() throws(AgentError) -> String {
        do { return try Directory.makeTemporary(prefix: "earshot-demo") } catch {
            throw AgentError(.mqtt, "cannot create a temporary outbox: \(error)")
        }
    }

    /// Connects within about `timeoutMs` or returns the reason it could not.
    public static func connect(host: String, port: Int, timeoutMs: Int) -> Result<DemoBroker, AgentError> {
        guard TCPProbe.reachable(host: host, port: port, timeoutMs: Int32(timeoutMs)) else {
            return .failure(AgentError(.mqtt, "nothing accepts connections on \(host):\(port)"))
        }
        let dir: String
        do { dir = try temporaryDirectory() } catch { return .failure(error) }
        var config = MQTTConfiguration(site: "demo", sensor: "demo-1", outboxDirectory: dir)
        config.host = host
        config.port = port
        do {
            let p = try MQTTPublisher(configuration: config, warn: { _ in })
            try p.start()
            if let e = p.waitUntilConnected(timeoutMs: timeoutMs) {
                p.stop(flushTimeoutMs: 0)
                Directory.removeTree(dir)
                return .failure(AgentError(.mqtt, e.description))
            }
            return .success(DemoBroker(publisher: p, directory: dir, host: host, port: port))
        } catch {
            Directory.removeTree(dir)
            return .failure(AgentError(.mqtt, error.description))
        }
    }

    /// Flushes (≤ 1 s), disconnects, removes the temporary outbox. Returns the events
    /// left unacknowledged.
    public func finish() -> (stored: Int, unacknowledged: Int) {
        if connected { publisher.stop(flushTimeoutMs: 1_000) }
        let pending = publisher.outboxStats.pendingEvents
        Directory.removeTree(directory)
        return (0, pending)
    }
}
