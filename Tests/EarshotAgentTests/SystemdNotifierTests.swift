import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import EarshotPlatform
@testable import EarshotAgent
import EarshotText

@Suite("sd_notify over NOTIFY_SOCKET")
struct SystemdNotifierTests {
    /// A bound AF_UNIX datagram socket; `name` is a path or "@abstract".
    final class Listener {
        let fd: Int32
        init(_ name: String) {
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            var bytes = Array(name.utf8)
            let abstract = bytes.first == UInt8(ascii: "@")
            if abstract { bytes[0] = 0 }
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (k, b) in bytes.enumerated() { raw[k] = b } }
            let len = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)! + bytes.count + (abstract ? 0 : 1)
            let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(len)) } }
            precondition(rc == 0, "bind \(name): errno \(errno)")
            var tv = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }
        deinit { close(fd) }

        /// The next datagram, or nil after 2 s.
        func receive() -> String? {
            var buf = [UInt8](repeating: 0, count: 4_096)
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            return n < 0 ? nil : String(decoding: buf[0..<n], as: UTF8.self)
        }

        /// True when nothing else is queued.
        func isDrained() -> Bool {
            var buf = [UInt8](repeating: 0, count: 16)
            return buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) } < 0
        }
    }

    func exercise(_ name: String) throws {
        let listener = Listener(name)
        let n = try SystemdNotifier(environment: ["NOTIFY_SOCKET": name])
        #expect(n.isEnabled)
        try n.ready(status: "listening on default")
        try n.watchdog()
        try n.status("3 events, broker connected")
        try n.stopping()
        #expect(listener.receive() == "READY=1\nSTATUS=listening on default")
        #expect(listener.receive() == "WATCHDOG=1")
        #expect(listener.receive() == "STATUS=3 events, broker connected")
        #expect(listener.receive() == "STOPPING=1")
        #expect(listener.isDrained())
        let before = SystemdNotifier.monotonicMicroseconds()
        try n.reloading()
        let msg = try #require(listener.receive())
        let lines = msg.split(separator: "\n")
        #expect(lines.first == "RELOADING=1")
        let usec = try #require(UInt64(lines.last!.dropFirst("MONOTONIC_USEC=".count)))
        #expect(lines.last!.hasPrefix("MONOTONIC_USEC="))
        #expect(usec >= before && usec <= SystemdNotifier.monotonicMicroseconds())
    }

    @Test func pathSocket() throws {
        let dir = ConfigTestSupport.tempDirectory()
        try exercise(dir + "/notify.sock")
    }

    @Test func abstractSocket() throws {
        try exercise("@earshot-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    }

    @Test func disabledWithoutSocket() throws {
        let n = try SystemdNotifier(environment: [:])
        #expect(!n.isEnabled)
        try n.ready()
        try n.watchdog()
    }

    @Test func unusableSocketNames() {
        #expect(throws: SystemdNotifyError.self) { try SystemdNotifier(environment: ["NOTIFY_SOCKET": "relative/path"]) }
        #expect(throws: SystemdNotifyError.self) { try SystemdNotifier(environment: ["NOTIFY_SOCKET": "/" + String(repeating: "x", count: 200)]) }
    }

    @Test func sendToMissingSocketThrows() throws {
        let n = try SystemdNotifier(environment: ["NOTIFY_SOCKET": "/nonexistent-dir-earshot/notify"])
        #expect(throws: SystemdNotifyError.self) { try n.watchdog() }
    }

    @Test func watchdogInterval() {
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "20000000"]) == .seconds(20))
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "\(getpid())"]) == .seconds(20))
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "1"]) == nil || getpid() == 1)
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "0"]) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "abc"]) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: [:]) == nil)
    }
}
