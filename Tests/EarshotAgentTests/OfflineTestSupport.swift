// Test helpers: temp directories, a minimal WAV writer, the built earshot binary.
import Foundation
import EarshotTestSupport

/// A fresh temporary directory.
func offlineTempDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("earshot-offline-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Writes a 16-bit PCM WAV with `channels` interleaved channels from Double samples in [-1, 1).
@discardableResult
func writePCM16(_ channels: [[Double]], rate: Int, to url: URL) throws -> URL {
    var d = Data()
    func u16(_ v: Int) { d.append(UInt8(v & 0xFF)); d.append(UInt8(v >> 8 & 0xFF)) }
    func u32(_ v: Int) { for k in 0..<4 { d.append(UInt8(v >> (8 * k) & 0xFF)) } }
    let c = channels.count, n = channels[0].count
    d.append(contentsOf: Array("RIFF".utf8)); u32(36 + 2 * c * n); d.append(contentsOf: Array("WAVEfmt ".utf8))
    u32(16); u16(1); u16(c); u32(rate); u32(rate * 2 * c); u16(2 * c); u16(16)
    d.append(contentsOf: Array("data".utf8)); u32(2 * c * n)
    for i in 0..<n {
        for ch in 0..<c { u16(Int(max(-32_768, min(32_767, (channels[ch][i] * 32_768).rounded()))) & 0xFFFF) }
    }
    try d.write(to: url)
    return url
}

/// A sine of amplitude 10^(dBFS/20) (so a full-scale sine reads 0 dBFS).
func sine(hz: Double, dBFS: Double, rate: Int, count: Int) -> [Double] {
    let a = pow(10, dBFS / 20)
    return (0..<count).map { a * sin(2 * Double.pi * hz * Double($0) / Double(rate)) }
}

/// The `earshot` executable built next to the test bundle (any --scratch-path).
func earshotBinary() -> URL? { BuiltExecutable.url("earshot") }

/// Runs earshot with `args`; returns (exit code, stdout, stderr).
func runEarshot(_ args: [String]) throws -> (Int32, String, String) {
    guard let bin = earshotBinary() else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "earshot binary not found next to the test bundle; build the earshot product"])
    }
    return try BuiltExecutable.run(bin, args)
}
