// `earshot mqtt command NAME`: sends one command to a box, signed with the site's command
// key (cmd/ptz needs it), and prints the box's reply. The technician's manual camera
// check, and the reference signer for the centre (payload format: Deploy/README.md).
import EarshotAgent
import EarshotText
import EarshotMQTT

/// Exit statuses of `earshot mqtt command`.
public enum CommandSendExit {
    /// The box carried the command out (`"ok": true`).
    public static let ok: Int32 = 0
    /// Bad site file, key or options.
    public static let config: Int32 = 2
    /// No reply, or the box answered `"ok": false` (refused, cooldown, …).
    public static let failed: Int32 = 4
}

/// Parses `key=value` arguments: numbers, true/false, null, else strings.
public func commandArguments(_ pairs: [String]) -> Result<[(String, CommandValue)], AgentError> {
    var out: [(String, CommandValue)] = []
    for pair in pairs {
        guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
            return .failure(AgentError(.config, "--arg \(pair): expected KEY=VALUE, e.g. --arg preset=3"))
        }
        let k = String(pair[..<eq]), v = String(pair[pair.index(after: eq)...])
        if let n = Double(v), !v.isEmpty, v.allSatisfy({ "0123456789+-.eE".contains($0) }) { out.append((k, .number(n))) }
        else if v == "true" || v == "false" { out.append((k, .bool(v == "true"))) }
        else if v == "null" { out.append((k, .null)) }
        else { out.append((k, .string(v))) }
    }
    return .success(out)
}

/// Sends `name` with `arguments` to sensor `sensor` (default: the configuration's own) of
/// the configuration's site, signed with its command key unless `unsigned`; waits for the reply.
public func sendCommand(_ configuration: MQTTConfiguration, name: String, sensor: String?, argumentPairs: [String],
                        unsigned: Bool, timeoutMs: Int) -> DiagnosticOutput {
    let arguments: [(String, CommandValue)]
    switch commandArguments(argumentPairs) {
    case .success(let a): arguments = a
    case .failure(let e): return DiagnosticOutput(lines: ["FAIL  \(e.message)"], exitCode: CommandSendExit.config)
    }
    var target = configuration
    if let sensor { target.sensor = sensor }
    let topics = target.topics
    let topic = topics.command(name)
    let requestID = "cli-" + CommandSigner.randomNonce().prefix(12)
    let payload: String
    if unsigned {
        let w = JSONWriter(capacity: 4096)
        w.beginObject(); w.key("request_id"); w.string(requestID); w.key("args"); w.beginObject()
        CommandSigner.writeArguments(arguments, into: w)
        w.endObject(); w.endObject()
        payload = w.string
    } else {
        guard let key = configuration.commandAuthentication.key else {
            return DiagnosticOutput(lines: ["FAIL  no command key: set [mqtt] command_key_file in the site file (or pass --unsigned to a box that allows unsigned commands)"],
                                    exitCode: CommandSendExit.config)
        }
        payload = CommandSigner.request(topic: topic, requestID: requestID, arguments: arguments, key: key)
    }
    var lines = ["sent  \(topic) \(payload)"]
    do {
        let reply = try MQTTCommandSender.send(target, topic: topic, payload: payload, replyTopic: topics.commandReply(name),
                                               requestID: requestID, timeoutMs: timeoutMs)
        lines.append("reply \(reply)")
        let ok = reply.contains("\"ok\":true")
        return DiagnosticOutput(lines: lines, exitCode: ok ? CommandSendExit.ok : CommandSendExit.failed)
    } catch {
        lines.append("FAIL  \(error.description)")
        return DiagnosticOutput(lines: lines, exitCode: CommandSendExit.failed)
    }
}
