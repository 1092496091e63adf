import Testing
@testable import EarshotAudio

@Suite("Capture sample conversion and configuration")
struct CaptureConversionTests {
    /// Reference: round half up to 1/65536 and saturate, computed in Double.
    static func reference(_ x: Int32) -> Int16 {
        let r = (Double(x) / 65_536 + 0.5).rounded(.down)
        return Int16(min(max(r, -32_768), 32_767))
    }

    @Test func s32ToQ15RoundsAndSaturates() {
        var values: [Int32] = [.max, .min, 0, 1, -1, 0x7FFF_8000, 0x7FFF_7FFF, -0x8000, -0x8001, 0x8000, 0x7FFF, 65_536, -65_536]
        var seed: UInt32 = 12345
        for _ in 0..<10_000 { seed = seed &* 1_664_525 &+ 1_013_904_223; values.append(Int32(bitPattern: seed)) }
        var out = [Int16](repeating: 0, count: values.count)
        values.withUnsafeBytes { raw in
            out.withUnsafeMutableBufferPointer { SampleConversion.toQ15(raw.baseAddress!, format: .s32LE, sampleCount: values.count, into: $0.baseAddress!) }
        }
        for (x, y) in zip(values, out) { #expect(y == Self.reference(x), "S32 \(x)") }
    }

    @Test func configurationErrorsNameTheField() {
        func message(_ c: AudioCaptureConfig) -> String {
            do { try c.validate(); return "" } catch { return error.description }
        }
        #expect(message(AudioCaptureConfig(device: "hw:1,0", channels: 9)).contains("audio.channels 9"))
        #expect(message(AudioCaptureConfig(device: "hw:1,0", rate: 1_000)).contains("audio.rate 1000"))
        #expect(message(AudioCaptureConfig(device: "", rate: 16_000)).contains("audio.device is empty"))
        #expect(message(AudioCaptureConfig(device: "hw:1,0", periodFrames: 160, bufferFrames: 200)).contains("audio.buffer_frames 200"))
        #expect(message(AudioCaptureConfig(device: "hw:1,0", rate: 48_000, channels: 8, format: .s32LE)) == "")
    }

    @Test func backoffDoublesToTheCapAndResets() {
        var b = ReopenBackoff()
        let ms = (0..<9).map { _ in b.next() / 1_000_000 }
        #expect(ms == [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000])
        b.reset()
        #expect(b.next() == 100_000_000)
    }

    @Test func alsaErrorMessageIsActionable() {
        let e = AlsaError(code: -2, call: "snd_pcm_open", device: "hw:2,0")
        #expect(e.description == "ALSA: cannot open capture device \"hw:2,0\": No such file or directory (snd_pcm_open) — check 'earshot devices' and the board file's audio.device")
        #expect(AlsaError(code: -19, call: "snd_pcm_readi", device: "x").isDeviceLoss)
        #expect(!AlsaError(code: -32, call: "snd_pcm_readi", device: "x").isDeviceLoss)
    }
}
