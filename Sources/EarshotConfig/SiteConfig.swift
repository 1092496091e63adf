// What a site file describes: one installed sensor — identity, legal mode,
// broker, outbox, telemetry, detection overrides, clip policy, logging.
// Paths are resolved relative to the site file's directory when loaded.

/// The operating mode; what the sensor is allowed to do (privacy by design).
public enum OperatingMode: String, Equatable, Sendable, CaseIterable {
    /// Noise observatory: telemetry (levels) only, no event messages.
    case levels
    /// Levels plus event messages (the default).
    case events
    /// Events plus camera steering through GPIO; must be set explicitly.
    case eventsPTZ = "events+ptz"

    /// True when event messages are published.
    public var publishesEvents: Bool { self != .levels }
    /// True when the PTZ trigger may be driven.
    public var steersCamera: Bool { self == .eventsPTZ }
}

/// A site: one installed sensor box.
public struct SiteConfig: Equatable, Sendable {
    public var sensor: SensorSettings
    public var mqtt: MQTTSettings
    public var outbox: OutboxSettings
    public var telemetry: TelemetrySettings
    public var detection: DetectionSettings
    public var clips: ClipSettings
    public var logging: LoggingSettings

    public init(sensor: SensorSettings, mqtt: MQTTSettings = MQTTSettings(), outbox: OutboxSettings = OutboxSettings(),
                telemetry: TelemetrySettings = TelemetrySettings(), detection: DetectionSettings = DetectionSettings(),
                clips: ClipSettings = ClipSettings(), logging: LoggingSettings = LoggingSettings()) {
        self.sensor = sensor
        self.mqtt = mqtt
        self.outbox = outbox
        self.telemetry = telemetry
        self.detection = detection
        self.clips = clips
        self.logging = logging
    }
}

/// `[sensor]`: identity, board, mode.
public struct SensorSettings: Equatable, Sendable {
    /// Sensor id, used in topics: `A-Za-z0-9_-`, 1…64 characters.
    public var id: String
    /// Site name, used in topics: same alphabet.
    public var site: String
    /// The board as written in the file: a path (`boards/x.toml`) or a bare name (`generic`).
    public var board: String
    /// The board file found for `board` (absolute or relative to the working directory).
    public var boardPath: String
    public var mode: OperatingMode

    public init(id: String, site: String, board: String, boardPath: String? = nil, mode: OperatingMode = .events) {
        self.id = id
        self.site = site
        self.board = board
        self.boardPath = boardPath ?? board
        self.mode = mode
    }
}

/// `[mqtt]`: broker connection.
public struct MQTTSettings: Equatable, Sendable {
    public enum ProtocolVersion: String, Equatable, Sendable, CaseIterable {
        case v5
        case v311
    }

    /// Where the password comes from.
    public enum Password: Equatable, Sendable {
        /// Written in the site file.
        case inline(String)
        /// Read from this file at connect time (first line, without the newline).
        case file(String)
    }

    /// `[mqtt.tls]`: server verification and optional client certificate.
    public struct TLS: Equatable, Sendable {
        /// PEM file of the CA(s) that signed the broker's certificate.
        public var caFile: String
        /// PEM client certificate and key (both or neither).
        public var certFile: String?
        public var keyFile: String?

        public init(caFile: String, certFile: String? = nil, keyFile: String? = nil) {
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
        }
    }

    public var host: String
    /// TCP port, 1…65535 (default 1883, or 8883 with TLS).
    public var port: Int
    public var protocolVersion: ProtocolVersion
    /// MQTT client id (default `earshot-<site>-<id>`, see `defaultClientID`), 1…64 bytes.
    public var clientID: String
    public var username: String?
    public var password: Password?
    /// Keepalive interval, s (5…3600).
    public var keepaliveS: Int
    public var tls: TLS?
    /// Topic prefix; topics are `<prefix>/<site>/<sensor>/…` (default `earshot/v1`).
    public var topicPrefix: String
    /// Reconnect backoff bounds, s (exponential with jitter between them).
    public var reconnectMinS: Double
    public var reconnectMaxS: Double
    /// Publish Home Assistant MQTT discovery messages.
    public var homeAssistantDiscovery: Bool
    /// File holding the key of signed commands (cmd/ptz); nil: none, so they are refused.
    public var commandKeyFile: String? = nil
    /// Accepted difference between a signed command's `ts` and the box's clock, s (default 30).
    public var commandMaxSkewS: Int = 30
    /// Explicit insecure opt-out: carry out unsigned cmd/ptz (anyone who may publish moves the camera).
    public var insecureUnsignedCommands: Bool = false

