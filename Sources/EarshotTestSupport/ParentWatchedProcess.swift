// Child processes that die with the test process: a test runner killed by a
// timeout (or a benchmark that exits without deinit) must not leave brokers behind.
import Foundation
import Synchronization

/// Runs `executable arguments` as a direct child (Foundation reaps it), plus a tiny
/// `/bin/sh` watcher that SIGKILLs it if this process disappears first. The watcher
/// only polls (`kill -0`, `sleep`) and exits on its own once the command is gone.
/// (A shell that `wait`s for the command does not work here: children spawned from a
/// test runner's worker threads inherit a blocked SIGCHLD, and dash's `wait` then hangs.)
final class ParentWatchedProcess: Sendable {
    let process = Process()
    private let watcher = Mutex<Process?>(nil)

    private static let watchScript = """
        while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 0.5; done
        kill -0 "$1" 2>/dev/null || kill -9 "$2" 2>/dev/null
        """

    /// Configures (does not start) the process; `output` receives stdout and stderr.
    init(_ executable: String, _ arguments: [String], output: Any?) {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
    }

    /// Starts the command and its watcher.
    func run() throws {
        try process.run()
        let w = Process()
        w.executableURL = URL(fileURLWithPath: "/bin/sh")
        w.arguments = ["-c", Self.watchScript, "watch", String(getpid()), String(process.processIdentifier)]
        w.standardOutput = FileHandle.nullDevice
        w.standardError = FileHandle.nullDevice
        try? w.run()
        watcher.withLock { $0 = w }
    }

    /// True while the command is alive (read from /proc: Foundation's exit monitor can
    /// lag by seconds inside a busy test process).
    var isRunning: Bool {
        let pid = process.processIdentifier
        return pid > 0 && !Self.gone(pid)
    }

    /// Dead or a zombie (its sockets are closed either way).
    static func gone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state == "Z" || state == "X"
    }

    /// SIGKILLs the command and waits (≤ 2 s) until it is dead; Foundation reaps it.
    func kill() {
        let pid = process.processIdentifier
        guard pid > 0, !Self.gone(pid) else { return }
        Foundation.kill(pid, SIGKILL)
        waitUntil(timeout: 2) { Self.gone(pid) }
    }
}
