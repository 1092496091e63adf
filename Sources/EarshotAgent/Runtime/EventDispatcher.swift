// The dispatcher thread: turns analysis items into MQTT messages (through the
// outbox) and log lines. Runs off the analysis thread so that the outbox's
// fdatasync and any String building never delay a hop.
import EarshotConfig
import Dispatch
import EarshotDSP
import EarshotPlatform
import EarshotDetection
import EarshotMQTT
import EarshotSignatures
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Results of one self-test, per stage.
public struct SelfTestResult: Sendable, Equatable {
    /// A synthetic burst run through a fresh chain and detector (live table and rate) gave an impulsive event.
    public var detector: Bool
    /// Class the detector gave the burst (empty if none).
    public var detectedClass: String
    /// The synthetic `selftest` event was stored in the outbox (nil: mode `levels`, not attempted).
    public var outbox: Bool?
    /// Event id given to the synthetic event.
    public var eventID: String?
    /// PTZ lines claimed and not halted (nil: PTZ not in use).
    public var ptz: Bool?
    /// Hops analysed when the test ran (live audio keeps flowing).
    public var hops: Int64
}

/// Pops `AgentItem`s and publishes/logs them.
public final class EventDispatcher: Sendable {
    // The dispatcher thread's own state (log line, open starts) is a `DispatcherWorkspace`
    // made in `run()`; shared state is behind Mutex/Atomic; the rest is immutable.
    let queue: AgentQueue
    let publisher: MQTTPublisher
    let table: SignatureTable
    let mode: OperatingMode
    let splOffsetDB: Double?
    let log: AgentLog
    let ptz: AgentPTZ?
    let hops: @Sendable () -> Int64
    private let stopRequested = Atomic<Bool>(false)
    private let running = Atomic<Bool>(false)
    private let published = Atomic<UInt64>(0)
    private let waiters = Mutex<[UInt32: SelfTestResult]>([:])
    private let selfTestDone = DispatchSemaphore(value: 0)
    /// Class names, built once: entry `i` of the table, then `table.count + raw` for a
    /// detector class without a table entry (so naming an event allocates nothing).
    private let names: [String]
    /// For each name, the index of the first equal name: sustained starts are matched to
    /// their end by class name.
    private let nameSlots: [Int]
    /// Called after an impulse or start event is stored in the outbox (not after an end, whose
    /// onset is its start's): (outbox record id, onset CLOCK_MONOTONIC ns, class).
    let onEventStored: (@Sendable (UInt64, Int64, String) -> Void)?
    /// Called on the dispatcher thread after each event and telemetry item is handled, with
    /// what the outbox assigned to an event (nil: telemetry, mode `levels`, or not stored).
    /// `earshot demo` prints its table from this.
    let onHandled: (@Sendable (AgentItem, StoredEvent?) -> Void)?
    /// Write the `earshot: event id=…` line per stored event (the demo prints its own).
    let logsEvents: Bool

    init(queue: AgentQueue, publisher: MQTTPublisher, table: SignatureTable, mode: OperatingMode, splOffsetDB: Double?,
         log: AgentLog, ptz: AgentPTZ?, hops: @escaping @Sendable () -> Int64,
         onEventStored: (@Sendable (UInt64, Int64, String) -> Void)?, sampleRate: Int = 16_000,
         calibrationGain: Double = 1, logsEvents: Bool = true,
         onHandled: (@Sendable (AgentItem, StoredEvent?) -> Void)? = nil) {
        self.sampleRate = sampleRate
        self.calibrationGain = calibrationGain
        self.logsEvents = logsEvents
        self.onHandled = onHandled
        self.queue = queue
        self.publisher = publisher
        self.table = table
        self.mode = mode
        self.splOffsetDB = splOffsetDB
        self.log = log
        self.ptz = ptz
        self.hops = hops
        self.onEventStored = onEventStored
        var names: [String] = []
        names.reserveCapacity(table.count + 256)
        for i in 0..<table.count { names.append(table[i].name.string) }
        for raw in 0...255 { names.append(table.className(of: SoundClass(rawValue: UInt8(raw)))) }
        self.names = names
        nameSlots = names.indices.map { i in names.firstIndex(of: names[i]) ?? i }
    }

