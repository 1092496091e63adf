// `earshot-soak --status-allocs [N]` (under LD_PRELOAD=libMallocInterposerSwift.so): the status
// path alone, measured with the real malloc counter in a few seconds (StatusAllocationTests runs it).
// An agent in mode events+ptz (PTZ on an in-memory chip) replays 5 s of noise in a loop in real
// time, publishing to a mosquitto on 127.0.0.1, with $NOTIFY_SOCKET bound here so STATUS= is
// really sent. On a thread named earshot-status: 3 warm-up statuses, then N forced statuses
// (composed, encoded, published retained, STATUS= sent) and N "nothing due" checks, 2 ms apart,
// counted. Prints
//   status_allocs=… status_allocs_libmosquitto=… status_published=… status_calls=… status_datagrams=… status_datagrams_malformed=…
// and exits 0 when status_allocs is 0, every forced status was published and its STATUS= arrived.
import EarshotAgent
import EarshotDetection
import EarshotText
import EarshotSignatures
import EarshotTestSupport
import Foundation
import MallocInterposerSwift
import Synchronization

enum StatusAllocCheck {
    static func run(count: Int) -> Int32 {
        guard AllocationCensus.interposerActive() else {
            fail("the malloc counter is not active (run with LD_PRELOAD=libMallocInterposerSwift.so)")
        }
        do {
            return try measure(count: count)
        } catch {
            fail("status check: \(error)")
        }
    }

    private static func measure(count: Int) throws -> Int32 {
        let dir = try makeTemporaryDirectory(prefix: "earshot-status-allocs")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let broker = try MosquittoBroker()
        try broker.start()
        defer { broker.stop() }

        let board = """
        name = "status-check"
        [audio]
        device = "unused"
        rate = 16000
        channels = 1
        [microphone]
        [gpio]
        chip = "gpiochip-fake"
        wiring = "lines"
        lines = [0, 1, 2, 3]
        active_low = false
        pulse_ms = 100
        cooldown_ms = 1000

        """
        try board.write(toFile: dir + "/board.toml", atomically: true, encoding: .utf8)
        try SignatureFile.encode(SignatureTable.relaxedForSyntheticSounds())
            .write(toFile: dir + "/table.json", atomically: true, encoding: .utf8)
        try TestSiteFile(sensor: "status", site: "soak", board: dir + "/board.toml", mode: "events+ptz", port: broker.port,
                         outbox: dir + "/outbox", fastReconnect: false, telemetryS: 60, logLevel: "warning", table: dir + "/table.json")
            .text.write(toFile: dir + "/site.toml", atomically: true, encoding: .utf8)
        try noiseWAV(seconds: 5).write(to: URL(fileURLWithPath: dir + "/noise.wav"))

        // sd_notify: a datagram socket the agent's SystemdNotifier sends to.
        let notifyPath = dir + "/notify.sock"
        let listener = try NotifyListener(path: notifyPath)
        setenv("NOTIFY_SOCKET", notifyPath, 1)

        var options = AgentOptions(sitePath: dir + "/site.toml")
        options.inputFile = dir + "/noise.wav"
        options.loop = true
        options.realtime = true
        options.fakeGPIOLog = dir + "/gpio.log"
        let agent: Agent
        do { agent = try Agent(options: options) } catch { fail(error.message) }
        AllocationCensus.prepare(traceAllocations: Int(ProcessInfo.processInfo.environment["SOAK_TRACE_ALLOCS"] ?? "0") ?? 0)
        MallocInterposerSwift.setAllocationHook(AllocationCensus.hook)
        MallocInterposerSwift.hook()
        do { try agent.start() } catch { fail(error.message) }
        defer { agent.shutdown() }
        if let e = agent.publisher?.waitUntilConnected(timeoutMs: 5_000) { fail("broker: \(e)") }
        usleep(300_000)  // some audio analysed: counters move between statuses

        let phase = Atomic<Int>(0)  // 1: warmed up, 2: counted part done
        let before = agent.statusPublished
        spawnNamedThread("earshot-status") {
            for _ in 0..<3 { agent.publishStatus(force: true); usleep(2_000) }
            phase.store(1, ordering: .releasing)
            while !AllocationCensus.recording.load(ordering: .acquiring) { usleep(100) }
            for _ in 0..<count {
                agent.publishStatus(force: true)
                usleep(1_000)
                agent.publishStatus()  // nothing changed, not due: the 250 ms path of `earshot run`
                usleep(1_000)
            }
            phase.store(2, ordering: .releasing)
        }
        while phase.load(ordering: .acquiring) < 1 { usleep(1_000) }
        AllocationCensus.recording.store(true, ordering: .releasing)
        while phase.load(ordering: .acquiring) < 2 { usleep(1_000) }
        AllocationCensus.recording.store(false, ordering: .relaxed)
        MallocInterposerSwift.unhook()
        MallocInterposerSwift.setAllocationHook(nil)

        let allocs = AllocationCensus.count(thread: AllocationCensus.statusClass, mosquitto: false)
        let mosquitto = AllocationCensus.count(thread: AllocationCensus.statusClass, mosquitto: true)
        let published = agent.statusPublished - before
        listener.stop()
        // STATUS= of `earshot run`: "<audio>, <mode>, hops <n>" (the start's READY=1 line is separate).
        let datagrams = listener.statusCount.load(ordering: .relaxed)
        let malformed = listener.malformed.load(ordering: .relaxed)
        print("status_allocs=\(allocs) status_allocs_libmosquitto=\(mosquitto) status_published=\(published) status_calls=\(2 * count) status_datagrams=\(datagrams) status_datagrams_malformed=\(malformed)")
        return allocs == 0 && published == count + 3 && datagrams >= count + 3 && malformed == 0 ? 0 : 1
    }