    /// `earshot-<site>-<id>`, or, when that is longer than the 64 bytes a client id may
    /// have (site and id may each be 64), its first 55 bytes, "-" and 8 hex digits of
    /// its FNV-1a hash: still unique per box, and the same on every start.
    public static func defaultClientID(site: String, id: String) -> String {
        let full = "earshot-\(site)-\(id)"
        let bytes = Array(full.utf8)
        guard bytes.count > 64 else { return full }
        var hash: UInt32 = 2_166_136_261
        for b in bytes { hash = (hash ^ UInt32(b)) &* 16_777_619 }
        let hex = String(hash, radix: 16)
        return String(decoding: bytes[0..<55], as: UTF8.self) + "-" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    public init(host: String = "localhost", port: Int? = nil, protocolVersion: ProtocolVersion = .v5, clientID: String = "earshot",
                username: String? = nil, password: Password? = nil, keepaliveS: Int = 30, tls: TLS? = nil,
                topicPrefix: String = "earshot/v1", reconnectMinS: Double = 1, reconnectMaxS: Double = 60,
                homeAssistantDiscovery: Bool = false) {
        self.host = host
        self.port = port ?? (tls == nil ? 1883 : 8883)
        self.protocolVersion = protocolVersion
        self.clientID = clientID
        self.username = username
        self.password = password
        self.keepaliveS = keepaliveS
        self.tls = tls
        self.topicPrefix = topicPrefix
        self.reconnectMinS = reconnectMinS
        self.reconnectMaxS = reconnectMaxS
        self.homeAssistantDiscovery = homeAssistantDiscovery
    }
}

/// `[outbox]`: the on-disk queue of unacknowledged messages.
public struct OutboxSettings: Equatable, Sendable {
    /// Directory of the outbox files (default `/var/lib/earshot/outbox`, the
    /// service's StateDirectory).
    public var directory: String
    /// Upper bound of the outbox on disk, bytes (64 KiB … 1 GiB, default 16 MiB).
    public var maxBytes: Int

    public init(directory: String = "/var/lib/earshot/outbox", maxBytes: Int = 16 << 20) {
        self.directory = directory
        self.maxBytes = maxBytes
    }
}

/// `[telemetry]`: periodic levels.
public struct TelemetrySettings: Equatable, Sendable {
    /// Interval between telemetry messages, s (1…3600, default 60).
    public var intervalS: Int

    public init(intervalS: Int = 60) { self.intervalS = intervalS }
}

/// `[detection]`: signature table and threshold overrides.
public struct DetectionSettings: Equatable, Sendable {
    /// Threshold overrides (`[detection.thresholds]`); nil = the table's value.
    public struct Thresholds: Equatable, Sendable {
        /// Impulses above this level, dB SPL (needs calibration), raise a
        /// `loud_impulse` event whatever their class (60…160).
        public var loudImpulseDBSPL: Double?
        /// Minimum confidence for any class to fire (0…1).
        public var minConfidence: Double?
        /// Minimum SNR above the background for any class, dB (0…60).
        public var minSNRDB: Double?

        public init(loudImpulseDBSPL: Double? = nil, minConfidence: Double? = nil, minSNRDB: Double? = nil) {
            self.loudImpulseDBSPL = loudImpulseDBSPL
            self.minConfidence = minConfidence
            self.minSNRDB = minSNRDB
        }
    }

    /// Signature table file; nil = the table built into the binary.
    public var tablePath: String?
    public var thresholds: Thresholds

    public init(tablePath: String? = nil, thresholds: Thresholds = Thresholds()) {
        self.tablePath = tablePath
        self.thresholds = thresholds
    }
}

/// `[clips]`: optional audio clips around events — off by default, always bounded.
public struct ClipSettings: Equatable, Sendable {
    /// Largest allowed `maxSeconds` (legal bound of the product).
    public static let maxSecondsLimit = 30
    /// Keep clips at all (default false: no audio is ever written).
    public var enabled: Bool
    /// Length of one clip, s (1…30).
    public var maxSeconds: Int
    /// Clips kept at most; the oldest is deleted first (1…1000).
    public var maxCount: Int
    /// Clips older than this are deleted, hours (1…720).
    public var maxAgeHours: Int
    /// Where clips go (default `/var/lib/earshot/clips`).
    public var directory: String

    public init(enabled: Bool = false, maxSeconds: Int = 10, maxCount: Int = 50, maxAgeHours: Int = 72,
                directory: String = "/var/lib/earshot/clips") {
        self.enabled = enabled
        self.maxSeconds = maxSeconds
        self.maxCount = maxCount
        self.maxAgeHours = maxAgeHours
        self.directory = directory
    }
}

/// `[logging]`.
public struct LoggingSettings: Equatable, Sendable {
    public enum Level: String, Equatable, Sendable, CaseIterable {
        case error, warning, info, debug
    }

    public var level: Level

    public init(level: Level = .info) { self.level = level }
}
