// central.toml → `CentralConfig`; every problem names its field (and box).
import EarshotConfig
import EarshotAgent
import EarshotPlatform
import Glibc

extension CentralConfig {
    static let mqttKeys = ["host", "port", "client_id", "username", "password", "password_file", "keepalive_s", "tls",
                           "topic_prefix", "share_group", "session_expiry_s", "reconnect_min_s", "reconnect_max_s", "command_key_file"]
    static let tlsKeys = ["ca_file", "cert_file", "key_file"]
    static let fusionKeys = ["close_after_s", "remember_closed_s", "onset_jitter_ms", "unknown_sync_error_ms",
                             "max_future_s", "gate_sigmas", "source_level_db_spl"]

    /// Reads and validates the file at `path` (relative paths inside it are relative to its folder).
    public static func load(path: String) throws(ConfigError) -> CentralConfig {
        let bytes: [UInt8]
        do { bytes = try FileAccess.read(path, maxBytes: 16 << 20) }
        catch { throw ConfigError([ConfigIssue(file: path, message: error.description)]) }
        let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        return try parse(String(decoding: bytes, as: UTF8.self), file: path, folder: folder)
    }

    /// Parses configuration text; `file` names it in messages, `folder` anchors relative paths.
    public static func parse(_ text: String, file: String, folder: String = ".") throws(ConfigError) -> CentralConfig {
        let doc: TOMLDocument
        do { doc = try TOMLDocument(parsing: text, file: file) }
        catch { throw ConfigError([ConfigIssue(file: file, position: error.position, message: error.message)]) }
        var r = RegistryReader(file: file)
        let registry = SiteRegistry.decode(doc.root, reader: &r, extraTopKeys: ["mqtt", "fusion", "http", "partition"])
        var mqtt = CentralMQTTSettings()
        if let t = r.table(doc.root, "mqtt") { decodeMQTT(t, &mqtt, &r, folder: folder) }
        var fusion = FusionSettings()
        if let t = r.table(doc.root, "fusion") { decodeFusion(t, &fusion, &r) }
        var http: (String, Int)?
        if let t = r.table(doc.root, "http") { http = decodeHTTP(t, &r) }
        var partition: SitePartition?
        if let t = r.table(doc.root, "partition") { partition = decodePartition(t, &r) }
        if !r.issues.isEmpty { throw ConfigError(r.issues) }
        var config = CentralConfig(registry: registry, mqtt: mqtt, fusion: fusion)
        config.httpListen = http
        config.partition = partition
        return config
    }

    static func decodePartition(_ t: TOMLTable, _ r: inout RegistryReader) -> SitePartition? {
        let p = "partition"
        r.unknownKeys(t, allowed: ["index", "count", "margin_m"], path: p)
        let count = r.number(t, "count", path: p, required: true, range: 1...64, rule: "must be a whole number 1…64")
        let index = r.number(t, "index", path: p, required: true, range: 0...63, rule: "must be a whole number 0…count − 1")
        let margin = r.number(t, "margin_m", path: p, range: 0...100_000, rule: "must be 0…100000 m")
        guard let count, let index else { return nil }
        if count != count.rounded() { r.fail(p, "count", t["count"], "must be a whole number 1…64"); return nil }
        if index != index.rounded() { r.fail(p, "index", t["index"], "must be a whole number 0…count − 1"); return nil }
        guard index < count else {
            r.fail(p, "index", t["index"], "must be 0…\(Int(count) - 1) (count = \(Int(count)))")
            return nil
        }
        return SitePartition(index: Int(index), count: Int(count), marginM: margin)
    }

    static func decodeHTTP(_ t: TOMLTable, _ r: inout RegistryReader) -> (String, Int)? {
        r.unknownKeys(t, allowed: ["listen"], path: "http")
        guard let l = r.string(t, "listen", path: "http") else { return nil }
        let parts = l.split(separator: ":", omittingEmptySubsequences: false)
        var a = in_addr()
        guard parts.count == 2, let port = Int(parts[1]), (0...65535).contains(port), inet_pton(AF_INET, String(parts[0]), &a) == 1 else {
            r.fail("http", "listen", .string(l), "must be IPv4-address:port, e.g. \"127.0.0.1:8080\"")
            return nil
        }
        return (String(parts[0]), port)
    }

