// The persistent outbox: every message is appended (and fsync'ed) to a log file
// before it is published, and settled only when the broker acknowledges it.
import EarshotPlatform
import Glibc

/// Limits and behaviour of an `Outbox`.
public struct OutboxOptions: Sendable, Equatable {
    /// Maximum bytes of unacknowledged records (header + topic + payload). The log
    /// file itself may grow to twice this (ack records, settled records) before it
    /// is compacted.
    public var capacityBytes: Int
    /// Maximum number of unacknowledged records.
    public var maxRecords: Int
    /// Largest single record in bytes (header + topic + payload).
    public var maxRecordBytes: Int
    /// fsync (fdatasync) after each appended message. Only tests turn this off.
    public var syncEachAppend: Bool

    /// Defaults: 4 MiB, 20 000 records, 16 KiB per record, fsync on.
    public init(capacityBytes: Int = 4 << 20, maxRecords: Int = 20_000, maxRecordBytes: Int = 16 << 10,
                syncEachAppend: Bool = true) {
        self.capacityBytes = capacityBytes; self.maxRecords = maxRecords
        self.maxRecordBytes = maxRecordBytes; self.syncEachAppend = syncEachAppend
    }
}

/// Counters of an outbox, for status payloads and tests.
public struct OutboxStats: Sendable, Equatable {
    /// Records appended and not yet acknowledged (or dropped).
    public var pendingRecords = 0
    /// Of those, events.
    public var pendingEvents = 0
    /// Bytes of pending records.
    public var liveBytes = 0
    /// Size of the log file in bytes.
    public var fileBytes = 0
    /// Events evicted because the outbox was full (only when no telemetry was left).
    public var droppedEvents: UInt64 = 0
    /// Telemetry records evicted or refused because the outbox was full.
    public var droppedTelemetry: UInt64 = 0
    /// Appends that failed with a write/fsync error (e.g. ENOSPC); the record was not queued.
    public var writeFailures: UInt64 = 0
    /// Events whose append failed (disk full) and that the publisher sent straight to the
    /// connected broker instead (QoS 1, not persisted: lost if the connection drops first).
    public var directPublished: UInt64 = 0
    /// Events whose append failed while no broker was connected: not sent, not kept.
    public var lostEvents: UInt64 = 0
    /// Damaged regions skipped when the log was loaded (torn tail, bad checksum).
    public var corruptRecordsSkipped: UInt64 = 0
    /// Records acknowledged since the outbox was opened.
    public var acknowledged: UInt64 = 0
    /// Records found pending when the outbox was opened (to be re-sent).
    public var recoveredAtOpen = 0
    /// Duration of the last append including fsync, ns.
    public var lastAppendNanoseconds: UInt64 = 0
    /// Longest append including fsync, ns.
    public var maxAppendNanoseconds: UInt64 = 0
}

/// Why an outbox operation failed.
public enum OutboxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The directory or file could not be created or opened.
    case cannotOpen(path: String, errno: Int32)
    /// Writing or syncing failed (ENOSPC: disk full); the record was NOT queued, earlier records are intact.
    case writeFailed(path: String, errno: Int32)
    /// The record exceeds `maxRecordBytes`.
    case recordTooLarge(bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case let .cannotOpen(path, e):
            return "outbox \(path): cannot open (\(Errno(rawValue: e).description)) — check that the directory exists and is writable by the agent"
        case let .writeFailed(path, e):
            return "outbox \(path): write failed (\(Errno(rawValue: e).description)) — message not queued; free disk space or check the storage"
        case let .recordTooLarge(bytes, limit):
            return "outbox record of \(bytes) bytes exceeds the \(limit)-byte limit"
        }
    }
}

/// Bounded, append-only, checksummed on-disk queue of MQTT messages
/// (`{directory}/outbox.log`, format in `OutboxRecordFormat`).
///
/// Life of a record: `append` (write + fdatasync) → `markInFlight` with the
/// libmosquitto message id → `acknowledge(mid:)` on PUBACK (an ack record is
/// appended, not synced: a crash before it reaches disk only causes a duplicate).
/// Records never acknowledged are re-sent after a restart, in append order.
/// When full, the oldest telemetry is dropped first; events are evicted only when
/// no telemetry is left (counted in `stats`).
///
/// Not thread-safe: `MQTTPublisher` serialises access with its lock. Buffers are
/// allocated at open; appends and acks allocate nothing except when the entry
/// index outgrows its reserved capacity.
public final class Outbox {
    /// The log file path.
    public let path: String
    /// Limits.
    public let options: OutboxOptions
    /// Counters.
    public private(set) var stats = OutboxStats()

