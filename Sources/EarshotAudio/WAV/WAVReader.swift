// Streams a WAV file as Q15 mono samples into caller-provided buffers.
import EarshotDSP

/// Reads a RIFF/WAVE file (PCM 8/16/24/32-bit integer, IEEE float 32-bit,
/// WAVE_FORMAT_EXTENSIBLE; 8 000 … 48 000 Hz; any channel count) and converts
/// one selected channel, or the mean of all channels, to Q15 `Int16`.
///
/// Conversion (round half up, saturating to −32768 … 32767):
/// integer PCM of b bits → x / 2^(b−16); 8-bit → (x − 128)·256;
/// float → x·32768. `.mean` sums the channels at full precision and rounds
/// once. Reading uses one internal byte buffer allocated at `init`; `read`
/// never allocates.
public final class WAVReader {
    /// The path given to `init` (used in error messages).
    public let path: String
    /// The file's format.
    public let format: WAVFormat
    /// The channel (or mean) that `read` delivers.
    public let selection: WAVChannelSelection
    /// Frames not yet delivered by `read`.
    public private(set) var framesRemaining: Int64

    private let file: WAVFile
    private let chunkFrames: Int
    private let raw: UnsafeMutableRawPointer
    private let channelIndex: Int  // −1 for the mean

    /// Opens `path`, parses its header and positions at the first sample.
    /// - Parameters:
    ///   - selection: channel to analyse (default channel 0).
    ///   - chunkFrames: frames per `read(2)` call (buffer = chunkFrames × blockAlign bytes).
    /// - Throws: `WAVError` naming the file and the reason.
    public init(path: String, selection: WAVChannelSelection = .channel(0), chunkFrames: Int = 16_384) throws(WAVError) {
        let file = try WAVFile(path: path)
        let format: WAVFormat
        do { format = try WAVHeader.parse(file) } catch { file.close(); throw error }
        if case .channel(let c) = selection, c < 0 || c >= format.channels {
            file.close()
            throw WAVError(path: path, reason: .channelOutOfRange(requested: c, channels: format.channels))
        }
        do { try file.seek(to: format.dataOffset) } catch { file.close(); throw error }
        self.path = path
        self.file = file
        self.format = format
        self.selection = selection
        self.framesRemaining = format.frameCount
        self.chunkFrames = max(1, chunkFrames)
        self.raw = UnsafeMutableRawPointer.allocate(byteCount: self.chunkFrames * format.blockAlign, alignment: 16)
        if case .channel(let c) = selection { channelIndex = format.channels == 1 ? 0 : c } else { channelIndex = format.channels == 1 ? 0 : -1 }
    }

    deinit {
        raw.deallocate()
        file.close()
    }

    /// Fills `buffer` with up to `buffer.count` Q15 samples of the selected
    /// channel; returns how many were written (0 at the end of the data).
    /// - Throws: `WAVError.Reason.truncatedData` if the file shrank since
    ///   `init`, `.readFailed` on an I/O error.
    public func read(into buffer: UnsafeMutableBufferPointer<Int16>) throws(WAVError) -> Int {
        guard let out = buffer.baseAddress else { return 0 }
        var written = 0
        while written < buffer.count && framesRemaining > 0 {
            let frames = Int(min(Int64(min(chunkFrames, buffer.count - written)), framesRemaining))
            let bytes = frames * format.blockAlign
            let got = try file.read(into: raw, count: bytes)
            if got < bytes {
                let consumed = format.dataBytes - framesRemaining * Int64(format.blockAlign)
                throw WAVError(path: path, reason: .truncatedData(declared: format.dataBytes, present: consumed + Int64(got)))
            }
            convert(frames: frames, into: out + written)
            written += frames
            framesRemaining -= Int64(frames)
        }
        return written
    }

