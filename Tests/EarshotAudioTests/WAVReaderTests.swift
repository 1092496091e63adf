import Foundation
import Testing
@testable import EarshotAudio

/// Reads a whole file through `WAVReader` in blocks of `block` samples.
func readAll(_ path: String, selection: WAVChannelSelection = .channel(0), block: Int = 4_096, chunkFrames: Int = 16_384) throws -> (WAVFormat, [Int16]) {
    let reader = try WAVReader(path: path, selection: selection, chunkFrames: chunkFrames)
    var all: [Int16] = []
    var buf = [Int16](repeating: 0, count: block)
    while true {
        let n = try buf.withUnsafeMutableBufferPointer { try reader.read(into: $0) }
        if n == 0 { break }
        all += buf[0..<n]
    }
    return (reader.format, all)
}

@Suite("WAV reader: formats, channels, rates")
struct WAVReaderTests {
    static let depths: [(bits: Int, float: Bool)] = [(16, false), (24, false), (32, false), (32, true), (8, false)]

    @Test("integer 8/16/24/32-bit and float32, 1/2/4 channels, channel selection and mean",
          arguments: [1, 2, 4])
    func formatsAndChannels(channels: Int) throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for d in Self.depths {
            let spec = WAVTestSpec(rate: 16_000, channels: channels, bits: d.bits, float: d.float)
            let signal = testSignal(frames: 1_003, channels: channels, rate: spec.rate)
            let path = try writeFile(encodeWAV(signal, spec: spec), to: dir, name: "t\(d.bits)\(d.float).wav")
            var selections: [WAVChannelSelection] = [.channel(0), .channel(channels - 1), .mean]
            if channels == 4 { selections.append(.channel(2)) }
            for sel in selections {
                let (format, samples) = try readAll(path, selection: sel)
                #expect(format.channels == channels)
                #expect(format.bitsPerSample == d.bits)
                #expect(format.sampleRate == 16_000)
                #expect(format.frameCount == 1_003)
                #expect(samples.count == 1_003)
                let expected: [Int16] = (0..<1_003).map { i in
                    switch sel {
                    case .channel(let c): return referenceQ15([signal[c][i]], spec: spec)
                    case .mean: return referenceQ15(signal.map { $0[i] }, spec: spec)
                    }
                }
                let mismatches = zip(samples, expected).filter { $0 != $1 }.count
                #expect(mismatches == 0, "\(d) ch=\(channels) \(sel): \(mismatches) samples differ")
            }
        }
    }

    @Test("8, 16, 44.1 and 48 kHz", arguments: [8_000, 16_000, 44_100, 48_000])
    func rates(rate: Int) throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = WAVTestSpec(rate: rate, channels: 2, bits: 16)
        let signal = testSignal(frames: rate / 10, channels: 2, rate: rate)
        let path = try writeFile(encodeWAV(signal, spec: spec), to: dir, name: "r.wav")
        let (format, samples) = try readAll(path, selection: .channel(1))
        #expect(format.sampleRate == rate)
        #expect(format.durationSeconds == 0.1)
        #expect(samples == signal[1].map { referenceQ15([$0], spec: spec) })
    }

    @Test("WAVE_FORMAT_EXTENSIBLE PCM 24-bit and float, unknown odd-sized chunks skipped")
    func extensibleAndChunks() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for spec in [WAVTestSpec(channels: 4, bits: 24, extensible: true, extraChunks: true),
                     WAVTestSpec(channels: 2, bits: 32, float: true, extensible: true),
                     WAVTestSpec(channels: 1, bits: 16, extraChunks: true)] {
            let signal = testSignal(frames: 777, channels: spec.channels, rate: spec.rate)
            let path = try writeFile(encodeWAV(signal, spec: spec), to: dir, name: "x.wav")
            let (format, samples) = try readAll(path, selection: .mean)
            #expect(format.formatTag == (spec.extensible ? 0xFFFE : 1))
            #expect(samples == (0..<777).map { i in referenceQ15(signal.map { $0[i] }, spec: spec) })
        }
    }

    @Test("block size and internal chunk size do not change the samples")
    func blockSizes() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = WAVTestSpec(channels: 2, bits: 24)
        let signal = testSignal(frames: 5_000, channels: 2, rate: 16_000)
        let path = try writeFile(encodeWAV(signal, spec: spec), to: dir, name: "b.wav")
        let (_, reference) = try readAll(path, selection: .mean, block: 5_000)
        let (_, small) = try readAll(path, selection: .mean, block: 37, chunkFrames: 11)
        #expect(small == reference)
        #expect(reference.count == 5_000)
    }

    @Test("float samples beyond ±1.0 saturate; exact values convert exactly")
    func floatSaturation() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let signal: [[Double]] = [[1.5, -1.5, 1.0, -1.0, 0.5, -0.5, 0.25 / 32_768]]
        let path = try writeFile(encodeWAV(signal, spec: WAVTestSpec(bits: 32, float: true)), to: dir, name: "f.wav")
        let (_, samples) = try readAll(path)
        #expect(samples == [32_767, -32_768, 32_767, -32_768, 16_384, -16_384, 0])
    }
}