    enum State: Equatable { case pending, inFlight(Int32), settled }

    struct Entry {
        var id: UInt64
        var kind: OutboxRecordKind
        var qos: UInt8
        var retain: Bool
        var offset: Int
        var size: Int
        var state: State
        /// Caller's in-memory tag (the event/telemetry sequence number); 0 for records recovered at open.
        var tag: UInt64 = 0
        /// When it was handed to libmosquitto (monotonic ns).
        var sentAt: UInt64 = 0
    }

    private let directory: String
    private var fd: FileDescriptor
    private var fileSize = 0
    private var entries: [Entry] = []
    private var firstLive = 0
    private var nextID: UInt64 = 1
    private var inFlightByMid: [Int32: UInt64] = [:]
    private let writeBuffer: UnsafeMutableRawBufferPointer
    private let readBuffer: UnsafeMutableRawBufferPointer
    private let warn: (String) -> Void

    /// Test hook: when set, the next message write fails with this errno after writing part of the record.
    var injectedWriteErrno: Int32?

    /// Opens (or creates) the outbox in `directory` and loads pending records.
    /// Damaged regions are skipped with a call to `warn` and the file is rewritten clean.
    public init(directory: String, options: OutboxOptions = OutboxOptions(),
                warn: @escaping (String) -> Void = { print("earshot: warning: \($0)") }) throws(OutboxError) {
        self.directory = directory
        self.options = options
        self.warn = warn
        path = directory + "/outbox.log"
        do { try FilePath.makeDirectory(directory, mode: 0o750) } catch { throw .cannotOpen(path: directory, errno: error.rawValue) }
        do { fd = try FileDescriptor.open(path, O_RDWR | O_CREAT, mode: 0o640) } catch { throw .cannotOpen(path: path, errno: error.rawValue) }
        writeBuffer = .allocate(byteCount: max(options.maxRecordBytes, 64), alignment: 8)
        readBuffer = .allocate(byteCount: max(options.maxRecordBytes, 64) + 1, alignment: 8)
        entries.reserveCapacity(min(options.maxRecords, 1 << 16) + 16)
        inFlightByMid.reserveCapacity(256)
        try load()
    }

    deinit {
        fd.closeAfterError()
        writeBuffer.deallocate()
        readBuffer.deallocate()
    }

    // MARK: appending

    /// Appends a message and syncs it to disk. Returns its record id, or nil when
    /// the record is telemetry and the outbox is full of events (it is dropped and
    /// counted). Throws on write failure (nothing is queued; earlier records stay intact).
    @discardableResult
    public func append(kind: OutboxRecordKind, qos: UInt8, retain: Bool, topic: String,
                       payload: UnsafeRawBufferPointer, tag: UInt64 = 0) throws(OutboxError) -> UInt64? {
        let start = Self.monotonicNanoseconds()
        var topicCopy = topic
        let topicLength = topicCopy.withUTF8 { $0.count }
        let size = OutboxRecordFormat.headerSize + topicLength + payload.count
        guard size <= options.maxRecordBytes, topicLength <= Int(UInt16.max) else {
            throw .recordTooLarge(bytes: size, limit: options.maxRecordBytes)
        }
        guard makeRoom(for: size, kind: kind) else { return nil }
        if fileSize + size > options.capacityBytes * 2 { compact() }

        let id = nextID
        let base = writeBuffer.baseAddress!
        topicCopy.withUTF8 { t in
            (base + OutboxRecordFormat.headerSize).copyMemory(from: t.baseAddress!, byteCount: t.count)
        }
        if payload.count > 0 {
            (base + OutboxRecordFormat.headerSize + topicLength).copyMemory(from: payload.baseAddress!, byteCount: payload.count)
        }
        let header = OutboxRecordFormat.Header(type: OutboxRecordFormat.typeMessage, kind: kind.rawValue, qos: qos,
                                               retain: retain, id: id, topicLength: topicLength,
                                               payloadLength: payload.count)
        OutboxRecordFormat.writeHeader(header, at: base)
        try writeAtEnd(UnsafeRawBufferPointer(start: base, count: size), sync: options.syncEachAppend)
        nextID += 1
        entries.append(Entry(id: id, kind: kind, qos: qos, retain: retain, offset: fileSize - size, size: size, state: .pending, tag: tag))
        stats.pendingRecords += 1
        if kind == .event { stats.pendingEvents += 1 }
        stats.liveBytes += size
        let elapsed = Self.monotonicNanoseconds() &- start
        stats.lastAppendNanoseconds = elapsed
        stats.maxAppendNanoseconds = max(stats.maxAppendNanoseconds, elapsed)
        return id
    }

