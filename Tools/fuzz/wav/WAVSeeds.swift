// Seed corpus of the WAV fuzz target: small valid files of every format the reader accepts
// (PCM 8/16/24/32-bit, float 32, WAVE_FORMAT_EXTENSIBLE, extra chunks, odd chunk sizes,
// streaming size 0xFFFFFFFF), synthesised here (no audio files in the repository).
import Glibc

enum WAVSeeds {
    /// Little-endian byte writer.
    struct Bytes {
        var b: [UInt8] = []
        mutating func text(_ s: String) { b += Array(s.utf8) }
        mutating func u16(_ v: UInt16) { b += [UInt8(v & 0xFF), UInt8(v >> 8)] }
        mutating func u32(_ v: UInt32) { for i in 0..<4 { b.append(UInt8((v >> (8 * UInt32(i))) & 0xFF)) } }
    }

    /// A WAV: `tag` 1 (PCM), 3 (float) or 0xFFFE (extensible with `subTag`); `frames` frames of a sine.
    static func wav(tag: UInt16, subTag: UInt16 = 1, bits: Int, channels: Int, rate: Int, frames: Int,
                    extraChunk: Bool = false, streamingSize: Bool = false) -> [UInt8] {
        var body = Bytes()
        for i in 0..<frames {
            for c in 0..<channels {
                let x = 0.6 * sin(2 * Double.pi * 440 * Double(i) / Double(rate) + Double(c))
                let effective = tag == 0xFFFE ? subTag : tag
                switch (effective, bits) {
                case (3, _): body.u32(Float(x).bitPattern)
                case (_, 8): body.b.append(UInt8(128 + Int((x * 127).rounded())))
                case (_, 16): body.u16(UInt16(bitPattern: Int16((x * 32_767).rounded())))
                case (_, 24):
                    let v = UInt32(bitPattern: Int32((x * 8_388_607).rounded()))
                    body.b += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF)]
                default: body.u32(UInt32(bitPattern: Int32((x * 2_147_483_647).rounded())))
                }
            }
        }
        var fmt = Bytes()
        fmt.u16(tag); fmt.u16(UInt16(channels)); fmt.u32(UInt32(rate))
        fmt.u32(UInt32(rate * channels * bits / 8)); fmt.u16(UInt16(channels * bits / 8)); fmt.u16(UInt16(bits))
        if tag == 0xFFFE {
            fmt.u16(22); fmt.u16(UInt16(bits)); fmt.u32(0)
            fmt.u16(subTag); fmt.b += [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
        }
        var f = Bytes()
        f.text("RIFF"); f.u32(0); f.text("WAVE")
        if extraChunk { f.text("LIST"); f.u32(5); f.text("INFOx"); f.b.append(0) }  // odd size + pad byte
        f.text("fmt "); f.u32(UInt32(fmt.b.count)); f.b += fmt.b
        f.text("data"); f.u32(streamingSize ? 0xFFFF_FFFF : UInt32(body.b.count)); f.b += body.b
        let riff = UInt32(f.b.count - 8)
        for i in 0..<4 { f.b[4 + i] = UInt8((riff >> (8 * UInt32(i))) & 0xFF) }
        return f.b
    }

    static var all: [(String, [UInt8])] {
        [
            ("pcm16-mono-16k", wav(tag: 1, bits: 16, channels: 1, rate: 16_000, frames: 64)),
            ("pcm8-mono-8k", wav(tag: 1, bits: 8, channels: 1, rate: 8_000, frames: 64)),
            ("pcm24-stereo-48k", wav(tag: 1, bits: 24, channels: 2, rate: 48_000, frames: 48)),
            ("pcm32-mono-44k1", wav(tag: 1, bits: 32, channels: 1, rate: 44_100, frames: 48)),
            ("float32-stereo-16k", wav(tag: 3, bits: 32, channels: 2, rate: 16_000, frames: 40)),
            ("extensible-pcm16-4ch-16k", wav(tag: 0xFFFE, subTag: 1, bits: 16, channels: 4, rate: 16_000, frames: 32)),
            ("extensible-float-2ch-48k", wav(tag: 0xFFFE, subTag: 3, bits: 32, channels: 2, rate: 48_000, frames: 32)),
            ("pcm16-list-chunk", wav(tag: 1, bits: 16, channels: 1, rate: 16_000, frames: 33, extraChunk: true)),
            ("pcm16-streaming-size", wav(tag: 1, bits: 16, channels: 2, rate: 16_000, frames: 30, streamingSize: true)),
        ]
    }

    /// Writes every seed into `dir`; returns the process exit status.
    static func write(to dir: String) -> Int32 {
        for (name, bytes) in all {
            let path = "\(dir)/\(name).wav"
            guard let f = fopen(path, "wb") else { fputs("cannot write \(path)\n", stderr); return 1 }
            _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
            fclose(f)
        }
        print("fuzz-wav: \(all.count) seeds in \(dir)")
        return 0
    }
}
