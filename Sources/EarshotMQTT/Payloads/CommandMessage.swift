// Remote commands: `…/cmd/{name}` requests and their replies.
import EarshotText
import EarshotJSON

/// A scalar argument value of a command request.
public enum CommandValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
}

/// A command received on `…/cmd/{name}`. Payload (`Schemas/command-request.schema.json`):
/// `{"request_id":"…","args":{"preset":3}}`, both optional; an empty payload is allowed.
public struct CommandRequest: Sendable, Equatable {
    /// Command name (last topic level), e.g. "ping", "ptz", "selftest".
    public var name: String
    /// Caller's request id, echoed in the reply (nil when absent).
    public var requestID: String?
    /// Scalar arguments from `"args"` (nested values are ignored).
    public var arguments: [String: CommandValue]
    /// MQTT v5 response topic of the request, if any (replies go there).
    public var responseTopic: String?
    /// MQTT v5 correlation data, echoed in the reply.
    public var correlationData: [UInt8]?
    /// `"ts"` of a signed request: Unix time, s, when it was signed (nil when absent or not an integer).
    public var timestamp: Int64?
    /// `"nonce"` of a signed request (nil when absent).
    public var nonce: String?

    /// Builds a request (tests and local callers).
    public init(name: String, requestID: String? = nil, arguments: [String: CommandValue] = [:],
                responseTopic: String? = nil, correlationData: [UInt8]? = nil) {
        self.name = name; self.requestID = requestID; self.arguments = arguments
        self.responseTopic = responseTopic; self.correlationData = correlationData
    }

    /// Parses a request payload; throws `MQTTError.badCommand` naming the problem.
    static func parse(name: String, payload: [UInt8]) throws(MQTTError) -> CommandRequest {
        var request = CommandRequest(name: name)
        let trimmed = payload.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if trimmed.isEmpty { return request }
        let root: JSONValue
        do { root = try JSONReader.parse(Array(trimmed)) } catch {
            throw .badCommand(name: name, reason: "payload is not JSON (\(error)); send {} or {\"args\":{…}}")
        }
        guard let dict = root.object else {
            throw .badCommand(name: name, reason: "payload must be a JSON object such as {\"args\":{…}}")
        }
        if let id = dict["request_id"] {
            guard let s = id.string else { throw .badCommand(name: name, reason: "\"request_id\" must be a string") }
            request.requestID = s
        }
        if let ts = dict["ts"] {
            guard case .number(let n) = ts, n.value == n.value.rounded(), n.value.magnitude < 1e15 else {
                throw .badCommand(name: name, reason: "\"ts\" must be an integer (Unix time, s)")
            }
            request.timestamp = Int64(n.value)
        }
        if let nonce = dict["nonce"] {
            guard let s = nonce.string else { throw .badCommand(name: name, reason: "\"nonce\" must be a string") }
            request.nonce = s
        }
        if let sig = dict["sig"], sig.string == nil {
            throw .badCommand(name: name, reason: "\"sig\" must be a string of 64 hex digits")
        }
        if let args = dict["args"] {
            guard let a = args.object else { throw .badCommand(name: name, reason: "\"args\" must be an object") }
            for (k, v) in zip(a.keys, a.values) {
                switch v {
                case .string(let s): request.arguments[k] = .string(s)
                case .number(let n): request.arguments[k] = .number(n.value)
                case .bool(let b): request.arguments[k] = .bool(b)
                case .null: request.arguments[k] = .null
                case .array, .object: continue
                }
            }
        }
        return request
    }
}

/// The answer to a command, published on `…/cmd/{name}/reply` or on the request's
/// MQTT v5 response topic. Payload: `Schemas/command-reply.schema.json`.
public struct CommandReply: Sendable, Equatable {
    /// True when the command was carried out.
    public var ok: Bool
    /// One sentence for a technician ("pong", "preset 3 triggered", "unknown command …").
    public var message: String
    /// Scalar results (e.g. "uptime_s").
    public var result: [String: CommandValue]

    /// Builds a reply.
    public init(ok: Bool, message: String, result: [String: CommandValue] = [:]) {
        self.ok = ok; self.message = message; self.result = result
    }

    func encode(into w: JSONWriter, request: CommandRequest, time: UTCTimestamp) {
        encodeFull(into: w, request: request, time: time)
        guard w.overflowed else { return }
        // A very long request_id, command name or result would leave a truncated,
        // invalid document: send a short refusal that is still valid JSON instead.
        w.reset()
        w.beginObject()
        w.key("schema"); w.int(earshotPayloadSchemaVersion)
        w.key("command"); w.string(request.name.count <= 64 ? request.name : "?")
        w.key("ok"); w.bool(false)
        w.key("message"); w.string("reply too large for the reply buffer (request_id, command name or result too long)")
        w.key("time"); w.timestamp(time)
        w.key("result"); w.beginObject(); w.endObject()
        w.endObject()
    }

    private func encodeFull(into w: JSONWriter, request: CommandRequest, time: UTCTimestamp) {
        w.reset()
        w.beginObject()
        w.key("schema"); w.int(earshotPayloadSchemaVersion)
        w.key("command"); w.string(request.name)
        if let id = request.requestID { w.key("request_id"); w.string(id) }
        w.key("ok"); w.bool(ok)
        w.key("message"); w.string(message)
        w.key("time"); w.timestamp(time)
        w.key("result"); w.beginObject()
        for (k, v) in result.sorted(by: { $0.key < $1.key }) {
            w.key(k)
            switch v {
            case .string(let s): w.string(s)
            case .number(let n): w.number(n, decimals: 3)
            case .bool(let b): w.bool(b)
            case .null: w.null()
            }
        }
        w.endObject()
        w.endObject()
    }
}

/// Handles one command on the MQTT network thread; must return quickly (hand long
/// work such as a self-test to another thread and reply "started").
public typealias CommandHandler = @Sendable (CommandRequest) -> CommandReply
