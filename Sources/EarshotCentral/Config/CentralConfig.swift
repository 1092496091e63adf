// Everything `earshot-central --config FILE` reads: broker, fusion tunables, the registry.

/// How the centre reaches the broker (MQTT v5 only: shared subscriptions need it).
public struct CentralMQTTSettings: Sendable, Equatable {
    /// Broker host name or IP address.
    public var host = "127.0.0.1"
    /// Broker TCP port.
    public var port = 1883
    /// MQTT client id; default `earshot-central-{site}`. Each instance needs its own.
    public var clientID: String?
    /// Username (nil = anonymous).
    public var username: String?
    /// Password (nil = none).
    public var password: String?
    /// TLS CA file (PEM); nil = plain TCP.
    public var caFile: String?
    /// Client certificate for mutual TLS (PEM).
    public var certFile: String?
    /// Key of `certFile` (PEM).
    public var keyFile: String?
    /// Keepalive, s.
    public var keepAliveSeconds = 30
    /// Topic prefix the boxes publish under.
    public var topicPrefix = "earshot/v1"
    /// Shared-subscription group: filters become `$share/{group}/…` (nil = ordinary subscriptions).
    public var shareGroup: String?
    /// Session expiry asked of the broker, s: events queued while the centre reconnects survive it.
    public var sessionExpirySeconds = 3600
    /// First reconnect delay after a loss, s; it doubles per failed attempt up to
    /// `reconnectMaxSeconds`. The centre is one client per site, so it retries quickly: it is
    /// back within half a second of its broker, before the boxes' outbox replays (boxes, by
    /// the thousand, back off for longer and with jitter). Whole seconds here made it try at
    /// 1 s and then 3 s after a broker kill: the 2.5 s latency p99 of `make fleet`.
    public var reconnectMinSeconds = 0.1
    /// Largest reconnect delay, s.
    public var reconnectMaxSeconds = 0.5
    /// `command_key_file`'s key: cmd/ptz is signed with it (HMAC-SHA256, the boxes' own key;
    /// Deploy/README.md "Signed commands"). Nil: sent unsigned, which boxes refuse unless
    /// their site sets insecure_unsigned_commands.
    public var commandKey: [UInt8]?

    /// Defaults: 127.0.0.1:1883, anonymous, no TLS.
    public init() {}

    /// The subscription filters for `site`: events and statuses of every box, or with a
    /// partition plan those of the boxes it listens to.
    public func filters(site: String, partition: PartitionPlan? = nil) -> [String] {
        let boxes = partition?.boxIDs ?? ["+"]
        return boxes.flatMap { box in
            ["event", "status"].map { kind in
                let f = "\(topicPrefix)/\(site)/\(box)/\(kind)"
                return shareGroup.map { "$share/\($0)/\(f)" } ?? f
            }
        }
    }
}

/// The centre's whole configuration (one TOML file: `[mqtt]`, `[fusion]`, and the registry's
/// `[site]`, `[[box]]`, `[[street]]`).
public struct CentralConfig: Sendable, Equatable {
    /// The trusted boxes.
    public var registry: SiteRegistry
    /// Broker settings.
    public var mqtt: CentralMQTTSettings
    /// Fusion tunables.
    public var fusion: FusionSettings
    /// This instance's strip of the site (`[partition]`); nil = the whole site.
    public var partition: SitePartition?
    /// `partition` applied to the registry (nil = the whole site).
    public var partitionPlan: PartitionPlan? { partition?.plan(registry) }
    /// Where the operator's page listens (`[http] listen = "127.0.0.1:8080"`), IPv4 host and port; nil = no page.
    public var httpListen: (host: String, port: Int)? {
        get { httpHost.map { ($0, httpPort) } }
        set { httpHost = newValue?.host; httpPort = newValue?.port ?? 0 }
    }
    private var httpHost: String?
    private var httpPort = 0

    /// Builds a configuration.
    public init(registry: SiteRegistry, mqtt: CentralMQTTSettings = CentralMQTTSettings(),
                fusion: FusionSettings = FusionSettings()) {
        self.registry = registry; self.mqtt = mqtt; self.fusion = fusion
    }
}
