#if canImport(Glibc)
import EarshotPlatform
import Glibc
#endif
// Everything the publisher needs to know about the broker, the sensor and the outbox.

/// MQTT protocol version spoken to the broker.
public enum MQTTProtocolVersion: String, Sendable {
    /// MQTT 3.1.1.
    case v311 = "3.1.1"
    /// MQTT 5.0 (response topic + correlation data for command replies, reason codes).
    case v5 = "5"
}

/// TLS settings. Paths are PEM files readable by the agent.
public struct MQTTTLSConfiguration: Sendable, Equatable {
    /// CA certificate(s) that signed the broker's certificate.
    public var caFile: String
    /// Client certificate for mutual TLS (nil = none).
    public var certFile: String?
    /// Private key of `certFile`.
    public var keyFile: String?
    /// Skip checking that the broker certificate names the host. Off by default;
    /// turning it on allows man-in-the-middle attacks.
    public var insecureSkipHostnameCheck: Bool

    /// Builds TLS settings; hostname check on.
    public init(caFile: String, certFile: String? = nil, keyFile: String? = nil, insecureSkipHostnameCheck: Bool = false) {
        self.caFile = caFile; self.certFile = certFile; self.keyFile = keyFile
        self.insecureSkipHostnameCheck = insecureSkipHostnameCheck
    }
}

/// Reconnect delays: exponential growth from `initialDelayMs` up to `maxDelayMs`,
/// each delay randomised by ±`jitter` (fraction, 0…1) so a fleet of boxes does not
/// reconnect in lockstep after a broker restart.
public struct ReconnectPolicy: Sendable, Equatable {
    /// First delay after a failure, ms.
    public var initialDelayMs: Int
    /// Upper bound of the delay, ms.
    public var maxDelayMs: Int
    /// Growth factor per consecutive failure.
    public var multiplier: Double
    /// Relative jitter, 0…1 (0.3 = ±30 %).
    public var jitter: Double

    /// Defaults: 0.5 s doubling to 60 s, ±30 % jitter.
    public init(initialDelayMs: Int = 500, maxDelayMs: Int = 60_000, multiplier: Double = 2, jitter: Double = 0.3) {
        self.initialDelayMs = initialDelayMs; self.maxDelayMs = maxDelayMs
        self.multiplier = multiplier; self.jitter = jitter
    }

    /// Delay before attempt `failures` (1 = after the first failure), ms, using `random` in [0, 1).
    public func delayMs(afterFailures failures: Int, random: Double) -> Int {
        let n = max(failures - 1, 0)
        var base = Double(initialDelayMs)
        for _ in 0..<min(n, 64) { base *= multiplier; if base >= Double(maxDelayMs) { break } }
        base = min(base, Double(maxDelayMs))
        let factor = 1 + jitter * (2 * random - 1)
        return max(Int((base * factor).rounded()), 1)
    }
}

/// Configuration of an `MQTTPublisher`.
public struct MQTTConfiguration: Sendable, Equatable {
    /// Broker host name or IP address.
    public var host: String = "127.0.0.1"
    /// Broker TCP port (1883 plain, 8883 TLS by convention).
    public var port: Int = 1883
    /// Protocol version.
    public var protocolVersion: MQTTProtocolVersion = .v5
    /// MQTT client id; default `earshot-{sensor}`.
    public var clientID: String
    /// Username (nil = none).
    public var username: String?
    /// Password (nil = none).
    public var password: String?
    /// TLS settings (nil = plain TCP).
    public var tls: MQTTTLSConfiguration?
    /// Keepalive interval, s.
    public var keepAliveSeconds: Int = 30
    /// Reconnect backoff.
    public var reconnect = ReconnectPolicy()
    /// Topic prefix (`earshot/v1`).
    public var topicPrefix = "earshot/v1"
    /// Site id (one topic level).
    public var site: String
    /// Sensor id (one topic level).
    public var sensor: String
    /// Directory of the persistent outbox.
    public var outboxDirectory: String
    /// Outbox limits.
    public var outbox = OutboxOptions()
    /// Maximum records handed to libmosquitto and not yet acknowledged.
    public var maxInFlight = 32
    /// A record still unacknowledged this many seconds after it was handed to
    /// libmosquitto (and after the current connection began) is published again.
    public var republishAfterSeconds = 60
    /// Publish Home Assistant discovery configs (off by default).
    public var homeAssistantDiscovery = false
    /// Event classes announced to Home Assistant (one `event` entity each).
    public var homeAssistantEventClasses: [String] = []
    /// Home Assistant discovery prefix.
    public var homeAssistantPrefix = "homeassistant"
    /// Telemetry levels are calibrated dB SPL (the A-weighted LAeq in dB(A)); false: dBFS,
    /// relative to full scale. Home Assistant discovery declares the LAeq unit from it.
    public var levelsCalibrated = false
    /// A check tool's client (`earshot mqtt check`, `earshot selftest`), not a sensor: no
    /// last will and no status, online or offline (nothing retained is left on the broker),
    /// and only the commands it has handlers for are answered (no "unknown command" reply
    /// to its own status or telemetry). Sessions are clean either way. See `checkClient(role:)`.
    public var isCheckClient = false
    /// Signatures of the commands registered with `requiresSignature` (cmd/ptz): key,
    /// timestamp window, replay cache, and the insecure opt-out.
    public var commandAuthentication = CommandAuthentication()