    /// Index in `names` of the class that produced `e` (mirrors `SignatureTable.className(of:)`).
    private func nameIndex(of e: Event) -> Int {
        Int(e.entryIndex) < table.count ? Int(e.entryIndex) : table.count + Int(e.soundClass.rawValue)
    }

    /// Events stored in the outbox by this dispatcher.
    public var eventsPublished: UInt64 { published.load(ordering: .relaxed) }

    func start() {
        running.store(true, ordering: .releasing)
        AgentThread.spawn(name: "earshot-dispatch") { [self] in run() }
    }

    /// Handles what is queued, then stops the thread.
    func stop() {
        stopRequested.store(true, ordering: .releasing)
        queue.wakeConsumer()
        while running.load(ordering: .acquiring) { usleep(1_000) }
    }

    /// Waits (≤ `timeoutMilliseconds`) for the result of self-test `id`.
    func waitForSelfTest(id: UInt32, timeoutMilliseconds: Int) -> SelfTestResult? {
        let deadline = AgentClock.monotonicNanoseconds() + Int64(timeoutMilliseconds) * 1_000_000
        while AgentClock.monotonicNanoseconds() < deadline {
            if let r = waiters.withLock({ $0.removeValue(forKey: id) }) { return r }
            _ = selfTestDone.wait(timeout: .now() + .milliseconds(20))
        }
        return nil
    }

    private func run() {
        defer { running.store(false, ordering: .releasing) }
        let ws = DispatcherWorkspace(slots: names.count)   // made once, on this thread
        while true {
            // push() and stop() wake the wait: an idle dispatcher sleeps (the timeout
            // is a safety net; a 200 ms poll cost 5 wake-ups/s of an idle box).
            if let item = queue.pop(timeoutMilliseconds: 5_000) {
                handle(item, ws)
            } else if stopRequested.load(ordering: .acquiring) {
                return
            }
        }
    }

    private func handle(_ item: AgentItem, _ ws: DispatcherWorkspace) {
        switch item.kind {
        case .event:
            let stored = handleEvent(item, ws)   // not inside `onHandled?(…)`: that skips its arguments when nil
            onHandled?(item, stored)
        case .telemetry: handleTelemetry(item, ws); onHandled?(item, nil)
        case .selfTest: handleSelfTest(item)
        }
    }

    /// Stores an event in the outbox and logs `earshot: event id=… class=… phase=… …`.
    /// Steady state allocates nothing: names are cached, the id is written piecewise by
    /// the publisher, the log line is built in a preallocated buffer.
    @discardableResult
    private func handleEvent(_ item: AgentItem, _ ws: DispatcherWorkspace) -> StoredEvent? {
        let e = item.event
        let nameIndex = nameIndex(of: e)
        let name = names[nameIndex]
        let slot = nameSlots[nameIndex]
        let onset = UTCTimestamp(nanosecondsSinceEpoch: item.onsetUTCNanoseconds)
        let phase: StaticString
        switch e.phase {
        case .start: phase = "start"
        case .end: phase = "end"
        case .impulse: phase = "impulse"
        }
        guard mode.publishesEvents else {
            guard log.enabled(.info) else { return nil }
            ws.line.append("earshot: info: event-"); ws.line.append(phase); ws.line.append(" class="); ws.line.append(name)
            ws.line.append(" onset="); ws.line.append(onset); ws.line.append(" (not published: mode levels)")
            ws.line.writeToStandardError()
            return nil
        }
        var message = makeMessage(item, name: name, onset: onset)
        // A sustained sound's end names the start it closes (this run's, if any) and
        // carries the very onset published with it (the detector's onset sample is the
        // same, but its clock estimate is re-derived at another hop).
        var closes: UInt64 = 0
        if e.phase == .end, ws.openStartSequence[slot] != 0 {
            closes = ws.openStartSequence[slot]
            message.startSequence = closes
            message.onset = UTCTimestamp(nanosecondsSinceEpoch: ws.openStartOnset[slot])
            ws.openStartSequence[slot] = 0
        }
        do {
            let stored = try publisher.store(event: message)
            published.add(1, ordering: .relaxed)
            if e.phase == .start {
                ws.openStartSequence[slot] = stored.sequence
                ws.openStartOnset[slot] = message.onset.nanosecondsSinceEpoch
            }
            if e.phase != .end { onEventStored?(stored.recordID, item.onsetMonotonicNanoseconds, name) }
            guard logsEvents else { return stored }
            ws.line.append("earshot: event id="); appendEventID(stored.sequence, ws)
            ws.line.append(" class="); ws.line.append(name); ws.line.append(" phase="); ws.line.append(phase)
            if closes != 0 { ws.line.append(" start_id="); appendEventID(closes, ws) }
            ws.line.append(" onset="); ws.line.append(message.onset)
            ws.line.append(" duration_ms="); ws.line.appendFixed2(message.durationMs)
            ws.line.append(" peak_dbfs="); ws.line.appendFixed2(message.peakDBFS)
            ws.line.append(" confidence="); ws.line.appendFixed2(message.confidence)
            switch item.ptz {
            case .accepted: ws.line.append(" ptz=sector"); ws.line.append(Int64(item.sector))
            case .cooldown: ws.line.append(" ptz=cooldown")
            case .refused: ws.line.append(" ptz=refused")
            case .none: break
            }
            ws.line.writeToStandardError()
            return stored
        } catch {
            ws.line.reset()
            log.error("event class=\(name) onset=\(onset.rfc3339) could not be stored in the outbox: \(error.description)")
            return nil
        }
    }

