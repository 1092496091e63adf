// A child process whose stdout/stderr lines are collected, for tests that kill clients.
import Foundation
import Synchronization

/// Runs an executable, collects its output lines, and kills it on `kill()`/deinit.
public final class ChildProcess: Sendable {
    private let collected = Mutex<[String]>([])
    private let process = Process()

    /// Starts `path` with `arguments`.
    public init(_ path: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let handle = pipe.fileHandleForReading
        Thread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let nl = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[pending.startIndex..<nl], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...nl)
                    collected.withLock { $0.append(line) }
                }
            }
        }.start()
    }

    deinit { kill() }

    /// Output lines so far.
    public var lines: [String] { collected.withLock { $0 } }

    /// Process id.
    public var pid: Int32 { process.processIdentifier }

    /// Waits until some line satisfies `predicate` (≤ `timeout` s).
    @discardableResult
    public func waitForLine(timeout: Double, _ predicate: (String) -> Bool) -> Bool {
        waitUntil(timeout: timeout) { lines.contains(where: predicate) }
    }

    /// Sends SIGKILL (no cleanup in the child: sockets are closed by the kernel) and reaps it.
    public func kill() {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
