// Test-side WAV writer and reference conversion, independent of the reader.
import Foundation

/// How a synthesised test file is encoded.
struct WAVTestSpec {
    var rate = 16_000
    var channels = 1
    var bits = 16
    var float = false
    var extensible = false
    /// Insert an odd-sized unknown chunk before `fmt ` and between `fmt ` and `data`.
    var extraChunks = false
}

/// A fresh temporary directory for one test.
func makeTempDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("earshot-wav-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Deterministic test signal in [-1, 1): a sine per channel plus a little LCG noise,
/// with full-scale excursions at the start to exercise saturation and rounding.
func testSignal(frames: Int, channels: Int, rate: Int) -> [[Double]] {
    var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
    return (0..<channels).map { c in
        (0..<frames).map { i in
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let noise = Double(Int64(bitPattern: seed) >> 11) / Double(1 << 52) * 0.05
            if i == 0 { return c % 2 == 0 ? 0.999999 : -1.0 }
            return 0.9 * sin(2 * Double.pi * Double(300 * (c + 1)) * Double(i) / Double(rate)) + noise
        }
    }
}

/// The integer stored for unit value `x` at `bits` bits (round to nearest, clamped).
func storedInteger(_ x: Double, bits: Int) -> Int64 {
    let scale = Double(Int64(1) << (bits - 1))
    return Int64(max(-scale, min(scale - 1, (x * scale).rounded())))
}

/// Reference Q15 for a frame of unit values, computed in Double:
/// round-half-up(mean(stored) / 2^(bits−16)) or round-half-up(mean(float) · 32768).
func referenceQ15(_ frame: [Double], spec: WAVTestSpec) -> Int16 {
    let v: Double
    if spec.float {
        v = frame.map { Double(Float($0)) }.reduce(0, +) / Double(frame.count) * 32_768
    } else {
        v = frame.map { Double(storedInteger($0, bits: spec.bits)) }.reduce(0, +) / Double(frame.count)
            / pow(2.0, Double(spec.bits - 16))
    }
    return Int16(max(-32_768, min(32_767, (v + 0.5).rounded(.down))))
}

/// Encodes `signal` (one array per channel) as a WAV file image.
func encodeWAV(_ signal: [[Double]], spec: WAVTestSpec) -> [UInt8] {
    var out: [UInt8] = []
    func u16(_ v: Int) { out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    func u32(_ v: Int) { for k in 0..<4 { out.append(UInt8((v >> (8 * k)) & 0xFF)) } }
    func tag(_ s: String) { out += Array(s.utf8) }
    func junk() { tag("LIST"); u32(5); out += [1, 2, 3, 4, 5, 0] }  // odd size + pad byte

    let bytes = spec.bits / 8
    let frames = signal.first?.count ?? 0
    var data: [UInt8] = []
    data.reserveCapacity(frames * spec.channels * bytes)
    for i in 0..<frames {
        for c in 0..<spec.channels {
            if spec.float {
                let b = Float(signal[c][i]).bitPattern
                for k in 0..<4 { data.append(UInt8((b >> (8 * UInt32(k))) & 0xFF)) }
            } else {
                let stored = storedInteger(signal[c][i], bits: spec.bits)
                let v = UInt64(bitPattern: spec.bits == 8 ? stored + 128 : stored)  // 8-bit PCM is unsigned
                for k in 0..<bytes { data.append(UInt8((v >> (8 * UInt64(k))) & 0xFF)) }
            }
        }
    }
    tag("RIFF"); u32(0); tag("WAVE")
    if spec.extraChunks { junk() }
    tag("fmt ")
    u32(spec.extensible ? 40 : 16)
    u16(spec.extensible ? 0xFFFE : (spec.float ? 3 : 1))
    u16(spec.channels); u32(spec.rate); u32(spec.rate * spec.channels * bytes)
    u16(spec.channels * bytes); u16(spec.bits)
    if spec.extensible {
        u16(22); u16(spec.bits); u32(spec.channels == 2 ? 3 : 0)
        u16(spec.float ? 3 : 1)
        out += [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
    }
    if spec.extraChunks { junk() }
    tag("data"); u32(data.count); out += data
    if data.count % 2 == 1 { out.append(0) }
    let riff = out.count - 8
    for k in 0..<4 { out[4 + k] = UInt8((riff >> (8 * k)) & 0xFF) }
    return out
}

/// Writes `bytes` to `dir/name` and returns the path.
@discardableResult
func writeFile(_ bytes: [UInt8], to dir: URL, name: String) throws -> String {
    let url = dir.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
}
