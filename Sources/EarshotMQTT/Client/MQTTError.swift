// Typed MQTT errors with messages a technician can act on.

/// Why connecting or publishing failed. `description` is one plain sentence that
/// names the broker, file or setting involved and says what to check.
public enum MQTTError: Error, Sendable, Equatable, CustomStringConvertible {
    /// TCP connect failed (`reason` is the errno text, e.g. "connection refused").
    case brokerUnreachable(host: String, port: Int, reason: String)
    /// The broker rejected the username/password (CONNACK 4/5, v5 reason 0x86/0x87).
    case authenticationFailed(host: String, port: Int, username: String?, brokerSaid: String)
    /// The broker refused the connection for another reason (protocol version, client id, …).
    case connectionRefused(host: String, port: Int, brokerSaid: String)
    /// TLS handshake failed; `openSSL` holds the library's reason (e.g. "certificate verify failed").
    case tlsHandshakeFailed(host: String, port: Int, openSSL: String, caFile: String?)
    /// A TLS file could not be used (missing, unreadable, or key/cert mismatch).
    case tlsConfiguration(file: String, reason: String)
    /// The configuration is invalid (field named).
    case invalidConfiguration(field: String, reason: String)
    /// The connection dropped (network, keepalive timeout, broker restart).
    case connectionLost(host: String, port: Int, reason: String)
    /// A command request could not be parsed.
    case badCommand(name: String, reason: String)
    /// libmosquitto returned an unexpected error code.
    case library(call: String, code: Int32, message: String)

    public var description: String {
        switch self {
        case let .brokerUnreachable(host, port, reason):
            return "broker unreachable at \(host):\(port): \(reason) — check that mosquitto runs there, the host/port in the site file, and the network/firewall"
        case let .authenticationFailed(host, port, username, said):
            return "connection refused: wrong username or password (broker \(host):\(port) said \"\(said)\"; user \(username.map { "\"\($0)\"" } ?? "not set")) — check mqtt username/password in the site file and the broker's password file"
        case let .connectionRefused(host, port, said):
            return "connection refused by broker \(host):\(port): \(said) — check protocol version and client id"
        case let .tlsHandshakeFailed(host, port, openSSL, caFile):
            var text = "TLS handshake failed with \(host):\(port): \(openSSL)"
            if openSSL.contains("certificate verify failed") {
                text += " — check ca_file (\(caFile ?? "not set")): it must be the CA that signed the broker's certificate, and the broker's certificate must name this host"
            } else {
                text += " — check that the broker listens with TLS on this port and the TLS files in the site file"
            }
            return text
        case let .tlsConfiguration(file, reason):
            return "TLS file \(file): \(reason) — check the path and permissions in the site file"
        case let .invalidConfiguration(field, reason):
            return "invalid MQTT setting \(field): \(reason)"
        case let .connectionLost(host, port, reason):
            return "connection to broker \(host):\(port) lost: \(reason) — will reconnect with backoff"
        case let .badCommand(name, reason):
            return "command \"\(name)\" rejected: \(reason)"
        case let .library(call, code, message):
            return "libmosquitto \(call) failed (\(code)): \(message)"
        }
    }
}
