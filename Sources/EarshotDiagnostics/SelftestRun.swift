// `earshot selftest`: synthetic events through the agent's live pipeline (file
// feeder → SampleRing → analysis thread → detector → PTZ trigger → dispatcher →
// outbox → MQTT), each sink checked: detector fires, GPIO pulses (fake or real
// chip), the broker acknowledges, and the event comes back through a subscription.
// The events go to a self-test topic under the sensor's own ({prefix}/{site}/
// {sensor}/selftest/cmd/event), never to the real event topic, so no alert is
// raised at the supervision centre; the outbox is a temporary one.
import EarshotAgent
import EarshotConfig
import EarshotPlatform
import EarshotMQTT
import EarshotText
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Exit statuses of `earshot selftest`.
public enum SelftestExit {
    /// Every stage passed (or was skipped because the site's mode excludes it).
    public static let pass: Int32 = 0
    /// A stage failed.
    public static let fail: Int32 = 1
    /// Site or board file invalid.
    public static let config: Int32 = 2
}

/// What `earshot selftest` is asked to do.
public struct SelftestOptions: Sendable {
    /// Site file (mode, MQTT settings, board).
    public var sitePath: String
    /// Board file overriding the site's (a path or a bare board name).
    public var boardPath: String?
    /// `sitePath` is the default (not given on the command line): when that file does not
    /// exist and `boardPath` is given, the self-test runs with the site defaults
    /// (broker localhost:1883, mode events) instead of failing.
    public var siteIsDefault = false
    /// Drive a fake in-memory GPIO chip even when a real one is present.
    public var fakeGPIO = false
    /// Bound on each wait (end of analysis, broker acknowledgement, delivery), ms.
    public var timeoutMs = 5_000

    public init(sitePath: String) { self.sitePath = sitePath }
}

