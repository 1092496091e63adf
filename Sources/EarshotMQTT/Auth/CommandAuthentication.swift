// Per-command authorisation for commands that act on the world (cmd/ptz moves a camera):
// an HMAC-SHA256 signature with the site's command key, a timestamp window and a
// replay cache of nonces. Payload format: Schemas/command-request.schema.json and
// Deploy/README.md "Signed commands".
//
// A signed request is the ordinary request object with "ts" (Unix time, s), "nonce"
// (16…64 characters of A-Z a-z 0-9 _ -) and, as its LAST member, "sig":
//   {"request_id":"r1","args":{"preset":3},"ts":1765000000,"nonce":"8c1f…","sig":"<64 hex>"}
// sig = lowercase hex HMAC-SHA256(key, topic + "\n" + payload without its sig member), where
// "payload without its sig member" is the payload with the final `,"sig":"<64 hex>"` cut out
// (so it ends `…"nonce":"8c1f…"}`): the exact bytes sent, no canonical re-encoding.
import EarshotText
import EarshotPlatform
import Glibc

/// How a publisher authorises commands that require a signature.
public struct CommandAuthentication: Sendable, Equatable {
    /// The shared key (nil: none configured, so signed commands cannot be verified).
    public var key: [UInt8]?
    /// Largest accepted difference between a command's `ts` and the box's clock, s.
    public var maxSkewSeconds: Int
    /// The site's explicit insecure opt-out: unsigned commands are carried out (signed ones
    /// are still verified when a key is set).
    public var allowUnsigned: Bool
    /// Nonces remembered (a fixed array allocated once). More signed commands than this
    /// within one window (2 × `maxSkewSeconds`) are refused.
    public var replayCacheCapacity: Int

    /// Shortest accepted key, bytes.
    public static let minimumKeyBytes = 32

    public init(key: [UInt8]? = nil, maxSkewSeconds: Int = 30, allowUnsigned: Bool = false, replayCacheCapacity: Int = 256) {
        self.key = key; self.maxSkewSeconds = maxSkewSeconds
        self.allowUnsigned = allowUnsigned; self.replayCacheCapacity = replayCacheCapacity
    }

    /// What the status reports: "hmac-sha256", "unsigned allowed (insecure)", "no key: signed commands refused".
    public var summary: String {
        if allowUnsigned { return key == nil ? "unsigned allowed (insecure)" : "hmac-sha256, unsigned allowed (insecure)" }
        return key == nil ? "no key: commands refused" : "hmac-sha256"
    }
}

/// Why a command was refused (`code` goes into the status, `description` into the log and reply).
public enum CommandRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case noKey
    case unsigned
    case malformedSignature
    case badSignature
    case missingTimestamp
    case staleTimestamp(offsetSeconds: Int64, windowSeconds: Int)
    case badNonce
    case replayed
    case replayCacheFull

    /// A short, fixed reason: the status's `commands.last_refusal`.
    public var code: String {
        switch self {
        case .noKey: "no_key"
        case .unsigned: "unsigned"
        case .malformedSignature: "malformed_signature"
        case .badSignature: "bad_signature"
        case .missingTimestamp: "missing_timestamp"
        case .staleTimestamp: "stale_timestamp"
        case .badNonce: "bad_nonce"
        case .replayed: "replayed"
        case .replayCacheFull: "replay_cache_full"
        }
    }

    public var description: String {
        switch self {
        case .noKey: "no command key is configured on this box ([mqtt] command_key_file), so no command can be verified"
        case .unsigned: "unsigned; this command needs \"ts\", \"nonce\" and \"sig\" (HMAC-SHA256 with the site's command key)"
        case .malformedSignature: "malformed signature: \"sig\" must be the last member, written ,\"sig\":\"<64 hex digits>\"}"
        case .badSignature: "bad signature (wrong key, or the payload or topic was changed)"
        case .missingTimestamp: "signed but without an integer \"ts\" (Unix time, s) and a \"nonce\""
        case .staleTimestamp(let off, let w): "stale timestamp: \"ts\" is \(off) s from the box's clock (window ±\(w) s)"
        case .badNonce: "bad nonce: 16…64 characters of A-Z a-z 0-9 _ -"
        case .replayed: "replayed: this nonce was already used"
        case .replayCacheFull: "too many signed commands within the time window (replay cache full); try again later"
        }
    }
}

/// Verifies signed commands. Not thread-safe: the publisher's network thread owns it.
/// The replay cache is a fixed array of (nonce hash, ts) filled at init: checking and
/// remembering a nonce allocates nothing.
public final class CommandAuthenticator: @unchecked Sendable {
    public let settings: CommandAuthentication
    private let mac: HMACSHA256?
    private struct Seen { var h0: UInt64 = 0; var h1: UInt64 = 0; var ts: Int64 = .min }
    private var seen: [Seen]

    public init(_ settings: CommandAuthentication) {
        self.settings = settings
        mac = settings.key.map { HMACSHA256(key: $0) }
        seen = [Seen](repeating: Seen(), count: max(1, settings.replayCacheCapacity))
    }

