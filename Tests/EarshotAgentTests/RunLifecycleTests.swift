// `earshot run` under a systemd-like supervisor: READY=1 once the pipeline runs,
// WATCHDOG=1 from the analysis loop, SIGHUP reload (mode change seen in the
// retained status, process keeps running), SIGTERM → STOPPING=1, status offline, exit 0.
import EarshotTestSupport
import Foundation
import Testing

/// A bound AF_UNIX datagram socket collecting sd_notify messages.
final class NotifySocket: @unchecked Sendable {
    let path: String
    let fd: Int32
    private let lock = NSLock()
    private var received: [String] = []

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (k, b) in path.utf8.enumerated() { raw[k] = b } }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if fd < 0 || rc != 0 { throw TestSupportError("cannot bind \(path): errno \(errno)") }
    }

    deinit { close(fd); unlink(path) }

    /// Reads every datagram waiting (non-blocking).
    func drain() {
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buf, buf.count, Int32(MSG_DONTWAIT))
            if n <= 0 { break }
            let text = String(decoding: buf[0..<n], as: UTF8.self)
            lock.withLock { received.append(text) }
        }
    }

    var messages: [String] { drain(); return lock.withLock { received } }

    func wait(timeout: Double, _ condition: ([String]) -> Bool) -> Bool { waitUntil(timeout: timeout) { condition(messages) } }
}

extension RunAgentTests {
    @Suite("earshot run lifecycle")
    struct RunLifecycleTests {
        @Test(.timeLimit(.minutes(1)))
        func notifyWatchdogReloadAndStop() throws {
            let broker = try MosquittoBroker()
            try broker.start()
            defer { broker.stop() }
            let fx = try RunFixture(port: broker.port, prefix: "earshot-run-life")
            let base = "earshot/v1/test/box-1"
            let sub = try MosquittoSubscriber.started(port: broker.port, filters: [base + "/status", base + "/event"])
            defer { sub.stop() }
            let notify = try NotifySocket(path: fx.path("notify.sock"))

            var audio = RunAudio.background(seconds: 2)
            RunAudio.addHorn(&audio, at: 0.5, duration: 0.5)
            let wav = try fx.write("loop.wav", RunAudio.wav(audio))
            let board = try fx.writeBoard(device: "unused")
            let table = try fx.writeTable()
            let site = try fx.writeSite(board: board, table: table, mode: "events", telemetryS: 60)
            let agent = try AgentProcess(["--config", site, "--input", wav, "--realtime", "--loop"],
                                         environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "400000"])
            defer { agent.signal(SIGKILL) }

            #expect(notify.wait(timeout: 10) { $0.contains { $0.contains("READY=1") } }, "\(agent.stderr)")
            #expect(notify.wait(timeout: 5) { $0.filter { $0 == "WATCHDOG=1" }.count >= 3 }, "pings at half of WATCHDOG_USEC")
            let statusOf = { (mode: String) in
                sub.messages(on: base + "/status").contains { $0.json?["state"] as? String == "online" && $0.json?["mode"] as? String == mode }
            }
            #expect(sub.wait(timeout: 5) { _ in statusOf("events") })
            #expect(sub.wait(timeout: 5) { $0.contains { $0.topic == base + "/event" } }, "events flow: \(agent.stderr)")

            // SIGHUP after switching the site to mode "levels": reloaded, still running, no more events.
            _ = try fx.writeSite(board: board, table: table, mode: "levels", telemetryS: 60)
            agent.signal(SIGHUP)
            #expect(sub.wait(timeout: 10) { _ in statusOf("levels") }, "\(agent.stderr)")
            #expect(notify.wait(timeout: 5) { $0.contains { $0.contains("RELOADING=1") } })
            #expect(agent.process.isRunning)
            let eventsAfterReload = sub.messages(on: base + "/event").count
            let wdBefore = notify.messages.filter { $0 == "WATCHDOG=1" }.count
            #expect(notify.wait(timeout: 5) { $0.filter { $0 == "WATCHDOG=1" }.count >= wdBefore + 2 }, "the new analysis loop pings")
            usleep(1_500_000)  // a horn of the looped file would be detected in this time
            #expect(sub.messages(on: base + "/event").count == eventsAfterReload, "mode levels publishes no events")

            agent.signal(SIGTERM)
            #expect(agent.wait(timeout: 10) == 0, "\(agent.stderr)")
            #expect(notify.messages.contains { $0.contains("STOPPING=1") })
            // The subscriber may still be receiving: wait (bounded) for the final status.
            let cleanOffline = { () -> Bool in
                let last = sub.messages(on: base + "/status").last?.json
                return last?["state"] as? String == "offline" && last?["reason"] == nil
            }
            _ = sub.wait(timeout: 3) { _ in cleanOffline() }
            let last = sub.messages(on: base + "/status").last?.json
            #expect(cleanOffline(), "clean offline status, not the will: \(String(describing: last))")
        }
    }
}

extension RunAgentTests {
    @Suite("earshot run exit codes")
    struct RunExitCodeTests {
        @Test(.timeLimit(.minutes(1)))
        func documentedExitCodes() throws {
            let fx = try RunFixture(port: try freeLocalPort(), prefix: "earshot-run-exit")
            // 2: the site file is invalid (the message names file and field).
            let bad = try fx.write("bad.toml", "[sensor]\nid = \"a/b\"\nsite = \"s\"\nboard = \"generic\"\n")
            let a = try AgentProcess(["--config", bad])
            #expect(a.wait(timeout: 10) == 2)
            #expect(a.stderr.contains("bad.toml") && a.stderr.contains("sensor.id"), "\(a.stderr)")
            // 3: the replay file does not exist.
            let site = try fx.writeSite(board: try fx.writeBoard(device: "unused"), table: try fx.writeTable())
            let b = try AgentProcess(["--config", site, "--input", fx.path("missing.wav")])
            #expect(b.wait(timeout: 10) == 3)
            #expect(b.stderr.contains("missing.wav"), "\(b.stderr)")
            // 64: bad command line.
            let c = try AgentProcess(["--config", site, "--log-level", "loud"])
            #expect(c.wait(timeout: 10) == 64)
            // 4: a replay analysed to its end with --exit-at-end, but no broker acknowledged its
            // events (they stay in the outbox): not 0, which would say they were delivered (issue 17).
            var audio = RunAudio.background(seconds: 1)
            RunAudio.addHorn(&audio, at: 0.3, duration: 0.5)
            let wav = try fx.write("one.wav", RunAudio.wav(audio))
            let d = try AgentProcess(["--config", site, "--input", wav, "--exit-at-end"])
            #expect(d.wait(timeout: 25) == 4, "\(d.stderr)")
            // One horn: its start and its end.
            #expect(d.eventIDs.count == 2 && d.stderr.contains("2 event(s) left in the outbox"), "\(d.stderr)")
            #expect(d.stderr.contains("2 event(s) not acknowledged by the broker"), "\(d.stderr)")
            // 0: the same replay with a broker that acknowledges both.
            let broker = try MosquittoBroker()
            try broker.start()
            defer { broker.stop() }
            let fx2 = try RunFixture(port: broker.port, prefix: "earshot-run-exit-acked")
            let site2 = try fx2.writeSite(board: try fx2.writeBoard(device: "unused"), table: try fx2.writeTable())
            let e = try AgentProcess(["--config", site2, "--input", wav, "--exit-at-end"])
            #expect(e.wait(timeout: 25) == 0, "\(e.stderr)")
            #expect(e.stderr.contains("0 event(s) left in the outbox"), "\(e.stderr)")
        }
    }
}