/// Runs the self-test; `out` receives one line per stage ("PASS  …", "FAIL  …", "SKIP  …").
public func runSelftest(_ options: SelftestOptions, out: (String) -> Void) -> Int32 {
    var failed = false
    func stage(_ ok: Bool?, _ text: String) {
        out("\(ok == nil ? "SKIP" : ok! ? "PASS" : "FAIL")  \(text)")
        if ok == false { failed = true }
    }
    // Scratch files: the fake GPIO log, two outboxes (the WAV is an in-memory file).
    let dir: String
    do { dir = try Directory.makeTemporary(prefix: "earshot-selftest") } catch {
        out("FAIL  cannot create a temporary directory: \(error)")
        return SelftestExit.fail
    }
    defer { Directory.removeTree(dir) }
    _ = mkdir(dir + "/outbox", 0o700)
    _ = mkdir(dir + "/outbox-rx", 0o700)

    var agentOptions = AgentOptions(sitePath: options.sitePath)
    var siteText = options.sitePath
    if options.siteIsDefault, options.boardPath != nil, !ConfigFile.isFile(options.sitePath) {
        let defaults = dir + "/site.toml"
        do {
            try ConfigFile.replace(defaults, with: "[sensor]\nid = \"selftest\"\nsite = \"local\"\nboard = \"generic\"\nmode = \"events\"\n")
        } catch {
            out("FAIL  cannot write the default site file: \(error.message)")
            return SelftestExit.fail
        }
        agentOptions.sitePath = defaults
        siteText = "defaults (no \(options.sitePath))"
    }
    agentOptions.boardPath = options.boardPath
    var plan: AgentPlan
    do { plan = try AgentPlan.load(agentOptions) } catch {
        out("FAIL  configuration: \(error.message)")
        return SelftestExit.config
    }
    let site = plan.config.site, board = plan.config.board
    let mode = site.sensor.mode
    stage(true, "configuration: site \(siteText) (\(site.sensor.site)/\(site.sensor.id), mode \(mode.rawValue)), board \(board.name) at \(board.audio.rate) Hz")

    // Two synthetic impulses (decaying broadband bursts, 1.5 s apart) in quiet noise.
    let rate = board.audio.rate
    let bursts = [0.6, 1.9]
    var samples = [Int16](repeating: 0, count: rate * 3)
    var seed: UInt32 = 12_345
    for n in 0..<samples.count {
        seed = seed &* 1_664_525 &+ 1_013_904_223
        let white = Double(Int32(bitPattern: seed) >> 16) / 32_768
        var amplitude = 30.0
        for b in bursts {
            let k = n - Int(b * Double(rate))
            if k >= 0 { amplitude += 24_000 * exp(-Double(k) / (0.025 * Double(rate))) }
        }
        samples[n] = Int16(max(-32_768, min(32_767, (white * amplitude).rounded())))
    }
    let wav: DemoMemoryFile
    do { wav = try DemoMemoryFile.wav(samples: samples, rate: rate) } catch {
        out("FAIL  cannot synthesise the test signal: \(error.message)")
        return SelftestExit.fail
    }
    defer { withExtendedLifetime(wav) {} }
    agentOptions.inputFile = wav.path
    let steering = mode.steersCamera && board.gpio != nil
    let fake = options.fakeGPIO || GPIODiagnostics.chipsOnThisMachine().isEmpty
    let gpioLog = dir + "/gpio.log"
    if steering && fake { agentOptions.fakeGPIOLog = gpioLog }

    // MQTT: the pipeline publishes to {prefix}/{site}/{sensor}/selftest/cmd/event; a second
    // client subscribed to {prefix}/{site}/{sensor}/selftest/cmd/+ receives it.
    let base = plan.mqtt
    plan.mqtt.topicPrefix = "\(base.topicPrefix)/\(base.site)/\(base.sensor)"
    plan.mqtt.site = "selftest"
    plan.mqtt.sensor = "cmd"
    // Check clients: no will, no status (nothing retained), clean session, unique ids, and the
    // receiver answers only the selftest events (not the pipeline's status or telemetry).
    plan.mqtt = plan.mqtt.checkClient(role: "selftest")
    plan.mqtt.outboxDirectory = dir + "/outbox"
    var rx = base
    rx.topicPrefix = "\(base.topicPrefix)/\(base.site)"
    rx.site = base.sensor
    rx.sensor = "selftest"
    rx.clientID = plan.mqtt.clientID + "-rx"
    rx.isCheckClient = true
    rx.outboxDirectory = dir + "/outbox-rx"
    rx.homeAssistantDiscovery = false
    let publisher: MQTTPublisher, receiver: MQTTPublisher
    do {
        publisher = try MQTTPublisher(configuration: plan.mqtt, warn: { _ in })
        receiver = try MQTTPublisher(configuration: rx, warn: { _ in })
    } catch {
        out("FAIL  MQTT configuration: \(error.description)")
        return SelftestExit.config
    }
    let delivered = Atomic<Int>(0)
    let firstDeliveryNs = Atomic<Int64>(0)
    receiver.setCommandHandler("event") { _ in
        _ = firstDeliveryNs.compareExchange(expected: 0, desired: AgentClock.monotonicNanoseconds(), ordering: .relaxed)
        delivered.add(1, ordering: .relaxed)
        return CommandReply(ok: true, message: "selftest event received")
    }
    let acked = Atomic<Int>(0)
    publisher.onAcknowledged = { a in if a.kind == .event { acked.add(1, ordering: .relaxed) } }
    let stored = Mutex<[String]>([])
    let firstStoredNs = Atomic<Int64>(0)
    let whereText = "\(base.host):\(base.port)\(base.tls != nil ? " (TLS)" : "")"
    var brokerOK = false
    do {
        try receiver.start()
        try publisher.start()
        let e1 = receiver.waitUntilConnected(timeoutMs: options.timeoutMs)
        let e2 = publisher.waitUntilConnected(timeoutMs: options.timeoutMs)
        if let e = e1 ?? e2 {
            stage(false, "MQTT broker \(whereText): \(e.description)")
        } else {
            brokerOK = true
            stage(true, "MQTT broker \(whereText): both clients connected; subscribed to \(receiver.topics.commandFilter)")
        }
    } catch {
        stage(false, "MQTT broker \(whereText): \(error.description)")
    }
    defer {
        publisher.stop(flushTimeoutMs: 500)
        receiver.stop(flushTimeoutMs: 200)
    }
    if brokerOK { usleep(200_000) }  // let the receiver's SUBSCRIBE reach the broker before events flow

    let log = AgentLog(level: .error)
    let pipeline: AgentPipeline
    do {
        pipeline = try AgentPipeline(plan: plan, options: agentOptions, publisher: publisher, log: log, notifier: nil, watchdog: nil,
                                     onEventStored: { _, _, name in
                                         _ = firstStoredNs.compareExchange(expected: 0, desired: AgentClock.monotonicNanoseconds(), ordering: .relaxed)
                                         stored.withLock { $0.append(name) }
                                     })
    } catch {
        stage(false, "pipeline: \(error.message)")
        return error.kind == .config ? SelftestExit.config : SelftestExit.fail
    }
    let t0 = AgentClock.monotonicNanoseconds()
    let deadline = t0 + Int64(max(options.timeoutMs, 60_000)) * 1_000_000  // a debug build on a busy box is slow
    while !(pipeline.analysis.reachedEndOfInput && pipeline.queue.count == 0) && AgentClock.monotonicNanoseconds() < deadline {
        usleep(10_000)
    }
    let ended = pipeline.analysis.reachedEndOfInput
    usleep(150_000)  // last PTZ pulse and dispatcher hand-off
    let hops = pipeline.analysis.hops
    let ptzStatus = pipeline.ptz?.status
    pipeline.stop()
    stage(ended, "pipeline: \(FixedDecimal.string(Double(samples.count) / Double(rate), 1)) s synthetic signal (impulses at "
          + bursts.map { FixedDecimal.string($0, 1) + " s" }.joined(separator: ", ") + ") through file feeder → ring → analysis: \(hops) hops"
          + (ended ? "" : " — did not reach the end within \(max(options.timeoutMs, 60_000)) ms"))

    let names = stored.withLock { $0 }
    if mode.publishesEvents {
        stage(!names.isEmpty, names.isEmpty ? "detector: no event from \(bursts.count) synthetic impulses (table too strict for this board's calibration?)"
              : "detector: \(names.count) event(s): \(names.joined(separator: ", "))")
    } else {
        stage(nil, "detector: mode \"levels\" sends no events (by design)")
    }

    if !steering {
        stage(nil, "GPIO: " + (board.gpio == nil ? "board \(board.name) has no PTZ lines" : "mode \"\(mode.rawValue)\" does not steer the camera (needs \"events+ptz\")"))
    } else if fake {
        var text = ""
        let fd = open(gpioLog, O_RDONLY)
        if fd >= 0 {
            var buf = [UInt8](repeating: 0, count: 65_536)
            let n = read(fd, &buf, buf.count)
            close(fd)
            if n > 0 { text = String(decoding: buf[0..<n], as: UTF8.self) }
        }
        var pulses = 0, transitions = 0
        var last: [Substring: Bool] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count >= 4, f[0] == "set" else { continue }
            transitions += 1
            let active = f[3] == "1"
            if active && last[f[2]] != true { pulses += 1 }
            last[f[2]] = active
        }
        let idle = last.values.allSatisfy { !$0 }
        stage(pulses > 0 && idle, "GPIO (fake chip): \(pulses) pulse(s) (line went active), \(transitions) transitions, "
              + (idle ? "every line back to idle" : "a line was left ACTIVE"))
    } else if let s = ptzStatus {
        stage(s.completed > 0 && s.failures == 0, "GPIO (\(board.gpio!.chip)): \(s.completed) pulse(s) completed, \(s.failures) failure(s)"
              + (s.lastError.isEmpty ? "" : ": \(s.lastError)"))
    }

    if !mode.publishesEvents {
        stage(nil, "MQTT delivery: mode \"levels\" sends no events")
    } else if !brokerOK {
        stage(false, "MQTT delivery: not attempted (no broker); events stay in the outbox until it is reachable")
    } else {
        let ackDeadline = AgentClock.monotonicNanoseconds() + Int64(options.timeoutMs) * 1_000_000
        while (acked.load(ordering: .relaxed) < names.count || delivered.load(ordering: .relaxed) < names.count)
                && AgentClock.monotonicNanoseconds() < ackDeadline { usleep(5_000) }
        let a = acked.load(ordering: .relaxed), d = delivered.load(ordering: .relaxed)
        stage(a >= names.count && !names.isEmpty, "MQTT publish: \(a)/\(names.count) event(s) acknowledged (PUBACK) on \(publisher.topics.event)")
        let first = firstDeliveryNs.load(ordering: .relaxed), storedAt = firstStoredNs.load(ordering: .relaxed)
        let latency = first > 0 && storedAt > 0 ? " (first \(FixedDecimal.string(Double(first - storedAt) / 1e6, 1)) ms after it was stored)" : ""
        stage(d >= names.count && !names.isEmpty, "MQTT delivery: \(d)/\(names.count) event(s) received back through the subscription \(receiver.topics.commandFilter)\(latency)")
    }
    out(failed ? "selftest: FAILED" : "selftest: all stages passed")
    return failed ? SelftestExit.fail : SelftestExit.pass
}