    /// Decodes `frames` frames from `raw` into `out`.
    private func convert(frames: Int, into out: UnsafeMutablePointer<Int16>) {
        let stride = format.blockAlign
        let channels = format.channels
        switch format.encoding {
        case .signedInteger(bytes: 2):
            if channelIndex >= 0 {
                let base = raw + channelIndex * 2
                for i in 0..<frames { out[i] = Int16(littleEndian: base.loadUnaligned(fromByteOffset: i * stride, as: Int16.self)) }
            } else {
                meanInteger(frames: frames, into: out) { p in Int64(Int16(littleEndian: p.loadUnaligned(as: Int16.self))) &<< 16 }
            }
        case .signedInteger(bytes: 3):
            if channelIndex >= 0 {
                let base = raw + channelIndex * 3
                for i in 0..<frames {
                    let v = load24(base + i * stride)
                    out[i] = Self.q15(fromQ31: Int64(v) &<< 8, divisor: 1)
                }
            } else {
                meanInteger(frames: frames, into: out) { p in Int64(load24(p)) &<< 8 }
            }
        case .signedInteger(bytes: _):  // 4 bytes
            if channelIndex >= 0 {
                let base = raw + channelIndex * 4
                for i in 0..<frames {
                    let v = Int32(littleEndian: base.loadUnaligned(fromByteOffset: i * stride, as: Int32.self))
                    out[i] = Self.q15(fromQ31: Int64(v), divisor: 1)
                }
            } else {
                meanInteger(frames: frames, into: out) { p in Int64(Int32(littleEndian: p.loadUnaligned(as: Int32.self))) }
            }
        case .unsigned8:
            if channelIndex >= 0 {
                let base = raw + channelIndex
                for i in 0..<frames { out[i] = Int16(truncatingIfNeeded: (Int32(base.load(fromByteOffset: i * stride, as: UInt8.self)) - 128) << 8) }
            } else {
                meanInteger(frames: frames, into: out) { p in (Int64(p.load(as: UInt8.self)) - 128) &<< 24 }
            }
        case .float32:
            if channelIndex >= 0 {
                let base = raw + channelIndex * 4
                for i in 0..<frames {
                    let bits = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i * stride, as: UInt32.self))
                    out[i] = Self.q15(fromUnit: Double(Float(bitPattern: bits)))
                }
            } else {
                for i in 0..<frames {
                    let frame = raw + i * stride
                    var sum = 0.0
                    for c in 0..<channels {
                        let bits = UInt32(littleEndian: frame.loadUnaligned(fromByteOffset: c * 4, as: UInt32.self))
                        sum += Double(Float(bitPattern: bits))
                    }
                    out[i] = Self.q15(fromUnit: sum / Double(channels))
                }
            }
        }
    }

    /// Mean of all channels: `decode` maps one sample to Q31 (left-aligned
    /// in 32 bits, held in Int64); the sum is rounded once to Q15.
    @inline(__always)
    private func meanInteger(frames: Int, into out: UnsafeMutablePointer<Int16>, _ decode: (UnsafeRawPointer) -> Int64) {
        let stride = format.blockAlign
        let channels = format.channels
        let size = format.bitsPerSample / 8
        for i in 0..<frames {
            let frame = UnsafeRawPointer(raw + i * stride)
            var sum: Int64 = 0
            for c in 0..<channels { sum &+= decode(frame + c * size) }
            out[i] = Self.q15(fromQ31: sum, divisor: Int64(channels))
        }
    }

    /// round-half-up(x / (divisor · 2^16)), saturated to Int16.
    @inline(__always)
    static func q15(fromQ31 x: Int64, divisor: Int64) -> Int16 {
        let d = divisor &<< 16
        let n = x &+ (d &>> 1)
        let q = n >= 0 ? n / d : -((-n + d - 1) / d)  // floor division
        return Saturate.toInt16(q)
    }

    /// round-half-up(x · 32768), saturated to Int16; NaN reads 0.
    @inline(__always)
    static func q15(fromUnit x: Double) -> Int16 {
        let v = (x * 32_768 + 0.5).rounded(.down)
        if v.isNaN { return 0 }
        if v >= 32_767 { return .max }
        if v <= -32_768 { return .min }
        return Int16(v)
    }
}

/// Sign-extends a little-endian 24-bit integer.
@inline(__always)
private func load24(_ p: UnsafeRawPointer) -> Int32 {
    let u = UInt32(p.load(as: UInt8.self)) | UInt32(p.load(fromByteOffset: 1, as: UInt8.self)) << 8
        | UInt32(p.load(fromByteOffset: 2, as: UInt8.self)) << 16
    return Int32(bitPattern: u << 8) >> 8
}
