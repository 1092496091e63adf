// Issue 18, item 2: SHA-256 and HMAC-SHA256 written in Swift for the command signatures,
// checked with the FIPS 180-4 examples and RFC 4231's test cases; the authenticator's
// refusals (unsigned, bad signature, stale, replayed, malformed, cache full) one by one.
@testable import EarshotMQTT
import Testing

@Suite("SHA-256 / HMAC-SHA256 / signed commands")
struct CommandSignatureTests {
    static func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = s.utf8.makeIterator()
        while let a = it.next(), let b = it.next() { out.append(UInt8(String(decoding: [a, b], as: UTF8.self), radix: 16)!) }
        return out
    }

    @Test("FIPS 180-4 examples (and the NIST long messages)")
    func sha256Vectors() {
        #expect(SHA256.hash("abc").description == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hash("").description == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").description
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hash("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu").description
                == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        #expect(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000)).description
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // Fed in odd pieces across block boundaries: the same digest.
        var s = SHA256()
        let text = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        var i = 0
        for n in [1, 7, 13, 31, 3] { s.update(Array(text[i..<min(i + n, text.count)])); i = min(i + n, text.count) }
        s.update(Array(text[i...]))
        #expect(s.finalize().description == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // 55, 56, 63, 64 bytes: the padding's edge cases (checked against sha256sum).
        #expect(SHA256.hash(String(repeating: "a", count: 55)).description == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(SHA256.hash(String(repeating: "a", count: 56)).description == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
        #expect(SHA256.hash(String(repeating: "a", count: 64)).description == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }

    @Test("RFC 4231 test cases 1, 2, 3, 4, 6, 7")
    func hmacVectors() {
        let cases: [(key: [UInt8], data: [UInt8], mac: String)] = [
            ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
             "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
            (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
            ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
             "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
            (Self.hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), [UInt8](repeating: 0xcd, count: 50),
             "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
            ([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
             "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
            ([UInt8](repeating: 0xaa, count: 131),
             Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
             "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
        ]
        for c in cases { #expect(HMACSHA256(key: c.key).authenticationCode(c.data).description == c.mac) }
    }

    let topic = "earshot/v1/s/b/cmd/ptz"
    let key = Array(String(repeating: "k", count: 32).utf8)

    func check(_ a: CommandAuthenticator, _ payload: String, now: Int64) -> CommandRefusal? {
        let r = try? CommandRequest.parse(name: "ptz", payload: Array(payload.utf8))
        return Array(payload.utf8).withUnsafeBytes { a.check(topic: topic, payload: $0, timestamp: r?.timestamp, nonce: r?.nonce, now: now) }
    }

    @Test("signed requests: accepted once; unsigned, wrong key, changed, stale, replayed, malformed refused; the cache is bounded")
    func authenticator() throws {
        let a = CommandAuthenticator(CommandAuthentication(key: key, maxSkewSeconds: 30, replayCacheCapacity: 4))
        let now: Int64 = 1_765_000_000
        let ok = CommandSigner.request(topic: topic, requestID: "r", arguments: [("preset", .number(3))], key: key, time: now,
                                       nonce: "0123456789abcdef")
        #expect(ok.hasPrefix(#"{"request_id":"r","args":{"preset":3},"ts":1765000000,"nonce":"0123456789abcdef","sig":""#), "\(ok)")
        #expect(check(a, ok, now: now + 29) == nil)
        #expect(check(a, ok, now: now + 29) == .replayed)
        #expect(check(a, #"{"args":{"preset":3}}"#, now: now) == .unsigned)
        #expect(check(a, "", now: now) == .unsigned)
        let other = CommandSigner.request(topic: topic, requestID: "r", arguments: [("preset", .number(3))],
                                          key: Array(String(repeating: "x", count: 32).utf8), time: now, nonce: "0123456789abcdeX")
        #expect(check(a, other, now: now) == .badSignature)
        let fresh = CommandSigner.request(topic: topic, requestID: "r", arguments: [("preset", .number(3))], key: key, time: now,
                                          nonce: "fedcba9876543210")
        #expect(check(a, fresh.replacingOccurrences(of: "\"preset\":3", with: "\"preset\":1"), now: now) == .badSignature)
        #expect(check(a, fresh, now: now + 31) == .staleTimestamp(offsetSeconds: -31, windowSeconds: 30))
        #expect(check(a, fresh, now: now - 31) == .staleTimestamp(offsetSeconds: 31, windowSeconds: 30))
        #expect(check(a, fresh + "\n", now: now) == nil, "trailing white space is allowed")
        // Another box's topic: the signature covers the topic.
        let b2 = CommandSigner.request(topic: "earshot/v1/s/b2/cmd/ptz", requestID: "r", arguments: [], key: key, time: now, nonce: "aaaaaaaaaaaaaaaa")
        #expect(check(a, b2, now: now) == .badSignature)
        // sig not last, or not hex.
        #expect(check(a, #"{"sig":"00","ts":1765000000,"nonce":"bbbbbbbbbbbbbbbb"}"#, now: now) == .malformedSignature)
        let notHex = String(fresh.dropLast(3)) + "zz\"}"
        #expect(check(a, notHex, now: now) == .malformedSignature)
        // Signed without ts/nonce; a bad nonce.
        let noTS = CommandSigner.sign(topic: topic, unsigned: #"{"args":{}}"#, key: key)
        #expect(check(a, noTS, now: now) == .missingTimestamp)
        let badNonce = CommandSigner.request(topic: topic, requestID: nil, arguments: [], key: key, time: now, nonce: "short")
        #expect(check(a, badNonce, now: now) == .badNonce)
        // Capacity 4: two are stored (ok, fresh); two more fit, the fifth within the window does not.
        for n in ["c", "d"] {
            let r = CommandSigner.request(topic: topic, requestID: nil, arguments: [], key: key, time: now, nonce: String(repeating: n, count: 16))
            #expect(check(a, r, now: now) == nil)
        }
        let fifth = CommandSigner.request(topic: topic, requestID: nil, arguments: [], key: key, time: now, nonce: String(repeating: "e", count: 16))
        #expect(check(a, fifth, now: now) == .replayCacheFull)
        // Once the stored ones are out of the window their slots are reused; the replay is then stale anyway.
        let later = CommandSigner.request(topic: topic, requestID: nil, arguments: [], key: key, time: now + 61, nonce: String(repeating: "e", count: 16))
        #expect(check(a, later, now: now + 61) == nil)
        #expect(check(a, ok, now: now + 61) == .staleTimestamp(offsetSeconds: -61, windowSeconds: 30))
    }

    @Test("no key: refused (no_key) unless the site opts out; the opt-out still verifies signed requests")
    func noKeyAndOptOut() {
        let now: Int64 = 1_765_000_000
        let signed = CommandSigner.request(topic: topic, requestID: nil, arguments: [], key: key, time: now, nonce: "0123456789abcdef")
        let none = CommandAuthenticator(CommandAuthentication())
        #expect(check(none, #"{}"#, now: now) == .noKey)
        #expect(check(none, signed, now: now) == .noKey)
        let open = CommandAuthenticator(CommandAuthentication(allowUnsigned: true))
        #expect(check(open, #"{}"#, now: now) == nil)
        let both = CommandAuthenticator(CommandAuthentication(key: key, allowUnsigned: true))
        #expect(check(both, #"{}"#, now: now) == nil)
        #expect(check(both, signed.replacingOccurrences(of: "\"args\":{}", with: "\"args\":{\"preset\":9}"), now: now) == .badSignature)
    }
}
