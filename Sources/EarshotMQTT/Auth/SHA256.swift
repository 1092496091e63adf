// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) in Swift: the command signatures need
// them, Foundation has no CryptoKit on Linux and no crypto package is in the mirror.
// Fixed-size value types: hashing and MACs allocate nothing on the heap.

/// A SHA-256 digest: 32 bytes.
public struct SHA256Digest: Sendable, Equatable, CustomStringConvertible {
    /// The digest as four big-endian 64-bit words (bytes 0–7 are `words.0`).
    var words: (UInt64, UInt64, UInt64, UInt64)

    /// Byte `i` (0…31).
    public subscript(i: Int) -> UInt8 {
        let w: UInt64
        switch i >> 3 {
        case 0: w = words.0
        case 1: w = words.1
        case 2: w = words.2
        default: w = words.3
        }
        return UInt8(truncatingIfNeeded: w >> (56 - 8 * UInt64(i & 7)))
    }

    /// The 32 bytes (allocates).
    public var bytes: [UInt8] { (0..<32).map { self[$0] } }

    /// Lowercase hex, 64 characters (allocates).
    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](); out.reserveCapacity(64)
        for i in 0..<32 { out.append(digits[Int(self[i] >> 4)]); out.append(digits[Int(self[i] & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Equality that takes the same time wherever the digests differ (for MAC checks).
    public static func == (a: SHA256Digest, b: SHA256Digest) -> Bool {
        ((a.words.0 ^ b.words.0) | (a.words.1 ^ b.words.1) | (a.words.2 ^ b.words.2) | (a.words.3 ^ b.words.3)) == 0
    }

    /// Parses 64 hex digits (either case); nil otherwise. Allocation-free.
    public init?(hex: UnsafeRawBufferPointer) {
        guard hex.count == 64 else { return nil }
        var w: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for i in 0..<64 {
            let c = hex[i]
            let v: UInt64
            switch c {
            case 0x30...0x39: v = UInt64(c - 0x30)
            case 0x61...0x66: v = UInt64(c - 0x61 + 10)
            case 0x41...0x46: v = UInt64(c - 0x41 + 10)
            default: return nil
            }
            switch i >> 4 {
            case 0: w.0 = w.0 << 4 | v
            case 1: w.1 = w.1 << 4 | v
            case 2: w.2 = w.2 << 4 | v
            default: w.3 = w.3 << 4 | v
            }
        }
        words = w
    }

    init(words: (UInt64, UInt64, UInt64, UInt64)) { self.words = words }
}

/// Incremental SHA-256. `update` any number of times, then `finalize()`.
public struct SHA256: Sendable {
    private var h: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19)
    /// Bytes of the current, incomplete block.
    private var block: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var blockCount = 0
    private var totalBytes: UInt64 = 0

    public init() {}

    /// The digest of `bytes`.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> SHA256Digest {
        var s = SHA256(); s.update(bytes); return s.finalize()
    }

    /// The digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> SHA256Digest { bytes.withUnsafeBytes { hash($0) } }

    /// The digest of the UTF-8 bytes of `text`.
    public static func hash(_ text: String) -> SHA256Digest {
        var t = text
        return t.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    public mutating func update(_ text: String) {
        var t = text
        t.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        totalBytes &+= UInt64(bytes.count)
        var i = 0
        if blockCount > 0 {
            while blockCount < 64 && i < bytes.count { appendToBlock(bytes[i]); i += 1 }
            if blockCount == 64 { compressBlock() }
        }
        while bytes.count - i >= 64 {
            compress(UnsafeRawBufferPointer(rebasing: bytes[i..<(i + 64)]))
            i += 64
        }
        while i < bytes.count { appendToBlock(bytes[i]); i += 1 }
    }

    public mutating func update(byte: UInt8) {
        totalBytes &+= 1
        appendToBlock(byte)
        if blockCount == 64 { compressBlock() }
    }

    /// Pads, processes the last block(s) and returns the digest.
    public mutating func finalize() -> SHA256Digest {
        let bits = totalBytes &* 8
        appendToBlock(0x80)
        if blockCount > 56 {
            while blockCount < 64 { appendToBlock(0) }
            compressBlock()
        }
        if blockCount == 64 { compressBlock() }
        while blockCount < 56 { appendToBlock(0) }
        for k in 0..<8 { appendToBlock(UInt8(truncatingIfNeeded: bits >> (56 - 8 * UInt64(k)))) }
        compressBlock()
        return SHA256Digest(words: (UInt64(h.0) << 32 | UInt64(h.1), UInt64(h.2) << 32 | UInt64(h.3),
                                    UInt64(h.4) << 32 | UInt64(h.5), UInt64(h.6) << 32 | UInt64(h.7)))
    }

    private mutating func appendToBlock(_ b: UInt8) {
        withUnsafeMutableBytes(of: &block) { $0[blockCount] = b }
        blockCount += 1
    }

    private mutating func compressBlock() {
        var copy = block
        withUnsafeBytes(of: &copy) { compress($0) }
        blockCount = 0
    }

    private static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    @inline(__always) private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }

    /// One 64-byte block.
    private mutating func compress(_ p: UnsafeRawBufferPointer) {
        var state = h
        Self.k.withUnsafeBufferPointer { k in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                for i in 0..<16 {
                    w[i] = UInt32(p[4 * i]) << 24 | UInt32(p[4 * i + 1]) << 16 | UInt32(p[4 * i + 2]) << 8 | UInt32(p[4 * i + 3])
                }
                for i in 16..<64 {
                    let s0 = Self.rotr(w[i - 15], 7) ^ Self.rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                    let s1 = Self.rotr(w[i - 2], 17) ^ Self.rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                    w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
                }
                var (a, b, c, d, e, f, g, hh) = state
                for i in 0..<64 {
                    let s1 = Self.rotr(e, 6) ^ Self.rotr(e, 11) ^ Self.rotr(e, 25)
                    let ch = (e & f) ^ (~e & g)
                    let t1 = hh &+ s1 &+ ch &+ k[i] &+ w[i]
                    let s0 = Self.rotr(a, 2) ^ Self.rotr(a, 13) ^ Self.rotr(a, 22)
                    let maj = (a & b) ^ (a & c) ^ (b & c)
                    let t2 = s0 &+ maj
                    hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
                }
                state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d, state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ hh)
            }
        }
        h = state
    }
}