    /// Evicts records until `size` more bytes fit. False when the new record
    /// (telemetry) should be refused instead.
    private var warnedFull = false

    private func makeRoom(for size: Int, kind: OutboxRecordKind) -> Bool {
        if stats.liveBytes + size <= options.capacityBytes && stats.pendingRecords + 1 <= options.maxRecords { warnedFull = false }
        while stats.liveBytes + size > options.capacityBytes || stats.pendingRecords + 1 > options.maxRecords {
            if let t = oldestLive(kind: .telemetry) {
                settle(index: t, type: OutboxRecordFormat.typeDropped)
                stats.droppedTelemetry += 1
            } else if kind == .telemetry {
                stats.droppedTelemetry += 1
                return false
            } else if let e = oldestLive(kind: nil) {
                if entries[e].kind == .event { stats.droppedEvents += 1 } else { stats.droppedTelemetry += 1 }
                if !warnedFull {
                    warnedFull = true
                    warn("outbox \(path) full (\(options.capacityBytes) bytes, \(options.maxRecords) records) and no telemetry left: dropping oldest events (counted in status)")
                }
                settle(index: e, type: OutboxRecordFormat.typeDropped)
            } else {
                break
            }
        }
        return true
    }

    private func oldestLive(kind: OutboxRecordKind?) -> Int? {
        var i = firstLive
        while i < entries.count {
            if entries[i].state != .settled && (kind == nil || entries[i].kind == kind!) { return i }
            i += 1
        }
        return nil
    }

    // MARK: sending and settling

    /// Index of the first pending (not in flight) record at or after `start`, for the publisher's drain loop.
    func nextPending(from start: Int = 0) -> Int? {
        var i = max(start, firstLive)
        while i < entries.count {
            if entries[i].state == .pending { return i }
            i += 1
        }
        return nil
    }

    /// The entry at `index` (from `nextPending`).
    func entry(at index: Int) -> Entry { entries[index] }

    /// Number of records currently in flight.
    public private(set) var inFlightCount = 0

    /// Reads record `index` from disk and passes its topic (NUL-terminated C string)
    /// and payload to `body`. Returns nil when the read fails.
    func withRecord<R>(at index: Int, _ body: (UnsafePointer<CChar>, UnsafeRawBufferPointer) -> R) -> R? {
        let e = entries[index]
        guard e.size + 1 <= readBuffer.count else { return nil }
        let got = (try? fd.preadAll(into: UnsafeMutableRawBufferPointer(start: readBuffer.baseAddress!, count: e.size), at: e.offset)) ?? -1
        guard got == e.size, case .record(let h) = OutboxRecordFormat.parse(UnsafeRawBufferPointer(start: readBuffer.baseAddress!, count: e.size), at: 0),
              h.id == e.id else {
            warn("outbox \(path): record \(e.id) unreadable at offset \(e.offset); dropping it")
            return nil
        }
        let base = readBuffer.baseAddress!
        // Move the payload one byte right so the topic can be NUL-terminated in place.
        let topicStart = base + OutboxRecordFormat.headerSize
        let payloadStart = topicStart + h.topicLength
        memmove(payloadStart + 1, payloadStart, h.payloadLength)
        payloadStart.storeBytes(of: 0, as: UInt8.self)
        return body(topicStart.assumingMemoryBound(to: CChar.self),
                    UnsafeRawBufferPointer(start: payloadStart + 1, count: h.payloadLength))
    }

    /// Drops record `index` after an unreadable read (counted as corrupt).
    func discardUnreadable(index: Int) {
        stats.corruptRecordsSkipped += 1
        settle(index: index, type: OutboxRecordFormat.typeDropped)
    }

    /// Records that record `index` was handed to libmosquitto with message id `mid`.
    func markInFlight(index: Int, mid: Int32, now: UInt64 = Outbox.monotonicNanoseconds()) {
        guard entries[index].state == .pending else { return }
        entries[index].state = .inFlight(mid)
        entries[index].sentAt = now
        inFlightByMid[mid] = entries[index].id
        inFlightCount += 1
    }

    /// Settles the record published with `mid` (PUBACK for QoS 1, sent for QoS 0).
    /// Returns its id, kind and tag, or nil when the mid is unknown (e.g. already dropped).
    @discardableResult
    public func acknowledge(mid: Int32) -> (id: UInt64, kind: OutboxRecordKind, tag: UInt64)? {
        guard let id = inFlightByMid.removeValue(forKey: mid) else { return nil }
        guard let index = index(ofID: id) else { return nil }
        let e = entries[index]
        guard case .inFlight(let m) = e.state, m == mid else { return nil }
        settle(index: index, type: OutboxRecordFormat.typeAck)
        stats.acknowledged += 1
        maybeShrink()
        return (e.id, e.kind, e.tag)
    }

