// On-disk layout of one outbox record, and the CRC-32 that guards it.

/// What a record carries. Telemetry is dropped before events when the outbox is full.
public enum OutboxRecordKind: UInt8, Sendable {
    case event = 0
    case telemetry = 1
    case other = 2
}

/// Record layout (little-endian), 32-byte header then body:
/// ```
///  0 u32 magic 0x424F5345 ("ESOB")   4 u8 type (1 message, 2 ack, 3 dropped)
///  5 u8 kind   6 u8 qos   7 u8 flags (bit 0 retain)
///  8 u64 record id                  16 u16 topic length   18 u16 reserved (0)
/// 20 u32 payload length             24 u32 CRC-32 of bytes 0..<24 and the body
/// 28 u32 reserved (0)               32 topic bytes, then payload bytes
/// ```
/// Ack and dropped records have empty bodies and name the record id they settle.
enum OutboxRecordFormat {
    static let magic: UInt32 = 0x424F_5345
    static let headerSize = 32
    static let typeMessage: UInt8 = 1
    static let typeAck: UInt8 = 2
    static let typeDropped: UInt8 = 3

    struct Header: Equatable {
        var type: UInt8
        var kind: UInt8
        var qos: UInt8
        var retain: Bool
        var id: UInt64
        var topicLength: Int
        var payloadLength: Int
        var recordSize: Int { headerSize + topicLength + payloadLength }
    }

    /// Writes the header (with CRC over header and body) at `base`; the body must already be
    /// at `base + headerSize`.
    static func writeHeader(_ h: Header, at base: UnsafeMutableRawPointer) {
        base.storeBytes(of: magic.littleEndian, toByteOffset: 0, as: UInt32.self)
        base.storeBytes(of: h.type, toByteOffset: 4, as: UInt8.self)
        base.storeBytes(of: h.kind, toByteOffset: 5, as: UInt8.self)
        base.storeBytes(of: h.qos, toByteOffset: 6, as: UInt8.self)
        base.storeBytes(of: h.retain ? 1 : 0, toByteOffset: 7, as: UInt8.self)
        base.storeBytes(of: h.id.littleEndian, toByteOffset: 8, as: UInt64.self)
        base.storeBytes(of: UInt16(h.topicLength).littleEndian, toByteOffset: 16, as: UInt16.self)
        base.storeBytes(of: UInt16(0), toByteOffset: 18, as: UInt16.self)
        base.storeBytes(of: UInt32(h.payloadLength).littleEndian, toByteOffset: 20, as: UInt32.self)
        base.storeBytes(of: UInt32(0), toByteOffset: 28, as: UInt32.self)
        let crc = checksum(base, bodyLength: h.topicLength + h.payloadLength)
        base.storeBytes(of: crc.littleEndian, toByteOffset: 24, as: UInt32.self)
    }

    /// CRC-32 over header bytes 0..<24 and the body.
    static func checksum(_ base: UnsafeRawPointer, bodyLength: Int) -> UInt32 {
        var c = CRC32()
        c.update(UnsafeRawBufferPointer(start: base, count: 24))
        c.update(UnsafeRawBufferPointer(start: base + headerSize, count: bodyLength))
        return c.value
    }

    enum ParseResult {
        case record(Header)
        /// Not enough bytes for the header or the body: a torn tail.
        case truncated
        /// Magic or checksum wrong.
        case corrupt
    }

    /// Parses the record starting at `buffer[offset]`.
    static func parse(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> ParseResult {
        guard buffer.count - offset >= headerSize else { return .truncated }
        let base = buffer.baseAddress! + offset
        guard UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 0, as: UInt32.self)) == magic else { return .corrupt }
        let type = base.load(fromByteOffset: 4, as: UInt8.self)
        guard type >= typeMessage && type <= typeDropped else { return .corrupt }
        let h = Header(type: type, kind: base.load(fromByteOffset: 5, as: UInt8.self),
                       qos: base.load(fromByteOffset: 6, as: UInt8.self),
                       retain: base.load(fromByteOffset: 7, as: UInt8.self) & 1 != 0,
                       id: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                       topicLength: Int(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 16, as: UInt16.self))),
                       payloadLength: Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 20, as: UInt32.self))))
        guard h.payloadLength <= 16 << 20 else { return .corrupt }
        guard buffer.count - offset >= h.recordSize else { return .truncated }
        let stored = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 24, as: UInt32.self))
        guard stored == checksum(base, bodyLength: h.topicLength + h.payloadLength) else { return .corrupt }
        return .record(h)
    }
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), bytewise with a 256-entry table.
struct CRC32 {
    private static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = (c & 1 != 0) ? (0xEDB8_8320 ^ (c >> 1)) : (c >> 1) }
        return c
    }
    private var crc: UInt32 = 0xFFFF_FFFF

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        Self.table.withUnsafeBufferPointer { t in
            for b in bytes { crc = t[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        }
    }

    var value: UInt32 { crc ^ 0xFFFF_FFFF }
}
