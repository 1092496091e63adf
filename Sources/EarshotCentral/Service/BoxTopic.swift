// `{prefix}/{site}/{sensor}/{kind}`: which box published what.

/// A box topic split into its levels.
public struct BoxTopic: Sendable, Equatable {
    /// Site level.
    public var site: String
    /// Sensor level (the box id as published).
    public var sensor: String
    /// `event` or `status` (or whatever the last level was).
    public var kind: String

    /// Splits `topic` under `prefix` (e.g. `earshot/v1`); nil when it is not `prefix/site/sensor/kind`.
    public init?(_ topic: String, prefix: String) {
        guard topic.hasPrefix(prefix + "/") else { return nil }
        let rest = topic.dropFirst(prefix.count + 1).split(separator: "/", omittingEmptySubsequences: false)
        guard rest.count == 3, rest.allSatisfy({ !$0.isEmpty }) else { return nil }
        site = String(rest[0]); sensor = String(rest[1]); kind = String(rest[2])
    }
}
