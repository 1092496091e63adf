// The on-disk outbox on its own: bounds, drop policy, damage, order, restart.
@testable import EarshotMQTT
import EarshotTestSupport
import Foundation
import Testing

@Suite("Outbox")
struct OutboxTests {
    private func payload(_ text: String) -> [UInt8] { Array(text.utf8) }

    private func append(_ o: Outbox, _ kind: OutboxRecordKind, _ text: String) throws -> UInt64? {
        try payload(text).withUnsafeBytes { try o.append(kind: kind, qos: kind == .event ? 1 : 0, retain: false, topic: "t/\(kind)", payload: $0) }
    }

    /// Reads every pending record's payload, in send order, marking each in flight with a fake mid.
    private func drain(_ o: Outbox, startMid: Int32 = 1) -> [(mid: Int32, text: String)] {
        var out: [(Int32, String)] = []
        var mid = startMid
        var cursor = 0
        while let i = o.nextPending(from: cursor) {
            let text = o.withRecord(at: i) { topic, p in String(decoding: p, as: UTF8.self) } ?? "<unreadable>"
            o.markInFlight(index: i, mid: mid)
            out.append((mid, text))
            mid += 1
            cursor = i + 1
        }
        return out
    }

    @Test("records come back in append order; acknowledged ones are not replayed after reopening")
    func replayOrderAndRestart() throws {
        let dir = try makeTemporaryDirectory(prefix: "earshot-outbox")
        defer { removeDirectory(dir) }
        do {
            let o = try Outbox(directory: dir)
            for i in 0..<10 { _ = try append(o, i % 3 == 0 ? .telemetry : .event, "m\(i)") }
            let sent = drain(o)
            #expect(sent.map(\.text) == (0..<10).map { "m\($0)" })
            // PUBACK for m0…m3 only.
            for s in sent.prefix(4) { #expect(o.acknowledge(mid: s.mid) != nil) }
            #expect(o.acknowledge(mid: 999) == nil)
            #expect(o.stats.pendingRecords == 6)
        } // closed without further acks: like a crash after the last fsync
        let reopened = try Outbox(directory: dir)
        #expect(reopened.stats.recoveredAtOpen == 6)
        #expect(drain(reopened).map(\.text) == (4..<10).map { "m\($0)" })
    }

    @Test("bounded: the oldest telemetry is dropped before any event, and drops are counted")
    func telemetryDroppedFirst() throws {
        let dir = try makeTemporaryDirectory(prefix: "earshot-outbox")
        defer { removeDirectory(dir) }
        let o = try Outbox(directory: dir, options: OutboxOptions(capacityBytes: 1 << 20, maxRecords: 5))
        _ = try append(o, .telemetry, "t0")
        _ = try append(o, .event, "e0")
        _ = try append(o, .telemetry, "t1")
        _ = try append(o, .event, "e1")
        _ = try append(o, .event, "e2")
        _ = try append(o, .event, "e3")   // full: t0 goes
        _ = try append(o, .event, "e4")   // full: t1 goes
        #expect(o.stats.droppedTelemetry == 2)
        #expect(o.stats.droppedEvents == 0)
        #expect(try append(o, .telemetry, "t2") == nil) // only events left: new telemetry refused
        #expect(o.stats.droppedTelemetry == 3)
        _ = try append(o, .event, "e5")   // only events left: the oldest event goes
        #expect(o.stats.droppedEvents == 1)
        #expect(o.stats.pendingRecords == 5)
        #expect(drain(o).map(\.text) == ["e1", "e2", "e3", "e4", "e5"])
    }

    @Test("bounded in bytes: live bytes never exceed the capacity, file stays ≤ 2× capacity")
    func byteBound() throws {
        let dir = try makeTemporaryDirectory(prefix: "earshot-outbox")
        defer { removeDirectory(dir) }
        let capacity = 8 << 10
        let o = try Outbox(directory: dir, options: OutboxOptions(capacityBytes: capacity, maxRecords: 10_000, syncEachAppend: false), warn: { _ in })
        let body = String(repeating: "x", count: 200)
        for i in 0..<500 {
            _ = try append(o, i % 2 == 0 ? .telemetry : .event, "\(i):\(body)")
            #expect(o.stats.liveBytes <= capacity)
            #expect(o.stats.fileBytes <= 2 * capacity)
        }
        let recordSize = 32 + "t/event".utf8.count + "1:".utf8.count + 200
        #expect(o.stats.pendingRecords >= capacity / (recordSize + 2) - 1)
        #expect(o.stats.droppedTelemetry > 0)
        // All telemetry went before events were touched: every remaining record is an event while events were dropped only once telemetry was gone.
        #expect(o.stats.pendingEvents == o.stats.pendingRecords)
    }

    @Test("a torn tail record is skipped with a warning; records before it survive; new appends work")
    func tornTail() throws {
        let dir = try makeTemporaryDirectory(prefix: "earshot-outbox")
        defer { removeDirectory(dir) }
        do {
            let o = try Outbox(directory: dir)
            for i in 0..<3 { _ = try append(o, .event, "m\(i)") }
        }
        // Power loss mid-write: append half a record.
        let path = dir + "/outbox.log"
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        let recordLength = whole.count / 3
        var torn = whole
        torn.append(whole.prefix(recordLength / 2))
        try torn.write(to: URL(fileURLWithPath: path))
        let warnings = WarningLog()
        let o = try Outbox(directory: dir, warn: warnings.add)
        #expect(o.stats.corruptRecordsSkipped == 1)
        #expect(warnings.lines.contains { $0.contains("torn record") })
        _ = try append(o, .event, "m3")
        #expect(drain(o).map(\.text) == ["m0", "m1", "m2", "m3"])
        let again = try Outbox(directory: dir)
        #expect(again.stats.corruptRecordsSkipped == 0)
        #expect(again.stats.pendingRecords == 4)
    }

    @Test("a record with a flipped bit is skipped; the ones after it are kept")
    func corruptMiddle() throws {
        let dir = try makeTemporaryDirectory(prefix: "earshot-outbox")
        defer { removeDirectory(dir) }
        do {
            let o = try Outbox(directory: dir)
            for i in 0..<3 { _ = try append(o, .event, "m\(i)") }
        }
        let path = dir + "/outbox.log"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let recordLength = bytes.count / 3
        bytes[recordLength + 40] ^= 0x10   // inside m1's body
        try bytes.write(to: URL(fileURLWithPath: path))
        let warnings = WarningLog()
        let o = try Outbox(directory: dir, warn: warnings.add)
        #expect(o.stats.corruptRecordsSkipped == 1)
        #expect(warnings.lines.contains { $0.contains("bad magic or checksum") })
        #expect(drain(o).map(\.text) == ["m0", "m2"])
    }

    @Test("a write failure (ENOSPC) keeps earlier events, is counted, and the log stays readable")
    func diskFull() throws {
        let dir = try makeTemporaryDirectory(prefix: "earshot-outbox")
        defer { removeDirectory(dir) }
        let o = try Outbox(directory: dir)
        for i in 0..<3 { _ = try append(o, .event, "m\(i)") }
        o.injectedWriteErrno = ENOSPC
        #expect(throws: OutboxError.writeFailed(path: dir + "/outbox.log", errno: ENOSPC)) { _ = try append(o, .event, "lost") }
        #expect(o.stats.writeFailures == 1)
        #expect(o.stats.pendingRecords == 3)
        _ = try append(o, .event, "m3")
        let reopened = try Outbox(directory: dir)
        #expect(reopened.stats.corruptRecordsSkipped == 0)
        #expect(drain(reopened).map(\.text) == ["m0", "m1", "m2", "m3"])
        #expect(OutboxError.writeFailed(path: "/x", errno: ENOSPC).description.contains("No space left on device"))
    }

    @Test("after everything is acknowledged the log is truncated; ids keep increasing")
    func shrinkAfterAcks() throws {
        let dir = try makeTemporaryDirectory(prefix: "earshot-outbox")
        defer { removeDirectory(dir) }
        let o = try Outbox(directory: dir, options: OutboxOptions(syncEachAppend: false))
        let body = String(repeating: "y", count: 1000)
        var lastID: UInt64 = 0
        for round in 0..<3 {
            for i in 0..<100 { lastID = try #require(try append(o, .event, "\(round)-\(i)-\(body)")) }
            for s in drain(o, startMid: Int32(round * 1000 + 1)) { o.acknowledge(mid: s.mid) }
            #expect(o.stats.pendingRecords == 0)
            #expect(o.stats.fileBytes == 0)
        }
        #expect(lastID == 300)
    }

    @Test("records in flight too long go back to pending; a late ack for the old mid is ignored")
    func staleInFlight() throws {
        let dir = try makeTemporaryDirectory(prefix: "earshot-outbox")
        defer { removeDirectory(dir) }
        let o = try Outbox(directory: dir, options: OutboxOptions(syncEachAppend: false))
        for i in 0..<3 { _ = try append(o, .event, "m\(i)") }
        var cursor = 0
        var mid: Int32 = 10
        while let i = o.nextPending(from: cursor) { o.markInFlight(index: i, mid: mid, now: 1_000); mid += 1; cursor = i + 1 }
        #expect(o.inFlightCount == 3)
        #expect(o.requeueStale(timeout: 5_000, now: 4_000) == 0)
        #expect(o.acknowledge(mid: 10) != nil)
        #expect(o.requeueStale(timeout: 5_000, now: 7_000) == 2)
        #expect(o.acknowledge(mid: 11) == nil)
        #expect(drain(o, startMid: 20).map(\.text) == ["m1", "m2"])
    }

    @Test("append + fdatasync time is measured (printed for the report)")
    func appendTiming() throws {
        let dir = try makeTemporaryDirectory(prefix: "earshot-outbox")
        defer { removeDirectory(dir) }
        let o = try Outbox(directory: dir)
        let body = String(repeating: "z", count: 600)
        var samples: [UInt64] = []
        for i in 0..<200 {
            _ = try append(o, .event, "\(i)\(body)")
            samples.append(o.stats.lastAppendNanoseconds)
        }
        samples.sort()
        let p50 = Double(samples[100]) / 1e3, p99 = Double(samples[197]) / 1e3
        print("outbox_append_fsync_us p50=\(String(format: "%.1f", p50)) p99=\(String(format: "%.1f", p99)) max=\(String(format: "%.1f", Double(samples.last!) / 1e3)) (650-byte event records, \(dir))")
        #expect(p50 > 0)
    }
}

final class WarningLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func add(_ s: String) { lock.withLock { stored.append(s) } }
    var lines: [String] { lock.withLock { stored } }
}
