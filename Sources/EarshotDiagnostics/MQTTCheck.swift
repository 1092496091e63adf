// `earshot mqtt check`: can this box reach its broker? Connects with the site's
// (or the command line's) settings through the agent's own MQTTPublisher, publishes
// one QoS 1 test message to a check topic, times the broker's PUBACK, and times the
// message's return through a subscription (the agent's own command subscription).
import EarshotAgent
import EarshotConfig
import EarshotPlatform
import EarshotMQTT
import EarshotText
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Exit statuses of `earshot mqtt check`.
public enum MQTTCheckExit {
    public static let pass: Int32 = 0
    /// A step failed (broker unreachable, refused, TLS, auth, no PUBACK).
    public static let fail: Int32 = 4
    /// The site file or options are invalid.
    public static let config: Int32 = 2
}

/// Runs the check for `config` (its outbox directory is replaced by a temporary
/// one, removed afterwards; its sensor becomes `<sensor>-check` so nothing lands
/// on the sensor's real event topic). `timeoutMs` bounds each step.
public func mqttCheck(_ config: MQTTConfiguration, timeoutMs: Int = 3_000) -> DiagnosticOutput {
    var lines: [String] = []
    var c = config
    c.sensor = config.sensor + "-check"
    c = c.checkClient(role: "check")  // nothing retained, no will, unique clean-session client
    let dir: String
    do { dir = try Directory.makeTemporary(prefix: "earshot-mqtt-check") } catch {
        return DiagnosticOutput(lines: ["FAIL  cannot create a temporary outbox: \(error)"], exitCode: MQTTCheckExit.fail)
    }
    defer { Directory.removeTree(dir) }
    c.outboxDirectory = dir
    let where_ = "\(c.host):\(c.port)\(c.tls != nil ? " (TLS)" : "")\(c.username.map { " as \($0)" } ?? "")"

    // Receiver: the sensor's own identity with "-check" appended; it subscribes to its
    // command filter `…/cmd/+` exactly as the agent does. Sender: a second client whose
    // event topic is the receiver's `…/cmd/event`, so the message published by one comes
    // back through the broker's subscription to the other.
    var sender = c
    sender.topicPrefix = "\(c.topicPrefix)/\(c.site)"
    sender.site = c.sensor
    sender.sensor = "cmd"
    sender.clientID = c.clientID + "-echo"
    let dir2: String
    do { dir2 = try Directory.makeTemporary(prefix: "earshot-mqtt-check") } catch {
        return DiagnosticOutput(lines: ["FAIL  cannot create a temporary outbox: \(error)"], exitCode: MQTTCheckExit.fail)
    }
    defer { Directory.removeTree(dir2) }
    sender.outboxDirectory = dir2

    let publisher: MQTTPublisher
    let echo: MQTTPublisher
    do {
        publisher = try MQTTPublisher(configuration: c, warn: { _ in })
        echo = try MQTTPublisher(configuration: sender, warn: { _ in })
    } catch {
        return DiagnosticOutput(lines: ["FAIL  configuration: \(error.description)"], exitCode: MQTTCheckExit.config)
    }
    let received = Atomic<Int64>(0)
    publisher.setCommandHandler("event") { _ in
        received.store(AgentClock.monotonicNanoseconds(), ordering: .releasing)
        return CommandReply(ok: true, message: "mqtt check round trip received")
    }
    let acked = Atomic<Int64>(0)
    echo.onAcknowledged = { _ in acked.store(AgentClock.monotonicNanoseconds(), ordering: .releasing) }
    let t0 = AgentClock.monotonicNanoseconds()
    do { try publisher.start() } catch {
        return DiagnosticOutput(lines: ["FAIL  connect to \(where_): \(error.description)"], exitCode: MQTTCheckExit.fail)
    }
    defer { publisher.stop(flushTimeoutMs: 500) }
    if let e = publisher.waitUntilConnected(timeoutMs: timeoutMs) {
        lines.append("FAIL  connect to \(where_): \(e.description)")
        return DiagnosticOutput(lines: lines, exitCode: MQTTCheckExit.fail)
    }
    let connectMs = Double(AgentClock.monotonicNanoseconds() - t0) / 1e6
    lines.append("PASS  connect to \(where_) in \(FixedDecimal.string(connectMs, 1)) ms (CONNACK accepted; subscribing to \(publisher.topics.commandFilter))")

    do { try echo.start() } catch {
        lines.append("FAIL  second connection (client id \(sender.clientID)) to \(where_): \(error.description)")
        return DiagnosticOutput(lines: lines, exitCode: MQTTCheckExit.fail)
    }
    defer { echo.stop(flushTimeoutMs: 500) }
    if let e = echo.waitUntilConnected(timeoutMs: timeoutMs) {
        lines.append("FAIL  second connection (client id \(sender.clientID)) to \(where_): \(e.description)")
        return DiagnosticOutput(lines: lines, exitCode: MQTTCheckExit.fail)
    }

    let message = EventMessage(eventClass: "mqtt_check", onset: UTCTimestamp(nanosecondsSinceEpoch: Int64(time(nil)) * 1_000_000_000),
                               durationMs: 0, peakDBFS: -120, confidence: 0)
    // The receiver's SUBSCRIBE goes out right after CONNACK; a message sent before the
    // broker has it is not delivered, so the publish is repeated every 500 ms (bounded).
    let sent = AgentClock.monotonicNanoseconds()
    var lastSent = sent
    do {
        _ = try echo.publish(event: message)
    } catch {
        lines.append("FAIL  publish to \(echo.topics.event): the local outbox refused it: \(error.description)")
        return DiagnosticOutput(lines: lines, exitCode: MQTTCheckExit.fail)
    }
    let deadline = sent + Int64(timeoutMs) * 1_000_000
    while (acked.load(ordering: .acquiring) == 0 || received.load(ordering: .acquiring) == 0) && AgentClock.monotonicNanoseconds() < deadline {
        usleep(1_000)
        let now = AgentClock.monotonicNanoseconds()
        if acked.load(ordering: .acquiring) != 0 && received.load(ordering: .acquiring) == 0 && now - lastSent > 500_000_000 {
            lastSent = now
            _ = try? echo.publish(event: message)
        }
    }
    let ack = acked.load(ordering: .acquiring)
    if ack == 0 {
        let why = echo.lastError?.description ?? "the broker did not acknowledge within \(timeoutMs) ms (ACL denying publish on this topic?)"
        lines.append("FAIL  publish QoS 1 to \(echo.topics.event): \(why)")
        return DiagnosticOutput(lines: lines, exitCode: MQTTCheckExit.fail)
    }
    lines.append("PASS  publish QoS 1 to \(echo.topics.event): PUBACK after \(FixedDecimal.string(Double(ack - sent) / 1e6, 1)) ms (round trip incl. local outbox write)")
    let got = received.load(ordering: .acquiring)
    if got == 0 {
        lines.append("FAIL  subscribe round trip: the message was not delivered back within \(timeoutMs) ms: the broker accepted it but "
                     + "did not route it to \(publisher.topics.commandFilter) — an ACL denying subscribe (or read) there? The agent needs "
                     + "it for remote commands (cmd/ping, cmd/ptz, cmd/selftest)")
        return DiagnosticOutput(lines: lines, exitCode: MQTTCheckExit.fail)
    }
    lines.append("PASS  subscribe round trip: own message back on \(echo.topics.event) after \(FixedDecimal.string(Double(got - lastSent) / 1e6, 1)) ms RTT "
                 + "(publish → broker → subscription \(publisher.topics.commandFilter))")
    lines.append("PASS  broker \(where_) works for Earshot")
    return DiagnosticOutput(lines: lines, exitCode: MQTTCheckExit.pass)
}

/// The MQTT settings of site file `path` (password file read), or the error text.
public func mqttConfiguration(siteFile path: String) -> Result<MQTTConfiguration, AgentError> {
    do {
        let site = try SiteConfig.load(path: path)
        return .success(try AgentPlan.mqttConfiguration(site, table: AgentPlan.builtInTable))
    } catch let e as AgentError {
        return .failure(e)
    } catch {
        return .failure(AgentError(.config, "\(error)"))
    }
}

/// Settings for `--host/--port` (anonymous, no TLS).
public func mqttConfiguration(host: String, port: Int) -> MQTTConfiguration {
    var c = MQTTConfiguration(site: "check", sensor: "earshot", outboxDirectory: "/nonexistent")
    c.host = host
    c.port = port
    c.reconnect = ReconnectPolicy(initialDelayMs: 200, maxDelayMs: 1_000)
    return c
}

/// The publisher settings `earshot mqtt check` uses (re-exported for the CLI).
public typealias MQTTCheckConfiguration = MQTTConfiguration
