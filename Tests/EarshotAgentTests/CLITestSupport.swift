import EarshotTestSupport
import Foundation
import Testing

/// Runs the built `earshot` binary (next to the test bundle) with arguments,
/// an optional ALSA file-plugin replay of synthesised samples, and a time bound.
enum CLI {
    struct Result { var status: Int32; var out: String; var err: String }

    /// The `earshot` executable in the build folder.
    static var binary: URL? { BuiltExecutable.url("earshot") }

    /// A fresh scratch directory (removed by the caller).
    static func scratch(_ tag: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("earshot-cli-\(tag)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs `earshot args…` in `dir`, killing it after `timeout` s.
    static func run(_ args: [String], in dir: URL? = nil, env extra: [String: String] = [:], timeout: Double = 30) throws -> Result {
        let bin = try #require(binary, "earshot not built next to the tests")
        let p = Process()
        p.executableURL = bin
        p.arguments = args
        if let dir { p.currentDirectoryURL = dir }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in extra { env[k] = v }
        p.environment = env
        let outPipe = Pipe(), errPipe = Pipe()
        p.standardOutput = outPipe
        p.standardError = errPipe
        try p.run()
        let killer = DispatchWorkItem { if p.isRunning { p.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
        let errData = errPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        killer.cancel()
        return Result(status: p.terminationStatus, out: String(decoding: outData, as: UTF8.self),
                      err: String(decoding: errData, as: UTF8.self))
    }

    /// Writes `samples` (S16_LE mono) as the infile of an ALSA `file` plugin PCM named
    /// `earshot_replay`, a board file using it at `rate`, and returns (board path, env).
    static func replay(_ samples: [Int16], rate: Int, in dir: URL, boardExtra: String = "") throws -> (board: String, env: [String: String]) {
        let raw = dir.appendingPathComponent("in.raw")
        try samples.withUnsafeBytes { try Data($0).write(to: raw) }
        let conf = dir.appendingPathComponent("asound.conf")
        try AlsaFileReplay.asoundConf(rawPath: raw.path).write(to: conf, atomically: true, encoding: .utf8)
        let board = dir.appendingPathComponent("board.toml")
        try """
        # test board: replay through the ALSA file plugin
        name = "replay"

        [audio]
        device = "earshot_replay"
        rate = \(rate)
        channels = 1
        format = "S16_LE"

        [microphone]
        # calibration goes here
        \(boardExtra)
        """.write(to: board, atomically: true, encoding: .utf8)
        return (board.path, AlsaFileReplay.environment(confPath: conf.path))
    }

    /// A sine of `dbfs` (AES17: amplitude 32768·10^(dbfs/20)) at `hz`, `seconds` long, rounded to Q15.
    static func tone(dbfs: Double, hz: Double, seconds: Double, rate: Int) -> [Int16] {
        let a = 32_768 * pow(10, dbfs / 20)
        return (0..<Int(seconds * Double(rate))).map { i in
            Int16(max(-32_768, min(32_767, (a * sin(2 * Double.pi * hz * Double(i) / Double(rate))).rounded())))
        }
    }

    /// The mean-square level of `samples` in dBFS (AES17), computed in Double.
    static func dbfs(_ samples: ArraySlice<Int16>) -> Double {
        let ms = samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)
        return 10 * log10(ms / (32_768.0 * 32_768.0 / 2))
    }

    /// Parses one JSON object line.
    static func object(_ line: Substring) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }
}

extension CLI {
    /// Writes mono 16-bit PCM `samples` at `rate` as a WAV file.
    static func writeWAV(_ samples: [Int16], rate: Int, to url: URL) throws {
        var d = Data()
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: Array("RIFF".utf8)); u32(36 + samples.count * 2)
        d.append(contentsOf: Array("WAVEfmt ".utf8)); u32(16); u16(1); u16(1); u32(rate); u32(rate * 2); u16(2); u16(16)
        d.append(contentsOf: Array("data".utf8)); u32(samples.count * 2)
        samples.withUnsafeBytes { d.append(contentsOf: $0) }
        try d.write(to: url)
    }
}
