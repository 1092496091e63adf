// The retained status payload (and the last will's "offline" form).
import EarshotText

/// What the agent reports on `…/status` (QoS 1, retained). The publisher adds
/// identity, time, uptime and outbox counters. Schema: `Schemas/status.schema.json`.
public struct StatusMessage: Sendable, Equatable {
    /// Operating mode: "levels", "events" or "events+ptz" (the privacy modes of issue 5).
    public var mode: String
    /// Software version string, e.g. "0.3.0".
    public var softwareVersion: String
    /// Audio capture health: "ok", "recovering", "device_lost", "stopped".
    public var audio: String
    /// Clock synchronisation state.
    public var clock: ClockSync
    /// Free-form detail for a technician (e.g. the last capture error), composed in a fixed
    /// buffer (`StatusText`, no heap); nil = omitted.
    public var detail: StatusText?
    /// Capture health (`capture`); nil = omitted.
    public var capture: CaptureReport?
    /// PTZ trigger (`ptz`); nil = omitted.
    public var ptz: PTZReport?
    /// Analysis counters (`analysis`); nil = omitted.
    public var analysis: AnalysisReport?

    /// Builds a status.
    public init(mode: String = "events", softwareVersion: String = "0.0.0", audio: String = "ok",
                clock: ClockSync = .unknown, detail: StatusText? = nil, capture: CaptureReport? = nil,
                ptz: PTZReport? = nil, analysis: AnalysisReport? = nil) {
        self.mode = mode; self.softwareVersion = softwareVersion; self.audio = audio
        self.clock = clock; self.detail = detail
        self.capture = capture; self.ptz = ptz; self.analysis = analysis
    }
}

/// Counters from the outbox and the connection, embedded in every status payload.
public struct PublisherCounters: Sendable, Equatable {
    /// Outbox statistics.
    public var outbox: OutboxStats
    /// Successful (re)connections since start.
    public var connections: UInt64
    /// Seconds since the publisher started.
    public var uptimeSeconds: Int64
    /// Commands that require a signature: how they are checked, carried out, refused.
    public var commands = CommandCounters()

    public init(outbox: OutboxStats, connections: UInt64, uptimeSeconds: Int64, commands: CommandCounters = CommandCounters()) {
        self.outbox = outbox; self.connections = connections; self.uptimeSeconds = uptimeSeconds; self.commands = commands
    }
}

/// Counters of the commands that require a signature (status `commands`).
public struct CommandCounters: Sendable, Equatable {
    /// `CommandAuthentication.summary`.
    public var auth = "hmac-sha256"
    /// Carried out after their signature (or the insecure opt-out) was accepted.
    public var accepted: UInt64 = 0
    /// Refused: unsigned, bad signature, stale timestamp, replayed nonce, …
    public var refused: UInt64 = 0
    /// `CommandRefusal.code` of the last refusal.
    public var lastRefusal: String?
    public init() {}
}

extension StatusMessage {
    func encode(into w: JSONWriter, online: Bool, site: String, sensor: String, bootID: String,
                time: UTCTimestamp, counters: PublisherCounters) {
        w.reset()
        w.beginObject()
        w.key("schema"); w.int(earshotPayloadSchemaVersion)
        w.key("state"); if online { w.string("online") } else { w.string("offline") }
        w.key("site"); w.string(site)
        w.key("sensor"); w.string(sensor)
        w.key("boot_id"); w.string(bootID)
        w.key("time"); w.timestamp(time)
        w.key("uptime_s"); w.int(counters.uptimeSeconds)
        w.key("mode"); w.string(mode)
        w.key("version"); w.string(softwareVersion)
        w.key("audio"); w.string(audio)
        w.key("clock"); w.clockSync(clock)
        w.key("outbox"); w.beginObject()
        w.key("pending"); w.int(counters.outbox.pendingRecords)
        w.key("pending_events"); w.int(counters.outbox.pendingEvents)
        w.key("bytes"); w.int(counters.outbox.liveBytes)
        w.key("dropped_events"); w.uint(counters.outbox.droppedEvents)
        w.key("dropped_telemetry"); w.uint(counters.outbox.droppedTelemetry)
        w.key("write_failures"); w.uint(counters.outbox.writeFailures)
        w.key("direct_published"); w.uint(counters.outbox.directPublished)
        w.key("lost_events"); w.uint(counters.outbox.lostEvents)
        w.key("corrupt_skipped"); w.uint(counters.outbox.corruptRecordsSkipped)
        w.endObject()
        w.key("connections"); w.uint(counters.connections)
        w.key("commands"); w.beginObject()
        w.key("auth"); w.string(counters.commands.auth)
        w.key("accepted"); w.uint(counters.commands.accepted)
        w.key("refused"); w.uint(counters.commands.refused)
        w.key("last_refusal"); if let r = counters.commands.lastRefusal { w.string(r) } else { w.null() }
        w.endObject()
        if let c = capture { w.key("capture"); w.captureReport(c) }
        if let p = ptz { w.key("ptz"); w.ptzReport(p) }
        if let a = analysis { w.key("analysis"); w.analysisReport(a) }
        if let d = detail { w.key("detail"); d.withUTF8 { w.string(utf8: $0) } }
        w.endObject()
    }

    /// The last will: `{"schema":1,"state":"offline",…,"reason":"connection lost"}`.
    static func encodeWill(into w: JSONWriter, site: String, sensor: String, bootID: String) {
        w.reset()
        w.beginObject()
        w.key("schema"); w.int(earshotPayloadSchemaVersion)
        w.key("state"); w.string("offline")
        w.key("site"); w.string(site)
        w.key("sensor"); w.string(sensor)
        w.key("boot_id"); w.string(bootID)
        w.key("reason"); w.string("connection lost")
        w.endObject()
    }
}
