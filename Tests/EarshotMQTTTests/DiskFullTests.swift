// Issue 18, item 5: a full disk dropped events even with the broker connected. The
// outbox lives on a real 64 KiB tmpfs filled to the last byte (no injection hook):
// appends fail with ENOSPC, and the connected publisher hands the event to the broker
// directly and counts it; with no broker it is counted as lost. Needs root (mount),
// which CI and the developers' machines are.
import EarshotMQTT
import EarshotTestSupport
import Foundation
import Glibc
import Testing

/// A tmpfs of `kib` KiB mounted on a fresh directory, unmounted (lazily) by `unmount()`.
struct TinyTmpfs {
    let path: String

    init(kib: Int) throws {
        path = try makeTemporaryDirectory(prefix: "earshot-full")
        guard mount("tmpfs", path, "tmpfs", 0, "size=\(kib)k,mode=0755") == 0 else {
            let e = errno
            removeDirectory(path)
            throw TestSupportError("mount tmpfs on \(path): \(String(cString: strerror(e))) (the test needs root)")
        }
    }

    /// Fills the filesystem with `name` until write(2) reports ENOSPC; returns the bytes written.
    @discardableResult
    func fill(_ name: String = "filler") throws -> Int {
        let fd = open(path + "/" + name, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw TestSupportError("open filler: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var block = [UInt8](repeating: 0x55, count: 4096)
        var total = 0
        var chunk = block.count
        while chunk > 0 {
            let n = block.withUnsafeMutableBytes { write(fd, $0.baseAddress, chunk) }
            if n > 0 { total += n; continue }
            guard errno == ENOSPC else { throw TestSupportError("fill: \(String(cString: strerror(errno)))") }
            chunk /= 2  // the last partial page
        }
        return total
    }

    func free() -> Int {
        var s = statvfs()
        return statvfs(path, &s) == 0 ? Int(s.f_bavail) * Int(s.f_bsize) : -1
    }

    func unmount() {
        _ = umount2(path, Int32(MNT_DETACH))
        removeDirectory(path)
    }
}

@Suite("Disk full: events still reach a connected broker", .timeLimit(.minutes(1)))
struct DiskFullTests {
    let base = "earshot/v1/test-site/s1"

    @Test("ENOSPC on a real full tmpfs: connected → published directly and counted; disconnected → counted as lost")
    func fullDiskPublishesDirectly() throws {
        #expect(getuid() == 0, "mounting the tmpfs needs root (CI runs as root)")
        let fs = try TinyTmpfs(kib: 64)
        defer { fs.unmount() }
        let broker = try MosquittoBroker()
        try broker.start()
        defer { broker.stop() }
        let sub = try MosquittoSubscriber.started(port: broker.port, filters: [base + "/event", base + "/status"])
        defer { sub.stop() }

        let outbox = fs.path + "/outbox"
        let publisher = try MQTTPublisher(configuration: testConfiguration(port: broker.port, outbox: outbox))
        try publisher.start()
        #expect(publisher.waitUntilConnected(timeoutMs: 5000) == nil)
        let stored = try publisher.publish(event: sampleEvent(0))
        #expect(sub.wait(timeout: 5) { $0.contains { $0.json?["id"] as? String == stored.eventID } })

        let filled = try fs.fill()
        #expect(fs.free() == 0, "tmpfs full after \(filled) bytes")

        // Appends go on into the outbox file's last allocated page, then one needs a new
        // page and fails with ENOSPC: that event goes to the broker anyway.
        var ids: [String] = []
        for i in 1...40 where publisher.outboxStats.writeFailures == 0 { ids.append(try publisher.publish(event: sampleEvent(i)).eventID) }
        let stats = publisher.outboxStats
        #expect(stats.writeFailures == 1, "\(stats)")
        #expect(stats.directPublished == 1 && stats.lostEvents == 0, "\(stats)")
        let direct = try #require(ids.last)
        #expect(sub.wait(timeout: 5) { m in ids.allSatisfy { id in m.contains { $0.json?["id"] as? String == id } } },
                "every event reached the broker, the last one (\(direct)) on a full disk: \(sub.messages.count) messages")
        #expect(waitUntil(timeout: 5) { publisher.outboxStats.pendingEvents == 0 }, "\(publisher.outboxStats)")
        let e = try #require(sub.messages(on: base + "/event").first { $0.json?["id"] as? String == direct })
        #expect(e.qos == 1)
        #expect(try Schemas.validator("event").validate(json: e.payload) == [])

        // The status reports it (and stays schema-valid).
        publisher.update(status: StatusMessage(mode: "events", softwareVersion: "0.1.0"))
        let counted = { (sub.messages(on: self.base + "/status").last?.json?["outbox"] as? [String: Any]) ?? [:] }
        #expect(sub.wait(timeout: 5) { _ in counted()["direct_published"] as? Int == 1 }, "\(counted())")
        #expect(counted()["write_failures"] as? Int == 1 && counted()["lost_events"] as? Int == 0, "\(counted())")
        let statusSchema = try Schemas.validator("status")
        for s in sub.messages(on: base + "/status") { #expect(statusSchema.validate(json: s.payload) == [], "\(s.payload)") }

        // No broker: nothing can take it; the append error is thrown and the event counted as lost.
        broker.stop()
        #expect(waitUntil(timeout: 10) { publisher.state != .connected }, "\(publisher.state)")
        var thrown: OutboxError?
        for i in 41...80 where thrown == nil {
            do { _ = try publisher.publish(event: sampleEvent(i)) } catch { thrown = error }
        }
        guard case .writeFailed(_, let code)? = thrown else { Issue.record("no write failure: \(String(describing: thrown))"); return }
        #expect(code == ENOSPC)
        #expect(publisher.outboxStats.lostEvents == 1 && publisher.outboxStats.directPublished == 1, "\(publisher.outboxStats)")
        publisher.stop(flushTimeoutMs: 0)
    }
}
