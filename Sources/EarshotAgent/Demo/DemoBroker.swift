// The demo's MQTT side: a bounded reachability probe, then the real publisher
// (outbox in a temporary directory removed afterwards). Without a broker the
// publisher is not started: the dispatcher still stores every event in the
// temporary outbox, as the agent does while its broker is away.
import EarshotPlatform
import EarshotMQTT
#if canImport(Glibc)
import Glibc
#endif

/// `HOST[:PORT]` → (host, port); port defaults to 1883. Nil when the port is not 1…65535.
public func parseBrokerAddress(_ text: String) -> (host: String, port: Int)? {
    if let colon = text.lastIndex(of: ":"), !text.hasPrefix("[") {
        guard let p = Int(text[text.index(after: colon)...]), (1...65_535).contains(p) else { return nil }
        let host = String(text[..<colon])
        return (host.isEmpty ? "localhost" : host, p)
    }
    return (text.isEmpty ? "localhost" : text, 1883)
}

/// True when a TCP connection to host:port is accepted within `timeoutMs`.
func tcpReachable(host: String, port: Int, timeoutMs: Int32) -> Bool {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var res: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(host, String(port), &hints, &res) == 0, let first = res else { return false }
    defer { freeaddrinfo(res) }
    var ai: UnsafeMutablePointer<addrinfo>? = first
    while let a = ai {
        defer { ai = a.pointee.ai_next }
        let s = socket(a.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        if s < 0 { continue }
        defer { close(s) }
        if connect(s, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 { return true }
        guard errno == EINPROGRESS else { continue }
        var p = pollfd(fd: s, events: Int16(POLLOUT), revents: 0)
        guard poll(&p, 1, timeoutMs) == 1 else { continue }
        var err: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len)
        if err == 0 { return true }
    }
    return false
}

/// The demo's publisher: connected to a broker, or (`connected` false) storing only.
final class DemoBroker {
    let publisher: MQTTPublisher
    let directory: String
    let host: String
    let port: Int
    /// True when the publisher was started and a broker accepted it.
    let connected: Bool

    private init(publisher: MQTTPublisher, directory: String, host: String, port: Int, connected: Bool = true) {
        self.publisher = publisher
        self.directory = directory
        self.host = host
        self.port = port
        self.connected = connected
    }

    /// A publisher that is never started: events go to a temporary outbox only.
    static func offline() throws(AgentError) -> DemoBroker {
        let dir = try temporaryDirectory()
        do {
            let p = try MQTTPublisher(configuration: MQTTConfiguration(site: "demo", sensor: "demo-1", outboxDirectory: dir),
                                      warn: { _ in })
            return DemoBroker(publisher: p, directory: dir, host: "", port: 0, connected: false)
        } catch {
            removeTree(dir)
            throw AgentError(.runtime, "demo outbox: \(error.description)")
        }
    }

    private static func temporaryDirectory() throws(AgentError) -> String {
        var template = Array("/tmp/earshot-demo-XXXXXX".utf8CString)
        guard let dirp = mkdtemp(&template) else {
            throw AgentError(.mqtt, "cannot create a temporary outbox: \(Errno.current.description)")
        }
        return String(cString: dirp)
    }

    /// Connects within about `timeoutMs` or returns the reason it could not.
    static func connect(host: String, port: Int, timeoutMs: Int) -> Result<DemoBroker, AgentError> {
        guard tcpReachable(host: host, port: port, timeoutMs: Int32(timeoutMs)) else {
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
                removeTree(dir)
                return .failure(AgentError(.mqtt, e.description))
            }
            return .success(DemoBroker(publisher: p, directory: dir, host: host, port: port))
        } catch {
            removeTree(dir)
            return .failure(AgentError(.mqtt, error.description))
        }
    }

    /// Flushes (≤ 1 s), disconnects, removes the temporary outbox. Returns the events
    /// left unacknowledged.
    func finish() -> (stored: Int, unacknowledged: Int) {
        if connected { publisher.stop(flushTimeoutMs: 1_000) }
        let pending = publisher.outboxStats.pendingEvents
        Self.removeTree(directory)
        return (0, pending)
    }

    /// Removes `dir` and the files in it (the outbox is flat).
    static func removeTree(_ dir: String) {
        if let d = opendir(dir) {
            while let e = readdir(d) {
                let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
                if name == "." || name == ".." { continue }
                let p = dir + "/" + name
                if unlink(p) != 0 { removeTree(p) }
            }
            closedir(d)
        }
        rmdir(dir)
    }
}
