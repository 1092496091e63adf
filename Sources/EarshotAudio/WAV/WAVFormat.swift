// The decoded `fmt ` chunk and the location of the `data` chunk.

/// How samples are stored in the file.
public enum WAVSampleEncoding: Equatable, Sendable {
    /// Unsigned 8-bit PCM (offset 128).
    case unsigned8
    /// Signed little-endian integer PCM of `bytes` bytes (2, 3 or 4).
    case signedInteger(bytes: Int)
    /// IEEE 754 binary32, little-endian, full scale ±1.0.
    case float32
}

/// Format of a WAV file as read from its header.
public struct WAVFormat: Equatable, Sendable {
    /// Sample rate in Hz (8 000 … 48 000).
    public var sampleRate: Int
    /// Interleaved channels per frame (≥ 1).
    public var channels: Int
    /// Bits per sample as stored (container size: 8, 16, 24 or 32).
    public var bitsPerSample: Int
    /// Sample encoding.
    public var encoding: WAVSampleEncoding
    /// Format tag of the `fmt ` chunk (1 PCM, 3 float, 0xFFFE extensible).
    public var formatTag: UInt16
    /// Bytes per frame (all channels).
    public var blockAlign: Int
    /// Byte offset of the first sample in the file.
    public var dataOffset: Int64
    /// Bytes of sample data used (whole frames only).
    public var dataBytes: Int64
    /// Bytes the data chunk declares past the end of the file (0 for a whole file): a
    /// recording cut short (power loss). The reader reads what is present and stops there.
    public var missingDataBytes: Int64 = 0

    /// Number of frames (samples per channel) in the file.
    public var frameCount: Int64 { dataBytes / Int64(blockAlign) }
    /// Duration in seconds.
    public var durationSeconds: Double { Double(frameCount) / Double(sampleRate) }

    /// For a truncated file (`missingDataBytes` > 0), the one-line warning the commands print:
    /// `<path>: warning: truncated recording: … analysed up to where it ends (… s)`; nil otherwise.
    public func truncationWarning(path: String) -> String? {
        guard missingDataBytes > 0 else { return nil }
        let missingSeconds = Double(missingDataBytes / Int64(blockAlign)) / Double(sampleRate)
        func s(_ x: Double) -> String { let r = (x * 10).rounded() / 10; return r == r.rounded() ? "\(Int(r)).0" : "\(r)" }
        return "\(path): warning: truncated recording: the data chunk declares \(dataBytes + missingDataBytes) bytes but the file "
            + "ends after \(dataBytes) (\(s(missingSeconds)) s missing); analysed up to where it ends (\(s(durationSeconds)) s)"
    }
}

/// Which channel of a multichannel file becomes the analysed mono signal.
public enum WAVChannelSelection: Equatable, Sendable {
    /// One channel, 0-based.
    case channel(Int)
    /// The arithmetic mean of all channels (rounded once, after summing).
    case mean
}
