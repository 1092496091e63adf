// `earshot demo`: the synthetic street through the agent's real runtime parts —
// FileAudioFeeder (reading the in-memory WAV) → SampleRing → AnalysisLoop
// (chain, DetectionEngine, PTZ trigger requests) → AgentQueue → EventDispatcher
// (the agent's own: outbox, MQTT when a broker is connected). The demo prints
// what the dispatcher handled and, under each accepted event, its pulse on the
// fake PTZ chip (the audio runs far faster than the 50 ms pulses).
import EarshotConfig
import EarshotDetection
import EarshotMQTT
import EarshotSignatures
import EarshotText
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What the demo is asked to do.
public struct DemoOptions: Sendable {
    /// Pace the audio at real time (10 ms per hop) instead of as fast as analysis goes.
    public var realtime = false
    /// Broker `HOST[:PORT]`; nil tries localhost:1883.
    public var broker: String?
    /// Put a siren wail in the soundscape too (at 50 s; needs ≥ 56 s).
    public var siren = false
    /// Soundscape length, s.
    public var seconds: Double = 60
    /// Seed of the soundscape's noise (traffic, shot, glass, grinder); the sounds' times stay the same.
    public var seed: UInt64 = 7
    /// dB SPL that reads as 0 dBFS (the demo's nominal microphone calibration).
    public var splOffsetDB: Double = 120
    /// Connection attempt bound, ms.
    public var brokerTimeoutMs = 1_000

    public init() {}
}

/// One event as the demo printed it.
public struct DemoDetection: Sendable, Equatable {
    /// Class name from the signature table.
    public var className: String
    /// "impulse" or "start" (sustained sounds are reported at their early alert).
    public var phase: String
    /// Onset, seconds into the soundscape.
    public var onsetSeconds: Double
    /// Peak level, dBFS (dB SPL = this + the calibration offset).
    public var peakDBFS: Double
    /// Peak level, dB SPL with the demo's nominal calibration.
    public var peakDBSPL: Double?
    /// Detector confidence, 0…1.
    public var confidence: Double
    /// PTZ sector pulsed (0-based, as in the event payload; the camera preset is sector + 1), nil when none.
    public var sector: Int?
}

/// Pairing of one synthesised sound with the detection that found it.
public struct DemoMatch: Sendable, Equatable {
    public var expected: DemoEventSpec
    /// The first detection of the right class within 1 s of the onset, nil if none.
    public var detected: DemoDetection?
}

/// The demo's structured outcome.
public struct DemoResult: Sendable {
    /// Every reported event, in order.
    public var detections: [DemoDetection]
    /// One entry per synthesised sound.
    public var matches: [DemoMatch]
    /// PTZ line transitions seen on the fake chip: (line index, active).
    public var ptzTransitions: [(line: Int, active: Bool)]
    /// Events (every phase) stored and handed to the broker (0 without a broker).
    public var published: Int
    /// True when a broker was connected.
    public var brokerConnected: Bool
    /// Wall time of the run, s.
    public var wallSeconds: Double
    /// Per accepted pulse, ms from the PTZ request (analysis thread) to the fake line going active.
    public var pulseLatenciesMs: [Double]
    /// `.end` events of sustained sounds (published too when a broker is connected).
    public var ends: Int
    /// Every synthesised sound detected with the right class.
    public var allDetected: Bool { matches.allSatisfy { $0.detected != nil } }
    /// Process exit status: 0 when `allDetected`, else 1.
    public var exitCode: Int32 { allDetected ? 0 : 1 }
}

/// Runs the demo; `out` receives each output line (no newline).
public enum DemoDriver {
    /// The fake PTZ wiring: one line per sector on GPIO 17, 27, 22, 23.
    static let ptzLines = [17, 27, 22, 23]