    /// Appends `{sensor}-{boot_id}-{sequence}` (the publisher's event id) to the log ws.line.
    private func appendEventID(_ sequence: UInt64, _ ws: DispatcherWorkspace) {
        ws.line.append(publisher.configuration.sensor); ws.line.append("-"); ws.line.append(publisher.bootID)
        ws.line.append("-"); ws.line.append(sequence)
    }

    func makeMessage(_ item: AgentItem, name: String, onset: UTCTimestamp) -> EventMessage {
        let e = item.event
        let sync = AgentClock.syncState()
        var bands = SIMD8<Double>(repeating: .nan)
        for b in 0..<8 where e.bandProfile[b] > FeatureFrame.floor { bands[b] = Double(Int(e.bandProfile[b])) / 256 }
        let rate = Double(max(1, sampleRate))
        return EventMessage(
            eventClass: name, onset: onset,
            clock: sync.clockSync,
            durationMs: max(0, Double(e.durationSamples) * 1000 / rate),
            peakDBFS: min(10, Double(Int(e.peakLevel)) / 256),
            peakDBSPL: e.isCalibrated ? min(200, max(0, Double(Int(e.peakLevelSPL)) / 256)) : nil,
            confidence: Double(Int(e.confidence)) / 65_535,
            bearingDegrees: item.bearingDeg.isFinite ? item.bearingDeg : nil,
            sector: item.sector >= 0 ? Int(item.sector) : nil,
            bands: OctaveBandLevels(bands),
            phase: e.phase == .start ? .start : e.phase == .end ? .end : .impulse,
            elevationDegrees: item.elevationDeg.isFinite ? item.elevationDeg : nil,
            bearingConfidence: item.bearingConfidence.isFinite ? item.bearingConfidence : nil)
    }

    /// Sample rate of the running input, Hz.
    let sampleRate: Int

    private func handleTelemetry(_ item: AgentItem, _ ws: DispatcherWorkspace) {
        let l = item.levels
        let off = splOffsetDB ?? 0
        func db(_ q: Int32) -> Double { max(Double(Int(q)) / 256, -120) + off }
        var bands = item.bandLeqDB
        for b in 0..<8 where !bands[b].isNaN { bands[b] += off }
        let t = TelemetryMessage(intervalStart: UTCTimestamp(nanosecondsSinceEpoch: item.intervalStartUTCNanoseconds),
                                 intervalSeconds: item.intervalSeconds, unit: splOffsetDB == nil ? .dBFS : .dBSPL,
                                 laeq: db(l.leq), lamax: db(l.lmax), lamin: db(l.lmin), la90: db(l.l90),
                                 bands: OctaveBandLevels(bands))
        do {
            _ = try publisher.publish(telemetry: t)
        } catch {
            log.warning("telemetry not stored: \(error.description)")
        }
        guard log.enabled(.debug) else { return }
        ws.line.append("earshot: debug: telemetry laeq="); ws.line.appendFixed2(t.laeq)
        ws.line.append(" lamax="); ws.line.appendFixed2(t.lamax); ws.line.append(" la90="); ws.line.appendFixed2(t.la90)
        ws.line.append(" "); ws.line.append(t.unit == .dBSPL ? "dB SPL" as StaticString : "dBFS")
        ws.line.writeToStandardError()
    }

