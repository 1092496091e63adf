// Parses the RIFF/WAVE header: walks the chunks up to `data`, decodes `fmt `.

/// Reads a little-endian integer at `offset` of `bytes`.
@inline(__always)
private func le16(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt16 { UInt16(b[o]) | UInt16(b[o + 1]) << 8 }
@inline(__always)
private func le32(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt32 {
    UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
}

/// Four bytes as printable text (non-printable bytes shown as `?`).
private func fourCC(_ b: UnsafeRawBufferPointer, _ o: Int, _ n: Int = 4) -> String {
    var s = ""
    for i in o..<min(o + n, b.count) {
        let c = b[i]
        s.append(c >= 0x20 && c < 0x7F ? Character(Unicode.Scalar(c)) : "?")
    }
    return s
}

enum WAVHeader {
    /// Parses the header of `file` and leaves the read position at the first sample.
    static func parse(_ file: WAVFile) throws(WAVError) -> WAVFormat {
        let path = file.path
        func fail(_ r: WAVError.Reason) -> WAVError { WAVError(path: path, reason: r) }
        if file.size == 0 { throw fail(.emptyFile) }

        let head = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 8)
        defer { head.deallocate() }
        let b = UnsafeRawBufferPointer(head)
        var n = try file.read(into: head.baseAddress!, count: 12)
        do {
            if n >= 4 && !(b[0] == 0x52 && b[1] == 0x49 && b[2] == 0x46 && b[3] == 0x46) {
                throw fail(.notRIFF(found: fourCC(b, 0, min(n, 4))))
            }
            if n < 12 {
                // Fewer than 4 bytes that are not a prefix of "RIFF": not a WAV.
                let riff: [UInt8] = [0x52, 0x49, 0x46, 0x46]
                for i in 0..<min(n, 4) where b[i] != riff[i] { throw fail(.notRIFF(found: fourCC(b, 0, min(n, 4)))) }
                throw fail(.truncatedHeader(what: "file has \(n) bytes, a RIFF header needs 12"))
            }
            if !(b[8] == 0x57 && b[9] == 0x41 && b[10] == 0x56 && b[11] == 0x45) {
                throw fail(.notWAVE(found: fourCC(b, 8)))
            }
        }

        var position: Int64 = 12
        var format: WAVFormat? = nil
        while true {
            n = try file.read(into: head.baseAddress!, count: 8)
            if n < 8 {
                throw fail(.truncatedHeader(what: format == nil
                    ? "no fmt chunk before the end of the file at byte \(position + Int64(n))"
                    : "no data chunk before the end of the file at byte \(position + Int64(n))"))
            }
            let id = fourCC(b, 0), size = Int64(le32(b, 4))
            position += 8
            if id == "fmt " {
                if size < 16 { throw fail(.truncatedHeader(what: "fmt chunk has \(size) bytes, at least 16 are needed")) }
                let want = Int(min(size, 40))
                n = try file.read(into: head.baseAddress!, count: want)
                if n < want { throw fail(.truncatedHeader(what: "fmt chunk declares \(size) bytes but the file ends after \(n)")) }
                format = try decodeFmt(b, size: Int(size), path: path)
                position += size + (size & 1)
                try file.seek(to: position)
            } else if id == "data" {
                guard var f = format else { throw fail(.truncatedHeader(what: "data chunk before the fmt chunk")) }
                let present = file.size - position
                var declared = size
                if size == 0xFFFF_FFFF { declared = present }  // streaming writers: size unknown
                // A recording cut short (power loss): read what is there, and say what is missing.
                let missing = max(0, declared - max(0, present))
                declared -= missing
                f.dataOffset = position
                f.dataBytes = declared - declared % Int64(f.blockAlign)
                f.missingDataBytes = missing
                if f.dataBytes == 0 { throw fail(.emptyData) }
                return f
            } else {
                // Unknown chunk (LIST, fact, cue, bext, …): skip it and its pad byte.
                position += size + (size & 1)
                if position > file.size {
                    throw fail(.truncatedHeader(what: "chunk \"\(id)\" declares \(size) bytes, past the end of the file"))
                }
                try file.seek(to: position)
            }
        }
    }

    /// Decodes the `fmt ` body (`b` holds at least 16 bytes, 40 when `size` ≥ 40).
    private static func decodeFmt(_ b: UnsafeRawBufferPointer, size: Int, path: String) throws(WAVError) -> WAVFormat {
        func fail(_ r: WAVError.Reason) -> WAVError { WAVError(path: path, reason: r) }
        let tag = le16(b, 0)
        let channels = Int(le16(b, 2))
        let rate = Int(le32(b, 4))
        let blockAlign = Int(le16(b, 12))
        let bits = Int(le16(b, 14))
        var effectiveTag = tag
        if tag == 0xFFFE {
            if size < 40 { throw fail(.truncatedHeader(what: "extensible fmt chunk has \(size) bytes, 40 are needed")) }
            effectiveTag = le16(b, 24)  // first two bytes of the SubFormat GUID
        }
        let encoding: WAVSampleEncoding
        switch effectiveTag {
        case 1:
            switch bits {
            case 8: encoding = .unsigned8
            case 16, 24, 32: encoding = .signedInteger(bytes: bits / 8)
            default: throw fail(.unsupportedBitDepth(bits: bits, float: false))
            }
        case 3:
            guard bits == 32 else { throw fail(.unsupportedBitDepth(bits: bits, float: true)) }
            encoding = .float32
        default:
            throw fail(.unsupportedFormat(tag: effectiveTag))
        }
        if channels == 0 { throw fail(.zeroChannels) }
        if rate < 8_000 || rate > 48_000 { throw fail(.rateOutOfRange(hz: rate)) }
        let expected = channels * bits / 8
        if blockAlign != expected { throw fail(.badBlockAlign(declared: blockAlign, expected: expected)) }
        return WAVFormat(sampleRate: rate, channels: channels, bitsPerSample: bits, encoding: encoding,
                         formatTag: tag, blockAlign: blockAlign, dataOffset: 0, dataBytes: 0)
    }
}