    public static func run(_ options: DemoOptions, out: (String) -> Void) throws(AgentError) -> DemoResult {
        let t0 = AgentClock.monotonicNanoseconds()
        let scape = DemoSoundscape.street(seconds: options.seconds, siren: options.siren, seed: options.seed)
        out("earshot demo: \(fmt(scape.seconds, 0)) s synthetic street at \(scape.rate) Hz (traffic ≈ −55 dBFS) with "
            + scape.events.map { "\($0.label) @\(fmt($0.onsetSeconds, 0)) s" }.joined(separator: ", "))
        out("calibration: nominal \(fmt(options.splOffsetDB, 0)) dB SPL at 0 dBFS; PTZ: fake chip, lines \(ptzLines.map(String.init).joined(separator: ",")) (one per sector)")

        // MQTT: a broker if one answers (bounded), else a publisher that only stores.
        let address = options.broker.flatMap(parseBrokerAddress) ?? ("localhost", 1883)
        if options.broker != nil && parseBrokerAddress(options.broker!) == nil {
            throw AgentError(.config, "--broker \(options.broker!): expected HOST[:PORT] with PORT 1…65535")
        }
        let outbox: DemoBroker
        switch DemoBroker.connect(host: address.host, port: address.port, timeoutMs: options.brokerTimeoutMs) {
        case .success(let b):
            outbox = b
            out("mqtt: connected to \(address.host):\(address.port); events go to \(b.publisher.topics.event)")
        case .failure(let e):
            outbox = try DemoBroker.offline()
            out("mqtt: no broker reachable at \(address.host):\(address.port) (\(e.message)); events printed only")
        }

        // The agent's runtime parts, wired as AgentPipeline wires them: file feeder →
        // ring → AnalysisLoop (detector, PTZ trigger) → AgentQueue → EventDispatcher
        // (outbox, MQTT). The demo prints what the dispatcher handled.
        let wav: DemoMemoryFile, gpioLog: DemoMemoryFile
        do {
            wav = try DemoMemoryFile.wav(samples: scape.samples, rate: scape.rate)
            gpioLog = try DemoMemoryFile(name: "earshot-demo-gpio.log")
        } catch {
            _ = outbox.finish()
            throw error
        }
        var agentOptions = AgentOptions(sitePath: "(demo)")
        agentOptions.inputFile = wav.path
        agentOptions.realtime = options.realtime
        let board = BoardConfig(name: "demo", audio: AudioSettings())
        let gpio = GPIOSettings(chip: "demo-fake", wiring: .lines(ptzLines.map { .offset($0) }), pulseMs: 50, cooldownMs: 0)
        let ptz: AgentPTZ
        let input: AgentAudioInput
        do {
            ptz = try AgentPTZ(gpio: gpio, camera: nil, fakeLog: gpioLog.path)
        } catch {
            _ = outbox.finish()
            throw error
        }
        do { input = try AgentAudioInput(board: board, options: agentOptions, log: AgentLog(level: .warning)) } catch {
            ptz.stop()
            _ = outbox.finish()
            throw error
        }
        let queue = AgentQueue(capacity: 256)
        var setup = AnalysisSetup()
        setup.table = AgentPlan.builtInTable
        setup.splOffsetQ8_8 = Int16((options.splOffsetDB * 256).rounded())
        setup.telemetryIntervalSeconds = 10
        setup.steerCamera = true
        let analysis = AnalysisLoop(input: input, setup: setup, ptz: ptz, queue: queue, notifier: nil, watchdogInterval: nil)
        let table = setup.table!
        let handled = DemoHandled()
        let dispatcher = EventDispatcher(queue: queue, publisher: outbox.publisher, table: table, mode: .eventsPTZ,
                                         splOffsetDB: options.splOffsetDB, log: AgentLog(level: .warning), ptz: ptz,
                                         hops: { analysis.hops }, onEventStored: nil, sampleRate: input.rate,
                                         calibrationGain: setup.calibrationGain, logsEvents: false,
                                         onHandled: { item, stored in handled.append(item, stored) })
        dispatcher.start()
        analysis.start()
        out(options.realtime ? "running in real time (\(fmt(scape.seconds, 0)) s)…" : "running faster than real time…")
        out("")
        out("   time  class          level dBFS  dB SPL  conf  PTZ")

        var detections: [DemoDetection] = []
        var transitions: [(line: Int, active: Bool)] = []
        var latencies: [Double] = []
        var published = 0
        var ended = 0
        var pending = ""
        // Requests (CLOCK_MONOTONIC ns) of accepted pulses not yet seen going active.
        var requested: [Int64] = []
        func pollGPIO() {
            pending += String(decoding: gpioLog.readNew(), as: UTF8.self)
            while let nl = pending.firstIndex(of: "\n") {
                let line = pending[..<nl]
                let f = line.split(separator: " ")
                guard f.count == 5, f[0] == "set", let ns = Int64(f[1]), let idx = Int(f[2]) else {
                    pending = String(pending[pending.index(after: nl)...])
                    continue
                }
                let active = f[3] == "1"
                // A pulse whose event has not been handed over yet (the audio runs far ahead
                // of the 50 ms pulses) stays pending: it is printed under its own event.
                if active && transitions.filter(\.active).count >= detections.filter({ $0.sector != nil }).count { return }
                pending = String(pending[pending.index(after: nl)...])
                transitions.append((idx, active))
                let gpioNumber = idx < ptzLines.count ? ptzLines[idx] : idx
                var after = ""
                if active, !requested.isEmpty {
                    let ms = Double(ns - requested.removeFirst()) / 1e6
                    latencies.append(ms)
                    after = ", \(fmt(ms, 1)) ms after the request"
                }
                out("         └ fake GPIO line \(gpioNumber) (sector \(idx)) → \(active ? "active (high)" : "idle (low)")\(after)")
            }
        }
        /// The fake chip's transitions of every accepted pulse so far (both edges),
        /// printed under their event: the audio may run far ahead of the 50 ms pulses.
        func awaitPulses() {
            let deadline = AgentClock.monotonicNanoseconds() + 2_000_000_000
            while AgentClock.monotonicNanoseconds() < deadline {
                pollGPIO()
                let accepted = detections.filter { $0.sector != nil }.count
                if transitions.filter(\.active).count >= accepted && transitions.filter({ !$0.active }).count >= accepted { return }
                usleep(2_000)
            }
        }
        func show(_ item: AgentItem, _ stored: StoredEvent?) {
            switch item.kind {
            case .telemetry:
                let l = item.levels
                out("   ·  \(fmt(item.intervalSeconds, 0)) s of street: LAeq \(fmt(Double(Int(l.leq)) / 256 + options.splOffsetDB, 1)) dB SPL (\(fmt(Double(Int(l.leq)) / 256, 1)) dBFS), LAmax \(fmt(Double(Int(l.lmax)) / 256 + options.splOffsetDB, 1)) dB SPL")
                return
            case .selfTest:
                return
            case .event:
                break
            }
            let e = item.event
            let name = table.className(of: e)
            let onset = Double(e.onsetSample) / Double(scape.rate)
            if stored != nil && outbox.connected { published += 1 }
            if e.phase == .end {
                ended += 1
                out("   \(lpad(fmt(Double(e.offsetSample) / Double(scape.rate), 2), 6))  \(pad(name, 14)) ended after \(fmt(Double(e.durationSamples) / Double(scape.rate), 2)) s")
                return
            }
            let d = DemoDetection(className: name, phase: e.phase == .start ? "start" : "impulse", onsetSeconds: onset,
                                  peakDBFS: Double(Int(e.peakLevel)) / 256,
                                  peakDBSPL: e.isCalibrated ? Double(Int(e.peakLevelSPL)) / 256 : nil,
                                  confidence: Double(Int(e.confidence)) / 65_535,
                                  sector: item.ptz == .accepted ? Int(item.sector) : nil)
            detections.append(d)
            let ptzText: String
            switch item.ptz {
            case .accepted:
                ptzText = "sector \(item.sector) (preset \(item.sector + 1)): pulse line \(ptzLines[Int(item.sector)])"
                requested.append(item.ptzRequestMonotonicNanoseconds)
            case .cooldown: ptzText = "cooldown"
            case .refused: ptzText = "refused"
            case .none: ptzText = "-"
            }
            out("   \(lpad(fmt(onset, 2), 6))  \(pad(name, 14)) \(lpad(fmt(d.peakDBFS, 1), 10))  \(lpad(d.peakDBSPL.map { fmt($0, 1) } ?? "-", 6))  \(fmt(d.confidence, 2))  \(ptzText)")
            if item.ptz == .accepted { awaitPulses() }
            if outbox.connected {
                if let stored {
                    out("         └ mqtt: stored and sent as \(outbox.publisher.eventID(sequence: stored.sequence))")
                } else {
                    out("         └ mqtt: not stored in the outbox")
                }
            }
        }

        // The fake chip is read only under an accepted event (awaitPulses): a pulse
        // starts before the dispatcher has handed its event over.
        while !(analysis.reachedEndOfInput && queue.count == 0) {
            let items = handled.take()
            for (item, stored) in items { show(item, stored) }
            if items.isEmpty { usleep(5_000) }
        }
        // Stop as the agent does, except that the PTZ lines go idle last: the last
        // pulses are shown first (the dispatcher hands over everything queued).
        analysis.stop()
        input.stop()
        dispatcher.stop()
        for (item, stored) in handled.take() { show(item, stored) }
        awaitPulses()
        ptz.releaseToIdle()
        ptz.stop()
        let left = outbox.finish().unacknowledged
        let unacked = outbox.connected ? left : 0   // offline, every event stays in the removed outbox

        // Summary.
        var matches: [DemoMatch] = []
        for spec in scape.events {
            let hit = detections.first { $0.className == spec.className && abs($0.onsetSeconds - spec.onsetSeconds) < 1.0 }
            matches.append(DemoMatch(expected: spec, detected: hit))
        }
        let wall = Double(AgentClock.monotonicNanoseconds() - t0) / 1e9
        out("")
        out("summary: expected vs detected")
        for m in matches {
            let exp = "\(pad(m.expected.label, 16)) \(pad(m.expected.className, 12)) @\(lpad(fmt(m.expected.onsetSeconds, 2), 6)) s"
            if let d = m.detected {
                out("  ok      \(exp)  → \(d.className) @\(fmt(d.onsetSeconds, 2)) s (\(lpad(fmt((d.onsetSeconds - m.expected.onsetSeconds) * 1000, 0), 4)) ms), conf \(fmt(d.confidence, 2))")
            } else {
                out("  MISSED  \(exp)  → no \(m.expected.className) within 1 s")
            }
        }
        let extra = detections.filter { d in !matches.contains { $0.detected == d } }
        if !extra.isEmpty {
            out("  also reported: " + extra.map { "\($0.className) @\(fmt($0.onsetSeconds, 2)) s" }.joined(separator: ", "))
        }
        let pulses = transitions.filter { $0.active }.count
        out("PTZ: \(pulses) pulse(s) on the fake chip" + (latencies.isEmpty ? "" : ", \(fmt(latencies.max()!, 1)) ms at most from request to line active")
            + "; MQTT: " + (outbox.connected ? "\(published) event(s) published, \(unacked) unacknowledged at exit" : "not used"))
        let found = matches.filter { $0.detected != nil }.count
        out("\(found)/\(matches.count) synthesised events detected with the right class; \(fmt(scape.seconds, 0)) s of audio in \(fmt(wall, 2)) s wall time")
        return DemoResult(detections: detections, matches: matches, ptzTransitions: transitions, published: published,
                          brokerConnected: outbox.connected, wallSeconds: wall,
                          pulseLatenciesMs: latencies, ends: ended)
    }

    static func fmt(_ x: Double, _ digits: Int) -> String { FixedDecimal.string(x, digits) }
    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    static func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
}

/// What the dispatcher handed over (its thread) until the demo takes it (the caller's).
final class DemoHandled: Sendable {
    private let items = Mutex<[(AgentItem, StoredEvent?)]>([])

    func append(_ item: AgentItem, _ stored: StoredEvent?) { items.withLock { $0.append((item, stored)) } }

    /// Everything handed over since the last call, in order.
    func take() -> [(AgentItem, StoredEvent?)] { items.withLock { let all = $0; $0.removeAll(); return all } }
}

extension AgentPlan {
    /// The default signature table, as `earshot run` uses it without a table file.
    public static var builtInTable: SignatureTable { DefaultSignatures.table }
}