    private func handleSelfTest(_ item: AgentItem) {
        let burst = Self.detectSyntheticBurst(table: table, sampleRate: sampleRate, calibrationGain: calibrationGain,
                                              splOffsetQ8_8: splOffsetDB.map { Int16(max(-32_768, min(32_767, ($0 * 256).rounded()))) })
        var result = SelfTestResult(detector: burst != nil, detectedClass: burst.map { table.className(of: $0) } ?? "",
                                    outbox: nil, eventID: nil, ptz: nil, hops: hops())
        if mode.publishesEvents {
            var synthetic = Event()
            synthetic.phase = .impulse
            var fake = AgentItem()
            fake.event = synthetic
            let now = UTCTimestamp.now()
            let message = makeMessage(fake, name: "selftest", onset: now)
            do {
                let receipt = try publisher.publish(event: message)
                result.outbox = true
                result.eventID = receipt.eventID
                AgentLog.write("earshot: event id=\(receipt.eventID) class=selftest phase=impulse onset=\(now.rfc3339)\n")
            } catch {
                result.outbox = false
                log.error("self-test event could not be stored: \(error.description)")
            }
        }
        if let ptz { let s = ptz.status; result.ptz = !s.halted && s.failures == 0 }
        waiters.withLock { $0[item.selfTestID] = result }
        selfTestDone.signal()
    }

    /// Calibration gain of the live chain (linear).
    let calibrationGain: Double

    /// Runs a synthetic 1.5 s signal (quiet noise, then a decaying broadband burst at
    /// 0.5 s) through a fresh chain and detector with the live table and rate; returns
    /// the class of the first impulsive event, or nil. Off the analysis thread.
    static func detectSyntheticBurst(table: SignatureTable, sampleRate: Int, calibrationGain: Double,
                                     splOffsetQ8_8: Int16?) -> SoundClass? {
        var config = AnalysisConfig(sampleRate: Int32(sampleRate))
        config.calibrationGain = calibrationGain
        var chain = AnalysisChain(config: config)
        var engine = DetectionEngine(table: table, config: config, splOffset: splOffsetQ8_8)
        var frame = FeatureFrame()
        let hop = Int(config.hopSamples)
        let samples = FixedBuffer<Int16>(count: hop, repeating: 0)
        var seed: UInt32 = 12_345
        let rate = Double(sampleRate)
        let burstStart = Int(rate / 2)
        var found: SoundClass?
        var n = 0
        for _ in 0..<150 {
            for i in 0..<hop {
                seed = seed &* 1_664_525 &+ 1_013_904_223
                let white = Double(Int32(bitPattern: seed) >> 16) / 32_768
                var amplitude = 30.0
                let k = n - burstStart
                if k >= 0 { amplitude += 24_000 * exp(-Double(k) / (0.025 * rate)) }
                samples[i] = Int16(max(-32_768, min(32_767, (white * amplitude).rounded())))
                n += 1
            }
            samples.withElements { chain.process(hop: $0, into: &frame) }
            engine.process(frame) { e in if e.phase == .impulse && found == nil { found = e.soundClass } }
        }
        engine.finish(atSample: Int64(n)) { e in if e.phase == .impulse && found == nil { found = e.soundClass } }
        return found
    }
}

/// The dispatcher thread's own state, made when its loop starts: the preallocated log line
/// and, per class-name slot, the sequence (0 = none) and onset (UTC ns) of the published
/// `start` still sounding. Nothing here is shared.
final class DispatcherWorkspace {
    let line = AgentLogLine(capacity: 1024)
    var openStartSequence: [UInt64]
    var openStartOnset: [Int64]

    init(slots: Int) {
        openStartSequence = [UInt64](repeating: 0, count: slots)
        openStartOnset = [Int64](repeating: 0, count: slots)
    }
}
