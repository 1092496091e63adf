// Topic names of the MQTT contract (DESIGN.md "MQTT contract").

/// The topics one sensor publishes and subscribes to:
/// `{prefix}/{site}/{sensor}/event|status|telemetry|cmd/{name}[/reply]`,
/// with `prefix` = `earshot/v1` by default. Built once at configuration time.
public struct MQTTTopics: Sendable, Equatable {
    /// `{prefix}/{site}/{sensor}`.
    public let base: String
    /// Events: QoS 1, not retained.
    public let event: String
    /// Status: QoS 1, retained; the last will sets it offline.
    public let status: String
    /// Telemetry (noise levels): QoS 0, not retained.
    public let telemetry: String
    /// Subscription filter for commands: `{base}/cmd/+`.
    public let commandFilter: String

    /// Builds the topics. `site` and `sensor` must be non-empty and must not contain
    /// `/`, `+`, `#` or NUL (checked by `MQTTConfiguration.validate()`).
    public init(prefix: String = "earshot/v1", site: String, sensor: String) {
        base = "\(prefix)/\(site)/\(sensor)"
        event = base + "/event"
        status = base + "/status"
        telemetry = base + "/telemetry"
        commandFilter = base + "/cmd/+"
    }

    /// `{base}/cmd/{name}`.
    public func command(_ name: String) -> String { base + "/cmd/" + name }
    /// `{base}/cmd/{name}/reply`: where replies go when the request carried no
    /// MQTT v5 response topic.
    public func commandReply(_ name: String) -> String { base + "/cmd/" + name + "/reply" }

    /// The command name of a topic under `{base}/cmd/`, or nil.
    public func commandName(ofTopic topic: String) -> String? {
        let prefix = base + "/cmd/"
        guard topic.hasPrefix(prefix) else { return nil }
        let name = topic.dropFirst(prefix.count)
        guard !name.isEmpty, !name.contains("/") else { return nil }
        return String(name)
    }
}