    /// Nil when the command may be carried out. `payload` is the raw MQTT payload,
    /// `timestamp`/`nonce` its parsed `ts`/`nonce`, `now` the box's Unix time, s.
    public func check(topic: String, payload: UnsafeRawBufferPointer, timestamp: Int64?, nonce: String?,
                      now: Int64) -> CommandRefusal? {
        guard let signedEnd = Self.signatureRange(payload) else {
            // No sig member at all, or one not written as the format says.
            if Self.containsSig(payload) { return .malformedSignature }
            return settings.allowUnsigned ? nil : (mac == nil ? .noKey : .unsigned)
        }
        guard let mac else { return settings.allowUnsigned ? nil : .noKey }
        guard let claimed = SHA256Digest(hex: UnsafeRawBufferPointer(rebasing: payload[(signedEnd + 8)..<(signedEnd + 72)]))
        else { return .malformedSignature }
        var c = mac.start()
        c.update(topic)
        c.update(byte: 0x0A)
        c.update(UnsafeRawBufferPointer(rebasing: payload[..<signedEnd]))
        c.update(byte: 0x7D)  // "}"
        guard c.finalize() == claimed else { return .badSignature }
        guard let ts = timestamp, let nonce else { return .missingTimestamp }
        let offset = ts &- now
        guard offset.magnitude <= UInt64(settings.maxSkewSeconds) else {
            return .staleTimestamp(offsetSeconds: offset, windowSeconds: settings.maxSkewSeconds)
        }
        var n = nonce
        let ok = n.withUTF8 { b in
            (16...64).contains(b.count) && b.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2D
            }
        }
        guard ok else { return .badNonce }
        return remember(nonce: SHA256.hash(nonce), ts: ts, now: now)
    }

    /// Looks the nonce up and stores it in a slot whose entry can no longer be replayed.
    private func remember(nonce d: SHA256Digest, ts: Int64, now: Int64) -> CommandRefusal? {
        let window = Int64(settings.maxSkewSeconds)
        var free = -1
        for i in seen.indices {
            let e = seen[i]
            if e.ts != .min, e.h0 == d.words.0, e.h1 == d.words.1 { return .replayed }
            // An entry is needed only while its ts is still inside the window.
            if free < 0, e.ts == .min || e.ts < now &- window { free = i }
        }
        guard free >= 0 else { return .replayCacheFull }
        seen[free] = Seen(h0: d.words.0, h1: d.words.1, ts: ts)
        return nil
    }

    /// Offset of `,"sig":"` when the payload ends `,"sig":"<64 hex>"}` (trailing white space
    /// allowed); nil otherwise.
    static func signatureRange(_ p: UnsafeRawBufferPointer) -> Int? {
        var end = p.count
        while end > 0, p[end - 1] == 0x20 || p[end - 1] == 0x0A || p[end - 1] == 0x0D || p[end - 1] == 0x09 { end -= 1 }
        // ,"sig":"  (8 bytes) + 64 hex + "}  (2 bytes)
        guard end >= 74 + 1, p[end - 1] == 0x7D, p[end - 2] == 0x22 else { return nil }
        let start = end - 74
        let marker: [UInt8] = [0x2C, 0x22, 0x73, 0x69, 0x67, 0x22, 0x3A, 0x22]
        for i in 0..<8 where p[start + i] != marker[i] { return nil }
        return start
    }

    /// Whether `"sig"` appears anywhere (a signature in the wrong place is refused, not ignored).
    static func containsSig(_ p: UnsafeRawBufferPointer) -> Bool {
        guard p.count >= 5 else { return false }
        for i in 0...(p.count - 5) where p[i] == 0x22 && p[i + 1] == 0x73 && p[i + 2] == 0x69 && p[i + 3] == 0x67 && p[i + 4] == 0x22 {
            return true
        }
        return false
    }
}

/// Signs command requests (the supervision centre, `earshot mqtt command`, tests).
public enum CommandSigner {
    /// `unsigned` (a JSON object text that already holds "ts" and "nonce") with its
    /// `,"sig":"…"` member added last, for `topic`.
    public static func sign(topic: String, unsigned: String, key: [UInt8]) -> String {
        var body = unsigned
        while let last = body.last, last == " " || last == "\n" || last == "\r" || last == "\t" { body.removeLast() }
        precondition(body.hasSuffix("}") && body.count > 2, "a command payload is a non-empty JSON object")
        let d = HMACSHA256(key: key).authenticationCode(topic + "\n" + body)
        body.removeLast()
        return body + ",\"sig\":\"\(d)\"}"
    }

    /// Writes `arguments` as the members of an open `args` object (numbers: integers without
    /// decimals, others with 6), the one encoding the signer and unsigned senders share.
    public static func writeArguments(_ arguments: [(String, CommandValue)], into w: JSONWriter) {
        for (k, v) in arguments {
            w.key(k)
            switch v {
            case .string(let s): w.string(s)
            case .number(let n): w.number(n, decimals: n == n.rounded() ? 0 : 6)
            case .bool(let b): w.bool(b)
            case .null: w.null()
            }
        }
    }

    /// A signed request: `{"request_id":…,"args":{…},"ts":…,"nonce":…,"sig":…}`.
    public static func request(topic: String, requestID: String?, arguments: [(String, CommandValue)], key: [UInt8],
                               time: Int64 = CommandSigner.unixTime(), nonce: String = CommandSigner.randomNonce()) -> String {
        let w = JSONWriter(capacity: 4096)
        w.beginObject()
        if let requestID { w.key("request_id"); w.string(requestID) }
        w.key("args"); w.beginObject()
        writeArguments(arguments, into: w)
        w.endObject()
        w.key("ts"); w.int(time)
        w.key("nonce"); w.string(nonce)
        w.endObject()
        return sign(topic: topic, unsigned: w.string, key: key)
    }

    /// 32 random hex digits.
    public static func randomNonce() -> String {
        var g = SystemRandomNumberGenerator()
        let a = String(g.next() as UInt64, radix: 16), b = String(g.next() as UInt64, radix: 16)
        return String(repeating: "0", count: 16 - a.count) + a + String(repeating: "0", count: 16 - b.count) + b
    }

    /// The wall clock, Unix seconds.
    public static func unixTime() -> Int64 {
        UTCClock.seconds()
    }
}