    /// A mono 16 kHz 16-bit WAV of low noise (about −50 dBFS).
    static func noiseWAV(seconds: Int) -> Data {
        let frames = seconds * 16_000
        var d = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: Array("RIFF".utf8)); u32(UInt32(36 + 2 * frames)); d.append(contentsOf: Array("WAVE".utf8))
        d.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(1); u32(16_000); u32(32_000); u16(2); u16(16)
        d.append(contentsOf: Array("data".utf8)); u32(UInt32(2 * frames))
        var state: UInt32 = 12_345
        for _ in 0..<frames {
            state = state &* 1_664_525 &+ 1_013_904_223
            u16(UInt16(bitPattern: Int16(truncatingIfNeeded: Int32(bitPattern: state) >> 24)))
        }
        return d
    }
}

/// A bound AF_UNIX datagram socket standing in for systemd's notification socket, read by
/// its own thread (the kernel queues only ~10 datagrams; a full queue would block the sender).
final class NotifyListener: @unchecked Sendable {
    // @unchecked Sendable: the fd is immutable; results are atomics.
    let fd: Int32
    /// STATUS= datagrams received / of them, those not of the form "STATUS=ok, events+ptz, hops <n>".
    let statusCount = Atomic<Int>(0)
    let malformed = Atomic<Int>(0)
    private let stopRequested = Atomic<Bool>(false)

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { fail("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (k, b) in bytes.enumerated() { raw[k] = b } }
        let len = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)! + bytes.count + 1
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(len)) } }
        guard rc == 0 else { fail("bind \(path): errno \(errno)") }
        var tv = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        spawnNamedThread("status-listen") { self.run() }
    }

    /// Stops the reader after it has read what is queued (then closes the socket).
    func stop() { stopRequested.store(true, ordering: .relaxed); usleep(300_000) }

    private func run() {
        var buf = [UInt8](repeating: 0, count: 4_096)
        let prefix = Array("STATUS=ok, events+ptz, hops ".utf8)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if stopRequested.load(ordering: .relaxed) { break }
                continue
            }
            guard n >= 7, buf[0..<7].elementsEqual("STATUS=".utf8) else { continue }
            statusCount.add(1, ordering: .relaxed)
            let digits = buf[prefix.count..<max(prefix.count, n)]
            if n <= prefix.count || !buf[0..<prefix.count].elementsEqual(prefix) || !digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                malformed.add(1, ordering: .relaxed)
            }
        }
        close(fd)
    }
}