    /// Returns in-flight records to pending so they are published again (with new
    /// mids). `qos0Only`: only QoS 0 ones — libmosquitto itself re-sends QoS 1
    /// messages it still holds after a reconnect; QoS 0 packets are lost with the socket.
    func returnInFlightToPending(qos0Only: Bool) {
        var i = firstLive
        while i < entries.count {
            if case .inFlight(let mid) = entries[i].state, !qos0Only || entries[i].qos == 0 {
                entries[i].state = .pending
                inFlightByMid.removeValue(forKey: mid)
                inFlightCount -= 1
            }
            i += 1
        }
    }

    /// Returns records in flight for longer than `timeout` ns to pending, so they are
    /// published again with a new mid (a PUBACK lost in libmosquitto or the broker
    /// must not strand a record). A late PUBACK for the old mid is then ignored.
    /// Returns how many were re-queued.
    @discardableResult
    func requeueStale(timeout: UInt64, now: UInt64 = Outbox.monotonicNanoseconds()) -> Int {
        var n = 0
        var i = firstLive
        while i < entries.count {
            if case .inFlight(let mid) = entries[i].state, now &- entries[i].sentAt > timeout {
                entries[i].state = .pending
                inFlightByMid.removeValue(forKey: mid)
                inFlightCount -= 1
                n += 1
            }
            i += 1
        }
        return n
    }

