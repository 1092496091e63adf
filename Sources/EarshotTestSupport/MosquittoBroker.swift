// A real mosquitto broker for tests: private config in a temp dir, free port on
// 127.0.0.1, bounded waits, killed on stop/deinit.
import EarshotPlatform
import Foundation
import Synchronization

/// Errors from test helpers, with the command and its output.
public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Creates a fresh temporary directory `/tmp/{prefix}-XXXXXX`.
public func makeTemporaryDirectory(prefix: String) throws -> String {
    var template = Array("\(NSTemporaryDirectory())/\(prefix)-XXXXXX".utf8CString)
    guard let p = mkdtemp(&template) else { throw TestSupportError("mkdtemp failed: \(Errno.current.description)") }
    return String(cString: p)
}

/// A free TCP port on 127.0.0.1 (bind to port 0, read it back, close).
public func freeLocalPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestSupportError("socket() failed") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
            bind(fd, sa, len) == 0 && getsockname(fd, sa, &len) == 0
        }
    }
    guard ok else { throw TestSupportError("bind/getsockname failed: \(Errno.current.description)") }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// True when something accepts TCP connections on 127.0.0.1:`port`.
public func portAcceptsConnections(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` seconds pass.
@discardableResult
public func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

/// Runs a tool to completion (bounded by `timeout` seconds); throws with its output on failure.
@discardableResult
public func runTool(_ path: String, _ arguments: [String], timeout: Double = 20) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = arguments
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    try p.run()
    let data = LockedData()
    let reader = Thread { data.append(out.fileHandleForReading.readDataToEndOfFile()) }
    reader.start()
    if !waitUntil(timeout: timeout, { !p.isRunning }) {
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        throw TestSupportError("\(path) \(arguments.joined(separator: " ")) timed out after \(timeout) s")
    }
    p.waitUntilExit()
    waitUntil(timeout: 2) { data.done }
    let text = String(decoding: data.value, as: UTF8.self)
    guard p.terminationStatus == 0 else {
        throw TestSupportError("\(path) \(arguments.joined(separator: " ")) exited \(p.terminationStatus): \(text)")
    }
    return text
}

final class LockedData: Sendable {
    private let state = Mutex<(data: Data, finished: Bool)>((Data(), false))
    func append(_ d: Data) { state.withLock { $0.data.append(d); $0.finished = true } }
    var value: Data { state.withLock { $0.data } }
    var done: Bool { state.withLock { $0.finished } }
}

/// A mosquitto broker process on 127.0.0.1 for one test (killed with the test
/// process too, even when it exits without running deinit).
///
/// `start()` writes `mosquitto.conf` into a temp dir, starts `/usr/sbin/mosquitto -c`
/// and waits (≤ 5 s) until the port accepts connections. `kill()` sends SIGKILL
/// (simulating a crash), `restart()` starts it again on the same port, `stop()`
/// (also run by deinit) kills it and removes nothing else.
public final class MosquittoBroker: Sendable {
    /// TCP port on 127.0.0.1.
    public let port: Int
    /// Directory holding the config, log and any TLS/password files.
    public let directory: String
    /// Extra config lines for the listener (e.g. TLS, password file).
    public let listenerConfiguration: [String]
    private let process = Mutex<ParentWatchedProcess?>(nil)

    /// Path of the broker's log file.
    public var logPath: String { directory + "/mosquitto.log" }

    /// Prepares a broker. `listenerConfiguration` lines go under `listener {port} 127.0.0.1`;
    /// by default anonymous access is allowed.
    public init(listenerConfiguration: [String] = ["allow_anonymous true"], directory: String? = nil) throws {
        self.directory = try directory ?? makeTemporaryDirectory(prefix: "earshot-broker")
        port = try freeLocalPort()
        self.listenerConfiguration = listenerConfiguration
        // As root, mosquitto would drop to user "mosquitto", which cannot read our 0700 temp dirs.
        let userLine = geteuid() == 0 ? ["user root"] : []
        let conf = (userLine + [
            "per_listener_settings true",
            "persistence false",
            "log_dest file \(self.directory)/mosquitto.log",
            "log_type all",
            "listener \(port) 127.0.0.1",
        ] + listenerConfiguration).joined(separator: "\n") + "\n"
        try conf.write(toFile: self.directory + "/mosquitto.conf", atomically: true, encoding: .utf8)
    }

    deinit { stop() }

    /// Starts the broker and waits until it accepts connections (≤ `timeout` s).
    public func start(timeout: Double = 5) throws {
        _ = FileManager.default.createFile(atPath: directory + "/stderr.txt", contents: nil)
        let err = FileHandle(forWritingAtPath: directory + "/stderr.txt")
        let p = ParentWatchedProcess("/usr/sbin/mosquitto", ["-c", directory + "/mosquitto.conf"],
                                         output: err ?? FileHandle.nullDevice)
        try p.run()
        process.withLock { $0 = p }
        guard waitUntil(timeout: timeout, { portAcceptsConnections(port) || !p.isRunning }), p.isRunning else {
            let log = ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")
                + ((try? String(contentsOfFile: directory + "/stderr.txt", encoding: .utf8)) ?? "")
            stop()
            throw TestSupportError("mosquitto did not start on 127.0.0.1:\(port) within \(timeout) s; log:\n\(log)")
        }
    }

    /// SIGKILLs the broker (no clean shutdown: clients see the socket drop).
    public func kill() {
        let p = process.withLock { current -> ParentWatchedProcess? in defer { current = nil }; return current }
        p?.kill()
    }

    /// Starts the broker again on the same port (after `kill()`), retrying while
    /// the port is still held (≤ `timeout` s).
    public func restart(timeout: Double = 5) throws {
        kill()
        let deadline = Date().addingTimeInterval(timeout)
        var lastError: Error?
        while Date() < deadline {
            do { try start(timeout: max(deadline.timeIntervalSinceNow, 0.5)); return } catch { lastError = error; usleep(100_000) }
        }
        throw lastError ?? TestSupportError("mosquitto restart on port \(port) timed out")
    }

    /// Whether the broker process is running.
    public var isRunning: Bool { process.withLock { $0?.isRunning ?? false } }

    /// Kills the broker if running.
    public func stop() { kill() }
}
