// Finds an executable product of this package (earshot, earshot-capture-probe)
// in the build folder the test bundle runs from.
import Foundation

/// Executables SwiftPM builds next to the test bundle.
public enum BuiltExecutable {
    /// The executable `name` in the test bundle's folder or up to two levels
    /// above it (the layout differs between `swift test` and a direct run),
    /// next to a loaded bundle, or next to the running program; nil when it
    /// was not built.
    public static func url(_ name: String) -> URL? {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<3 {
            let c = dir.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: c.path) { return c }
            dir = dir.deletingLastPathComponent()
        }
        for b in Bundle.allBundles {
            let c = b.bundleURL.deletingLastPathComponent().appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: c.path) { return c }
        }
        if let arg = CommandLine.arguments.first {
            let c = URL(fileURLWithPath: arg).deletingLastPathComponent().appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: c.path) { return c }
        }
        return nil
    }

    /// Runs `executable` with `arguments` to completion; returns its exit
    /// status and everything it wrote to stdout and stderr.
    public static func run(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}