    private func index(ofID id: UInt64) -> Int? {
        var lo = firstLive, hi = entries.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if entries[mid].id == id { return mid }
            if entries[mid].id < id { lo = mid + 1 } else { hi = mid - 1 }
        }
        return nil
    }

    private func settle(index: Int, type: UInt8) {
        let e = entries[index]
        guard e.state != .settled else { return }
        if case .inFlight = e.state { inFlightCount -= 1 }
        entries[index].state = .settled
        stats.pendingRecords -= 1
        if e.kind == .event { stats.pendingEvents -= 1 }
        stats.liveBytes -= e.size
        // The settle record: a header with an empty body. Not synced (a lost ack = a duplicate).
        let base = writeBuffer.baseAddress!
        OutboxRecordFormat.writeHeader(.init(type: type, kind: e.kind.rawValue, qos: e.qos, retain: e.retain, id: e.id,
                                             topicLength: 0, payloadLength: 0), at: base)
        do { try writeAtEnd(UnsafeRawBufferPointer(start: base, count: OutboxRecordFormat.headerSize), sync: false) }
        catch { warn("\(error) (ack of record \(e.id) not persisted; it may be re-sent after a restart)") }
        while firstLive < entries.count && entries[firstLive].state == .settled { firstLive += 1 }
    }

    /// Keeps the in-memory index and the file small once records are settled.
    private func maybeShrink() {
        if firstLive == entries.count {
            entries.removeAll(keepingCapacity: true)
            firstLive = 0
            if fileSize > 64 << 10 {
                if (try? fd.truncate(to: 0)) != nil { fileSize = 0; try? fd.dataSync() }
            }
        } else if firstLive > 4096 && firstLive * 2 > entries.count {
            entries.removeSubrange(0..<firstLive)
            firstLive = 0
        }
        stats.fileBytes = fileSize
    }

    /// Counts an event that bypassed the outbox after a failed append (`directPublished`
    /// when it was handed to the broker, `lostEvents` when it could not be).
    func noteUnstoredEvent(published: Bool) {
        if published { stats.directPublished += 1 } else { stats.lostEvents += 1 }
    }

    // MARK: file

    private func writeAtEnd(_ bytes: UnsafeRawBufferPointer, sync: Bool) throws(OutboxError) {
        var failure: Int32 = 0
        if let injected = injectedWriteErrno, bytes.count > OutboxRecordFormat.headerSize {
            injectedWriteErrno = nil
            try? fd.pwriteAll(UnsafeRawBufferPointer(rebasing: bytes[0..<bytes.count / 2]), at: fileSize)
            failure = injected
        } else {
            do throws(Errno) {
                try fd.pwriteAll(bytes, at: fileSize)
                if sync { try fd.dataSync() }
            } catch {
                failure = error.rawValue
            }
        }
        if failure != 0 {
            // Cut off whatever part was written so the log ends on a whole record.
            try? fd.truncate(to: fileSize)
            stats.writeFailures += 1
            throw .writeFailed(path: path, errno: failure)
        }
        fileSize += bytes.count
        stats.fileBytes = fileSize
    }

    /// Rewrites the log with only pending records (`AtomicFileReplacement`: temp file,
    /// data sync, rename, directory sync). On failure the old log is kept.
    private func compact() {
        let out: AtomicFileReplacement
        do { out = try AtomicFileReplacement(replacing: path, mode: 0o640) } catch {
            warn("outbox: compaction: \(error); keeping the old log"); return
        }
        var newSize = 0
        var i = firstLive
        do throws(FileAccessError) {
            while i < entries.count {
                let e = entries[i]
                if e.state != .settled {
                    let record = UnsafeMutableRawBufferPointer(start: readBuffer.baseAddress!, count: e.size)
                    guard (try? fd.preadAll(into: record, at: e.offset)) == e.size else {
                        throw FileAccessError(path: path, step: .read, systemMessage: "record \(e.id) is short")
                    }
                    try out.write(UnsafeRawBufferPointer(record))
                    newSize += e.size
                }
                i += 1
            }
            try out.commit(keepOpen: true)
        } catch {
            out.abandon()
            warn("outbox: compaction failed: \(error); keeping the old log"); return
        }
        fd.closeAfterError()
        fd = out.descriptor
        fileSize = newSize
        // Re-index: live entries only, offsets in the new file.
        var offset = 0
        var kept = 0
        i = firstLive
        while i < entries.count {
            if entries[i].state != .settled {
                var e = entries[i]
                e.offset = offset
                offset += e.size
                entries[kept] = e
                kept += 1
            }
            i += 1
        }
        entries.removeSubrange(kept..<entries.count)
        firstLive = 0
        stats.fileBytes = fileSize
    }

    private func load() throws(OutboxError) {
        let size: Int
        do { size = try fd.status().size } catch { throw .cannotOpen(path: path, errno: error.rawValue) }
        guard size > 0 else { return }
        let data = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8)
        defer { data.deallocate() }
        // A read error refuses the outbox (nothing is rewritten) rather than compacting it empty.
        let got: Int
        do { got = try fd.preadAll(into: data, at: 0) } catch { throw .cannotOpen(path: path, errno: error.rawValue) }
        let buffer = UnsafeRawBufferPointer(start: data.baseAddress!, count: got)
        var offset = 0
        var damaged = false
        var maxID: UInt64 = 0
        var settledIDs: [UInt64] = []
        scan: while offset < got {
            switch OutboxRecordFormat.parse(buffer, at: offset) {
            case .record(let h):
                maxID = max(maxID, h.id)
                if h.type == OutboxRecordFormat.typeMessage {
                    entries.append(Entry(id: h.id, kind: OutboxRecordKind(rawValue: h.kind) ?? .other, qos: h.qos,
                                         retain: h.retain, offset: offset, size: h.recordSize, state: .pending))
                } else {
                    settledIDs.append(h.id)
                }
                offset += h.recordSize
            case .truncated:
                warn("outbox \(path): torn record at offset \(offset) (\(got - offset) trailing bytes, e.g. power loss during a write); skipped")
                stats.corruptRecordsSkipped += 1
                damaged = true
                break scan
            case .corrupt:
                // Resynchronise on the next offset where a whole valid record starts.
                var next = offset + 1
                while next < got {
                    if case .record = OutboxRecordFormat.parse(buffer, at: next) { break }
                    next += 1
                }
                warn("outbox \(path): damaged bytes \(offset)..<\(next) (bad magic or checksum); skipped")
                stats.corruptRecordsSkipped += 1
                damaged = true
                offset = next
            }
        }
        entries.sort { $0.id < $1.id }
        for id in settledIDs {
            if let i = index(ofID: id) { entries[i].state = .settled }
        }
        entries.removeAll { $0.state == .settled }
        fileSize = got
        for e in entries {
            stats.pendingRecords += 1
            stats.liveBytes += e.size
            if e.kind == .event { stats.pendingEvents += 1 }
        }
        stats.recoveredAtOpen = entries.count
        nextID = maxID + 1
        // Settled records are gone from the index: rewrite so offsets and file agree.
        if damaged || !settledIDs.isEmpty {
            // Temporarily mark nothing settled: compact copies every indexed entry.
            compact()
        }
        stats.fileBytes = fileSize
    }

    static func monotonicNanoseconds() -> UInt64 { MonotonicClock.nanoseconds() }
}
