// The text of a site file (TOML) for an agent that the tests, the agent
// benchmark and the soak start against a broker on 127.0.0.1.

/// A site file for `earshot run` talking to a local test broker. Only the
/// fields the harnesses vary are parameters; `text` is the TOML.
public struct TestSiteFile: Sendable {
    /// `[sensor] id` (the topic's last level).
    public var sensor: String
    /// `[sensor] site`.
    public var site: String
    /// Path of the board file.
    public var board: String
    /// Privacy mode: `levels`, `events` or `events+ptz`.
    public var mode: String
    /// Broker port on 127.0.0.1.
    public var port: Int
    /// Outbox directory.
    public var outbox: String
    /// Keepalive 5 s and reconnect backoff 0.2–1.0 s, so broker-kill tests finish quickly.
    public var fastReconnect: Bool
    /// `[telemetry] interval_s` in s; nil keeps the default.
    public var telemetryS: Int?
    /// `[logging] level`; nil keeps the default.
    public var logLevel: String?
    /// `[detection] table` (a signature-table JSON path); nil uses the default table.
    public var table: String?
    /// More `[mqtt]` lines (e.g. `command_key_file = "…"`).
    public var mqttExtra: String

    public init(sensor: String, site: String = "test", board: String, mode: String = "events", port: Int,
                outbox: String, fastReconnect: Bool = true, telemetryS: Int? = nil, logLevel: String? = nil,
                table: String? = nil, mqttExtra: String = "") {
        self.sensor = sensor; self.site = site; self.board = board; self.mode = mode; self.port = port
        self.outbox = outbox; self.fastReconnect = fastReconnect; self.telemetryS = telemetryS
        self.logLevel = logLevel; self.table = table; self.mqttExtra = mqttExtra
    }

    /// The TOML text.
    public var text: String {
        var t = """
        [sensor]
        id = "\(sensor)"
        site = "\(site)"
        board = "\(board)"
        mode = "\(mode)"
        [mqtt]
        host = "127.0.0.1"
        port = \(port)

        """
        if fastReconnect { t += "keepalive_s = 5\nreconnect_min_s = 0.2\nreconnect_max_s = 1.0\n" }
        if !mqttExtra.isEmpty { t += mqttExtra + "\n" }
        t += "[outbox]\ndirectory = \"\(outbox)\"\n"
        if let telemetryS { t += "[telemetry]\ninterval_s = \(telemetryS)\n" }
        if let logLevel { t += "[logging]\nlevel = \"\(logLevel)\"\n" }
        if let table { t += "[detection]\ntable = \"\(table)\"\n" }
        return t
    }
}
