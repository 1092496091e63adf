// Errors of the WAV reader: one line, naming the file and the reason.

/// Why a WAV file could not be read. `WAVError.description` is a one-line
/// message of the form `"<path>: <reason>"` that a technician can act on.
public struct WAVError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The reason, with the values that caused it.
    public enum Reason: Equatable, Sendable {
        /// `open(2)` failed; `errno` is the system error number.
        case cannotOpen(errno: Int32)
        /// The path names a directory, not a file.
        case isDirectory
        /// The file has 0 bytes.
        case emptyFile
        /// The first four bytes are not `RIFF` (they are `found`, printable).
        case notRIFF(found: String)
        /// A RIFF file whose form type is not `WAVE`.
        case notWAVE(found: String)
        /// The header ends before `what` could be read.
        case truncatedHeader(what: String)
        /// The `data` chunk declares `declared` bytes but only `present` are in the file.
        case truncatedData(declared: Int64, present: Int64)
        /// A format tag other than PCM (1), IEEE float (3) or extensible (0xFFFE).
        case unsupportedFormat(tag: UInt16)
        /// A bit depth the reader does not decode for this format.
        case unsupportedBitDepth(bits: Int, float: Bool)
        /// Sample rate outside 8 000 … 48 000 Hz.
        case rateOutOfRange(hz: Int)
        /// `fmt ` declares 0 channels.
        case zeroChannels
        /// `fmt ` block align disagrees with channels × bytes per sample.
        case badBlockAlign(declared: Int, expected: Int)
        /// The requested channel does not exist in the file.
        case channelOutOfRange(requested: Int, channels: Int)
        /// The `data` chunk holds no complete frame.
        case emptyData
        /// `read(2)` failed while streaming samples.
        case readFailed(errno: Int32)
    }

    /// The file as the caller named it.
    public let path: String
    /// What went wrong.
    public let reason: Reason

    /// Creates an error for `path`.
    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    /// `"<path>: <reason>"`, one line.
    public var description: String { "\(path): \(reasonText)" }

    /// The reason alone, one line, lower case.
    public var reasonText: String {
        switch reason {
        case .cannotOpen(let e): return "cannot open: \(systemErrorText(e))"
        case .isDirectory: return "is a directory, not a WAV file"
        case .emptyFile: return "empty file (0 bytes), not a WAV file"
        case .notRIFF(let found): return "not a WAV file (starts with \"\(found)\", expected \"RIFF\")"
        case .notWAVE(let found): return "not a WAV file (RIFF form type \"\(found)\", expected \"WAVE\")"
        case .truncatedHeader(let what): return "truncated header: \(what)"
        case .truncatedData(let declared, let present):
            return "truncated data: data chunk declares \(declared) bytes but only \(present) are present (\(declared - present) bytes missing)"
        case .unsupportedFormat(let tag):
            return "unsupported format tag \(hex(tag))\(formatName(tag)); convert to PCM 16/24/32-bit or float 32-bit"
        case .unsupportedBitDepth(let bits, let float):
            return float
                ? "unsupported bit depth: \(bits)-bit float (only 32-bit float is read)"
                : "unsupported bit depth: \(bits)-bit integer PCM (8, 16, 24 and 32-bit are read)"
        case .rateOutOfRange(let hz): return "sample rate \(hz) Hz out of range 8000…48000 Hz; resample the file"
        case .zeroChannels: return "fmt chunk declares 0 channels"
        case .badBlockAlign(let declared, let expected):
            return "fmt chunk block align \(declared) bytes disagrees with channels × sample size (\(expected) bytes)"
        case .channelOutOfRange(let requested, let channels):
            return "channel \(requested) requested but the file has \(channels) channel\(channels == 1 ? "" : "s") (0…\(channels - 1))"
        case .emptyData: return "empty data: the data chunk holds no complete sample frame"
        case .readFailed(let e): return "read failed: \(systemErrorText(e))"
        }
    }
}

private func hex(_ v: UInt16) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: max(0, 4 - s.count)) + s
}

private func formatName(_ tag: UInt16) -> String {
    switch tag {
    case 0x0002: return " (Microsoft ADPCM)"
    case 0x0006: return " (A-law)"
    case 0x0007: return " (µ-law)"
    case 0x0011: return " (IMA ADPCM)"
    case 0x0050: return " (MPEG)"
    case 0x0055: return " (MPEG Layer 3)"
    case 0x00FF: return " (AAC)"
    default: return ""
    }
}