    /// This configuration as a check tool's client: `isCheckClient`, no Home Assistant
    /// discovery, and a client id made unique (`<id>-<role>-<pid>-<4 hex digits>`), so two
    /// checks, or a check and the running agent, never take each other's connection.
    public func checkClient(role: String) -> MQTTConfiguration {
        var c = self
        c.isCheckClient = true
        c.homeAssistantDiscovery = false
        let ns = MonotonicClock.nanoseconds() % 1_000_000_000
        let tag = String(UInt16(truncatingIfNeeded: ns ^ (ns >> 16)), radix: 16)
        c.clientID = "\(clientID)-\(role)-\(getpid())-\(tag)"
        return c
    }

    /// Builds a configuration with defaults for everything but identity and outbox location.
    public init(site: String, sensor: String, outboxDirectory: String) {
        self.site = site; self.sensor = sensor; self.outboxDirectory = outboxDirectory
        clientID = "earshot-\(sensor)"
    }

    /// The topics derived from prefix, site and sensor.
    public var topics: MQTTTopics { MQTTTopics(prefix: topicPrefix, site: site, sensor: sensor) }

    /// Checks fields; throws `MQTTError.invalidConfiguration` naming the field.
    public func validate() throws(MQTTError) {
        for (field, value) in [("mqtt.site", site), ("mqtt.sensor", sensor)] {
            if value.isEmpty { throw .invalidConfiguration(field: field, reason: "must not be empty") }
            if value.contains(where: { $0 == "/" || $0 == "+" || $0 == "#" || $0 == "\0" }) {
                throw .invalidConfiguration(field: field, reason: "\"\(value)\" must not contain / + # (it is one topic level)")
            }
        }
        if host.isEmpty { throw .invalidConfiguration(field: "mqtt.host", reason: "must not be empty") }
        if !(1...65535).contains(port) { throw .invalidConfiguration(field: "mqtt.port", reason: "\(port) is not a TCP port (1…65535)") }
        if !(5...3600).contains(keepAliveSeconds) {
            throw .invalidConfiguration(field: "mqtt.keepalive", reason: "\(keepAliveSeconds) s is outside 5…3600 s")
        }
        if clientID.isEmpty || clientID.utf8.count > 65535 { throw .invalidConfiguration(field: "mqtt.client_id", reason: "must be 1…65535 bytes") }
        if password != nil && username == nil { throw .invalidConfiguration(field: "mqtt.password", reason: "a password needs a username") }
        if let t = tls, (t.certFile == nil) != (t.keyFile == nil) {
            throw .invalidConfiguration(field: "mqtt.tls", reason: "cert_file and key_file must be given together")
        }
        if let k = commandAuthentication.key, k.count < CommandAuthentication.minimumKeyBytes {
            throw .invalidConfiguration(field: "mqtt.command_key_file",
                                        reason: "the key has \(k.count) bytes; at least \(CommandAuthentication.minimumKeyBytes) are needed")
        }
        if !(1...3_600).contains(commandAuthentication.maxSkewSeconds) {
            throw .invalidConfiguration(field: "mqtt.command_max_skew_s", reason: "\(commandAuthentication.maxSkewSeconds) s is outside 1…3600 s")
        }
        if republishAfterSeconds < 5 { throw .invalidConfiguration(field: "mqtt.republish_after", reason: "\(republishAfterSeconds) s is below 5 s") }
        if maxInFlight < 1 || maxInFlight > 65535 { throw .invalidConfiguration(field: "mqtt.max_in_flight", reason: "must be 1…65535") }
        if reconnect.initialDelayMs < 1 || reconnect.maxDelayMs < reconnect.initialDelayMs || !(0...1).contains(reconnect.jitter) {
            throw .invalidConfiguration(field: "mqtt.reconnect", reason: "need 1 ≤ initial ≤ max delay and 0 ≤ jitter ≤ 1")
        }
    }
}
