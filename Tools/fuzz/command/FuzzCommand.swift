// libFuzzer target: the MQTT command path of EarshotMQTT that reads network input —
// `MQTTTopics.commandName(ofTopic:)` and `CommandRequest.parse(name:payload:)` — and the reply
// encoder (`CommandReply.encode`, JSONWriter with the publisher's 4096-byte capacity) fed with
// what was parsed. Compiled into a module named EarshotMQTT holding Payloads/ and
// Client/MQTTError.swift (Tools/fuzz/build.sh).
// Input: first line = topic level(s) after `…/cmd/`, rest = payload.
// Invariant checked: a reply that fits the writer is a valid JSON object.
// `EARSHOT_FUZZ_WRITE_SEEDS=<dir>` writes the seed corpus (sample commands) and exits.
import EarshotText
import Foundation
import Glibc

nonisolated(unsafe) private let topics = MQTTTopics(site: "fuzz-site", sensor: "box-1")
nonisolated(unsafe) private let writer = JSONWriter(capacity: 4096)

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>,
                           _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> CInt {
    if let dir = getenv("EARSHOT_FUZZ_WRITE_SEEDS") { exit(CommandSeeds.write(to: String(cString: dir))) }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCommand(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size))
    let newline = bytes.firstIndex(of: 0x0A) ?? bytes.count
    let topic = topics.base + "/cmd/" + String(decoding: bytes[..<newline], as: UTF8.self)
    let payload = newline < bytes.count ? Array(bytes[(newline + 1)...]) : []
    guard let name = topics.commandName(ofTopic: topic) else { return 0 }
    let request: CommandRequest
    let reply: CommandReply
    do {
        request = try CommandRequest.parse(name: name, payload: payload)
        reply = CommandReply(ok: true, message: "echo of \(request.arguments.count) arguments", result: request.arguments)
    } catch {
        request = CommandRequest(name: name)
        reply = CommandReply(ok: false, message: error.description)
    }
    reply.encode(into: writer, request: request, time: UTCTimestamp(nanosecondsSinceEpoch: 1_795_000_000_123_456_789))
    if !writer.overflowed {
        let json = Data(writer.bytes)
        guard (try? JSONSerialization.jsonObject(with: json)) is [String: Any] else {
            fputs("fuzz-command: reply is not a JSON object:\n\(writer.string)\n", stderr); abort()
        }
    }
    return 0
}