/// HMAC-SHA256 with a fixed key (RFC 2104, tested with RFC 4231's vectors). The padded
/// key's inner and outer states are computed once; each MAC then copies them (no heap).
public struct HMACSHA256: Sendable {
    private let inner: SHA256
    private let outer: SHA256

    /// A key longer than the 64-byte block is hashed first, as the RFC says.
    public init(key: [UInt8]) {
        var k = [UInt8](repeating: 0, count: 64)
        if key.count > 64 {
            let d = SHA256.hash(key)
            for i in 0..<32 { k[i] = d[i] }
        } else {
            for i in 0..<key.count { k[i] = key[i] }
        }
        var i = SHA256(), o = SHA256()
        i.update(k.map { $0 ^ 0x36 })
        o.update(k.map { $0 ^ 0x5c })
        inner = i; outer = o
    }

    /// A MAC in progress: `update` with the message's parts, then `finalize()`.
    public struct Context: Sendable {
        fileprivate var inner: SHA256
        fileprivate let outer: SHA256
        public mutating func update(_ bytes: UnsafeRawBufferPointer) { inner.update(bytes) }
        public mutating func update(_ bytes: [UInt8]) { inner.update(bytes) }
        public mutating func update(_ text: String) { inner.update(text) }
        public mutating func update(byte: UInt8) { inner.update(byte: byte) }
        public mutating func finalize() -> SHA256Digest {
            let d = inner.finalize()
            var o = outer
            for i in 0..<32 { o.update(byte: d[i]) }
            return o.finalize()
        }
    }

    /// Starts a MAC.
    public func start() -> Context { Context(inner: inner, outer: outer) }

    /// The MAC of `message`.
    public func authenticationCode(_ message: [UInt8]) -> SHA256Digest {
        var c = start(); c.update(message); return c.finalize()
    }

    /// The MAC of the UTF-8 bytes of `message`.
    public func authenticationCode(_ message: String) -> SHA256Digest {
        var c = start(); c.update(message); return c.finalize()
    }
}
