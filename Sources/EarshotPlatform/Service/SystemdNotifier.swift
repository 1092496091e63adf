// sd_notify(3) without libsystemd: datagrams to the AF_UNIX socket named by
// $NOTIFY_SOCKET (a path, or an abstract name written with a leading '@').
#if canImport(Glibc)
import Glibc
#endif

/// A failed notification: which call failed, errno, and the socket.
public struct SystemdNotifyError: Error, Equatable, Sendable, CustomStringConvertible {
    public var call: String
    public var code: Int32
    public var socket: String

    public var description: String {
        "sd_notify to \(socket): \(call) failed: \(Errno(rawValue: code).description) (errno \(code))"
    }
}

/// Talks to systemd's notification socket (`Type=notify`, `WatchdogSec=`).
/// When `$NOTIFY_SOCKET` is unset (not started by systemd) every call is a
/// no-op that succeeds. The socket is opened once; `watchdog()` sends a
/// constant datagram and allocates nothing.
public final class SystemdNotifier: Sendable {
    /// `$NOTIFY_SOCKET` as found, or nil.
    public let socketName: String?
    private let fd: Int32
    private let address: sockaddr_un
    private let addressLength: socklen_t

    /// Reads `NOTIFY_SOCKET` from `environment` (default: the process's).
    /// Throws when the variable is set but unusable (too long, no socket).
    public init(environment: [String: String]? = nil) throws(SystemdNotifyError) {
        let name = environment.map { $0["NOTIFY_SOCKET"] } ?? getenv("NOTIFY_SOCKET").map { String(cString: $0) }
        guard let name, !name.isEmpty else {
            socketName = nil
            fd = -1
            address = sockaddr_un()
            addressLength = 0
            return
        }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard (bytes.first == UInt8(ascii: "/") || abstract), bytes.count < capacity else {
            throw SystemdNotifyError(call: "NOTIFY_SOCKET (must be an absolute path or @abstract name shorter than \(capacity) bytes)",
                                     code: EINVAL, socket: name)
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (k, b) in bytes.enumerated() { raw[k] = b }
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)!
        // Paths include their NUL; abstract names are exactly their bytes.
        let length = pathOffset + bytes.count + (abstract ? 0 : 1)
        let s = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { throw SystemdNotifyError(call: "socket", code: errno, socket: name) }
        socketName = name
        fd = s
        address = addr
        addressLength = socklen_t(length)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// True when running under systemd with a notification socket.
    public var isEnabled: Bool { fd >= 0 }

    /// Sends `state`, newline-separated `KEY=VALUE` assignments.
    public func send(_ state: String) throws(SystemdNotifyError) {
        guard fd >= 0 else { return }
        var s = state
        let result: Int = s.withUTF8 { buf in sendRaw(UnsafeRawBufferPointer(buf)) }
        if result < 0 { throw SystemdNotifyError(call: "sendto", code: errno, socket: socketName ?? "") }
    }

    private func sendRaw(_ buf: UnsafeRawBufferPointer) -> Int {
        var addr = address
        return withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                var n: Int
                repeat {
                    n = sendto(fd, buf.baseAddress, buf.count, Int32(MSG_NOSIGNAL), sa, addressLength)
                } while n < 0 && errno == EINTR
                return n
            }
        }
    }

    /// `READY=1` (start-up finished), with an optional `STATUS=` line.
    public func ready(status: String? = nil) throws(SystemdNotifyError) {
        try send("READY=1" + (status.map { "\nSTATUS=\($0)" } ?? ""))
    }

    /// Sends one prepared datagram of UTF-8 `bytes`, borrowed for the call: no allocation.
    public func sendDatagram(utf8 bytes: UnsafeBufferPointer<UInt8>) throws(SystemdNotifyError) {
        try sendDatagram(UnsafeRawBufferPointer(bytes))
    }

    /// Sends one prepared datagram (e.g. a `STATUS=` line built in a fixed buffer): no allocation.
    public func sendDatagram(_ bytes: UnsafeRawBufferPointer) throws(SystemdNotifyError) {
        guard fd >= 0 else { return }
        if sendRaw(bytes) < 0 { throw SystemdNotifyError(call: "sendto", code: errno, socket: socketName ?? "") }
    }

    /// `WATCHDOG=1`: the keep-alive ping (no allocation).
    public func watchdog() throws(SystemdNotifyError) {
        guard fd >= 0 else { return }
        let msg: StaticString = "WATCHDOG=1"
        let n = sendRaw(UnsafeRawBufferPointer(start: msg.utf8Start, count: msg.utf8CodeUnitCount))
        if n < 0 { throw SystemdNotifyError(call: "sendto", code: errno, socket: socketName ?? "") }
    }

    /// `RELOADING=1` with `MONOTONIC_USEC=` (CLOCK_MONOTONIC, µs), as
    /// `Type=notify-reload` requires; send `ready()` when the reload is done.
    public func reloading() throws(SystemdNotifyError) {
        try send("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())")
    }

    /// `STOPPING=1`: shutdown has begun.
    public func stopping() throws(SystemdNotifyError) {
        try send("STOPPING=1")
    }

    /// CLOCK_MONOTONIC in µs.
    public static func monotonicMicroseconds() -> UInt64 {
        MonotonicClock.nanoseconds() / 1_000
    }

    /// The watchdog timeout systemd expects pings within, from `$WATCHDOG_USEC`
    /// (µs); nil when unset, zero, malformed, or when `$WATCHDOG_PID` names
    /// another process. Ping at half this interval.
    public static func watchdogInterval(environment: [String: String]? = nil) -> Duration? {
        let env = { (k: String) -> String? in
            environment.map { $0[k] } ?? getenv(k).map { String(cString: $0) }
        }
        guard let usecText = env("WATCHDOG_USEC"), let usec = UInt64(usecText), usec > 0 else { return nil }
        if let pidText = env("WATCHDOG_PID") {
            guard let pid = Int32(pidText), pid == getpid() else { return nil }
        }
        return .microseconds(Int64(clamping: usec))
    }
}
