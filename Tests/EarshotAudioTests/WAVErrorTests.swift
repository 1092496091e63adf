import Foundation
import Testing
@testable import EarshotAudio

@Suite("WAV reader: bad inputs give one-line errors naming the file")
struct WAVErrorTests {
    /// A valid 16-bit mono header + 100 samples, for corruption.
    static func valid(bits: Int = 16, rate: Int = 16_000) -> [UInt8] {
        encodeWAV(testSignal(frames: 100, channels: 1, rate: 16_000), spec: WAVTestSpec(rate: rate, bits: bits))
    }

    /// Opens `bytes` written to a temp file; returns the error or nil.
    static func error(of bytes: [UInt8], name: String = "bad.wav", selection: WAVChannelSelection = .channel(0)) throws -> (String, WAVError?) {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try writeFile(bytes, to: dir, name: name)
        do {
            _ = try readAll(path, selection: selection)
            return (path, nil)
        } catch let e as WAVError {
            return (path, e)
        }
    }

    static func check(_ bytes: [UInt8], contains: String, selection: WAVChannelSelection = .channel(0),
                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (path, e) = try error(of: bytes, selection: selection)
        let err = try #require(e, "expected an error containing \(contains)", sourceLocation: sourceLocation)
        let message = err.description
        #expect(message.hasPrefix(path + ": "), "\(message)", sourceLocation: sourceLocation)
        #expect(message.contains(contains), "\(message)", sourceLocation: sourceLocation)
        #expect(!message.contains("\n"), sourceLocation: sourceLocation)
    }

    /// Writes a little-endian UInt16/UInt32 into a byte image.
    static func patch16(_ b: inout [UInt8], at o: Int, _ v: Int) { b[o] = UInt8(v & 0xFF); b[o + 1] = UInt8(v >> 8 & 0xFF) }
    static func patch32(_ b: inout [UInt8], at o: Int, _ v: Int) { for k in 0..<4 { b[o + k] = UInt8(v >> (8 * k) & 0xFF) } }

    @Test func emptyFile() throws { try Self.check([], contains: "empty file (0 bytes)") }

    @Test func notRIFF() throws {
        try Self.check(Array("ID3\u{03}some mp3 bytes here".utf8), contains: "not a WAV file (starts with \"ID3?\"")
        try Self.check(Array("hello".utf8), contains: "not a WAV file")
    }

    @Test func notWAVE() throws {
        var b = Self.valid()
        b.replaceSubrange(8..<12, with: Array("AVI ".utf8))
        try Self.check(b, contains: "RIFF form type \"AVI \"")
    }

    @Test func truncatedHeader() throws {
        try Self.check(Array(Self.valid()[0..<8]), contains: "truncated header: file has 8 bytes")
        try Self.check(Array(Self.valid()[0..<24]), contains: "truncated header: fmt chunk declares 16 bytes but the file ends after 4")
        try Self.check(Array(Self.valid()[0..<36]), contains: "truncated header: no data chunk")
    }

    /// A recording cut short (issue 17): read up to where the file ends, the missing bytes counted.
    @Test func truncatedDataIsReadUpToTheEnd() throws {
        let b = Array(Self.valid()[0..<(44 + 80)])  // 200 bytes declared, 80 present
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try writeFile(b, to: dir, name: "cut.wav")
        let r = try WAVReader(path: path, selection: .channel(0))
        #expect(r.format.dataBytes == 80 && r.format.missingDataBytes == 120)
        let buf = UnsafeMutableBufferPointer<Int16>.allocate(capacity: 1_000)
        defer { buf.deallocate() }
        var n = 0
        while true { let k = try r.read(into: buf); if k == 0 { break }; n += k }
        #expect(n == r.format.dataBytes / Int64(r.format.blockAlign))
        #expect(r.format.truncationWarning(path: path)?.hasPrefix(path + ": warning: truncated recording: the data chunk declares 200 bytes but the file ends after 80") == true)
    }

    @Test func unsupportedFormatTag() throws {
        var b = Self.valid()
        Self.patch16(&b, at: 20, 0x0055)
        try Self.check(b, contains: "unsupported format tag 0x0055 (MPEG Layer 3)")
    }

    @Test func unsupportedBitDepth() throws {
        var b = Self.valid()
        Self.patch16(&b, at: 34, 12)  // 12-bit in a 16-bit container
        try Self.check(b, contains: "unsupported bit depth: 12-bit integer PCM")
        var f = encodeWAV([[0.1, 0.2]], spec: WAVTestSpec(bits: 32, float: true))
        Self.patch16(&f, at: 34, 64); Self.patch16(&f, at: 32, 8)
        try Self.check(f, contains: "unsupported bit depth: 64-bit float")
    }

    @Test func rateOutOfRange() throws {
        try Self.check(Self.valid(rate: 96_000), contains: "sample rate 96000 Hz out of range 8000…48000 Hz")
        try Self.check(Self.valid(rate: 4_000), contains: "sample rate 4000 Hz out of range")
    }

    @Test func zeroChannels() throws {
        var b = Self.valid()
        Self.patch16(&b, at: 22, 0)
        try Self.check(b, contains: "fmt chunk declares 0 channels")
    }

    @Test func emptyData() throws {
        var b = Array(Self.valid()[0..<44])
        Self.patch32(&b, at: 40, 0)
        try Self.check(b, contains: "empty data")
    }

    @Test func channelOutOfRange() throws {
        try Self.check(Self.valid(), contains: "channel 3 requested but the file has 1 channel (0…0)", selection: .channel(3))
    }

    @Test func missingFileAndDirectory() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("nope.wav").path
        #expect(throws: WAVError(path: missing, reason: .cannotOpen(errno: 2))) { _ = try WAVReader(path: missing) }
        do { _ = try WAVReader(path: missing) } catch {
            #expect(error.description == "\(missing): cannot open: No such file or directory")
        }
        do { _ = try WAVReader(path: dir.path); Issue.record("directory opened") } catch {
            #expect(error.description == "\(dir.path): is a directory, not a WAV file")
        }
    }

    @Test("a file truncated after open reports truncated data while streaming")
    func shrinkWhileReading() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try writeFile(Self.valid(), to: dir, name: "s.wav")
        let reader = try WAVReader(path: path)
        #expect(truncate(path, 44 + 50) == 0)
        var buf = [Int16](repeating: 0, count: 100)
        do {
            _ = try buf.withUnsafeMutableBufferPointer { (p) throws(WAVError) -> Int in try reader.read(into: p) }
            Issue.record("no error")
        } catch {
            #expect(error.description == "\(path): truncated data: data chunk declares 200 bytes but only 50 are present (150 bytes missing)")
        }
    }
}