    static func decodeMQTT(_ t: TOMLTable, _ m: inout CentralMQTTSettings, _ r: inout RegistryReader, folder: String) {
        let p = "mqtt"
        r.unknownKeys(t, allowed: mqttKeys, path: p)
        if let h = r.string(t, "host", path: p) {
            if h.isEmpty || h.contains(" ") || h.contains("/") || h.contains(":") && !h.contains("::") {
                r.fail(p, "host", .string(h), "must be a bare host name or IP address (port in `port`)")
            } else { m.host = h }
        }
        if let v = r.number(t, "port", path: p, range: 1...65535, rule: "must be a TCP port 1…65535") { m.port = Int(v) }
        if let v = r.number(t, "keepalive_s", path: p, range: 5...3600, rule: "must be 5…3600 s") { m.keepAliveSeconds = Int(v) }
        if let v = r.number(t, "session_expiry_s", path: p, range: 0...86_400 * 7, rule: "must be 0…604800 s") {
            m.sessionExpirySeconds = Int(v)
        }
        if let v = r.number(t, "reconnect_min_s", path: p, range: 0.01...3600, rule: "must be 0.01…3600 s") { m.reconnectMinSeconds = v }
        if let v = r.number(t, "reconnect_max_s", path: p, range: 0.01...3600, rule: "must be 0.01…3600 s") { m.reconnectMaxSeconds = v }
        if m.reconnectMaxSeconds < m.reconnectMinSeconds {
            r.fail(p, "reconnect_max_s", t["reconnect_max_s"], "must be ≥ reconnect_min_s")
        }
        if let c = r.string(t, "client_id", path: p) {
            if c.isEmpty || c.utf8.count > 64 { r.fail(p, "client_id", .string(c), "must be 1…64 characters") } else { m.clientID = c }
        }
        if let prefix = r.string(t, "topic_prefix", path: p) {
            if prefix.isEmpty || prefix.hasSuffix("/") || prefix.contains(where: { "+#".contains($0) }) {
                r.fail(p, "topic_prefix", .string(prefix), "must be topic levels without + # or a trailing /")
            } else { m.topicPrefix = prefix }
        }
        m.shareGroup = r.identifier(t, "share_group", path: p, required: false)
        m.username = r.string(t, "username", path: p)
        let inline = r.string(t, "password", path: p)
        if let file = r.string(t, "password_file", path: p) {
            if inline != nil { r.fail(p, "password_file", .string(file), "set either `password` or `password_file`, not both") }
            let full = file.hasPrefix("/") ? file : folder + "/" + file
            if let bytes = try? FileAccess.read(full, maxBytes: 4096) {
                m.password = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init)
            } else { r.fail(p, "password_file", .string(file), "cannot read \(full)") }
        } else { m.password = inline }
        if m.password != nil && m.username == nil { r.fail(p, "password", nil, "a password needs a username") }
        if let file = r.string(t, "command_key_file", path: p) {
            let full = file.hasPrefix("/") ? file : folder + "/" + file
            if let why = CommandKeyFile.problem(full) { r.fail(p, "command_key_file", .string(file), why) } else {
                do { m.commandKey = try CommandKeyFile.read(full) } catch { r.fail(p, "command_key_file", .string(file), error.message) }
            }
        }
        if let tls = r.table(t, "tls", path: p) {
            r.unknownKeys(tls, allowed: tlsKeys, path: "mqtt.tls")
            func path(_ key: String) -> String? {
                guard let f = r.string(tls, key, path: "mqtt.tls") else { return nil }
                return f.hasPrefix("/") ? f : folder + "/" + f
            }
            m.caFile = path("ca_file"); m.certFile = path("cert_file"); m.keyFile = path("key_file")
            if m.caFile == nil { r.fail("mqtt.tls", "ca_file", nil, "missing: the CA that signed the broker's certificate") }
            if (m.certFile == nil) != (m.keyFile == nil) { r.fail("mqtt.tls", "cert_file", nil, "cert_file and key_file go together") }
        }
    }

    static func decodeFusion(_ t: TOMLTable, _ f: inout FusionSettings, _ r: inout RegistryReader) {
        let p = "fusion"
        r.unknownKeys(t, allowed: fusionKeys, path: p)
        if let v = r.number(t, "close_after_s", path: p, range: 0.5...3600, rule: "must be 0.5…3600 s") { f.closeAfterS = v }
        if let v = r.number(t, "remember_closed_s", path: p, range: 0...86_400, rule: "must be 0…86400 s") { f.rememberClosedS = v }
        if let v = r.number(t, "onset_jitter_ms", path: p, range: 0...100, rule: "must be 0…100 ms") { f.onsetJitterS = v / 1000 }
        if let v = r.number(t, "unknown_sync_error_ms", path: p, range: 0...10_000, rule: "must be 0…10000 ms") {
            f.unknownSyncErrorS = v / 1000
        }
        if let v = r.number(t, "max_future_s", path: p, range: 0...3600, rule: "must be 0…3600 s") { f.maxFutureS = v }
        if let v = r.number(t, "gate_sigmas", path: p, range: 1...20, rule: "must be 1…20") { f.gateSigmas = v }
        if let levels = r.table(t, "source_level_db_spl", path: p) {
            for k in levels.keys {
                if let v = r.number(levels, k, path: "fusion.source_level_db_spl", range: 60...200, rule: "must be 60…200 dB SPL at 1 m") {
                    f.sourceLevelDbSplAt1m[k] = v
                }
            }
        }
    }
}

extension RegistryReader {
    /// The sub-table `key` of `t` (nil when absent; an issue when not a table).
    mutating func table(_ t: TOMLTable, _ key: String, path: String? = nil) -> TOMLTable? {
        guard let v = t[key] else { return nil }
        guard case .table(let tt) = v else { fail(path, key, v, "must be a table"); return nil }
        return tt
    }
}
