// `earshot run`: the agent on a sensor box. Builds everything from the site file
// (and its board), runs until SIGTERM/SIGINT, reloads on SIGHUP.
//
// Threads: capture (EarshotAudio) or file feeder → SampleRing → analysis
// (AnalysisLoop: chain, detector, level meter, PTZ trigger requests) →
// AgentQueue → dispatcher (EventDispatcher: outbox/MQTT, log lines) ; MQTT
// network thread (EarshotMQTT) ; PTZ trigger thread (EarshotGPIO) ; the caller's
// thread runs `run(signals:)`: signals, status, end of a replay.
import EarshotConfig
import EarshotPlatform
import EarshotGPIO
import EarshotMQTT
import EarshotText
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The running agent.
public final class Agent: Sendable {
    // @unchecked Sendable: `current` and `plan` are behind `state`; the rest is immutable or thread-safe.
    /// Options from the command line.
    public let options: AgentOptions
    /// Log on stderr.
    public let log: AgentLog
    private let notifier: SystemdNotifier?
    private let watchdog: Duration?
    private struct State {
        var plan: AgentPlan
        var publisher: MQTTPublisher?
        var pipeline: AgentPipeline?
        var lastStatusKey = -1
        /// When the next periodic status is due, on `statusClock` (ns).
        var nextStatusNs: Int64 = 0
    }
    private let state: Mutex<State>
    private let stopFlag = Atomic<Bool>(false)
    let selfTestIDs = Atomic<UInt32>(0)
    private let startedNs = AgentClock.monotonicNanoseconds()
    /// The clock that paces status (ns): CLOCK_MONOTONIC, or a simulation's clock.
    private let statusClock: @Sendable () -> Int64
    private let statusCount = Atomic<Int>(0)
    /// Period of the retained status when nothing changes, ns.
    static let statusPeriodNs: Int64 = 30_000_000_000
    /// Called on the dispatcher thread after each impulse/start event is stored (not after the
    /// end of a sustained sound): (record id, onset monotonic ns, class).
    public let onEventStored: (@Sendable (UInt64, Int64, String) -> Void)?
    /// Called on the MQTT thread when the broker acknowledges a record (record id, kind).
    public let onAcknowledged: (@Sendable (UInt64, OutboxRecordKind) -> Void)?
    /// Benchmarks: called on the analysis thread after every hop with the hop count.
    public let hopHook: (@Sendable (Int64) -> Void)?

    /// Loads and validates the configuration; starts nothing. `statusClock` (ns) paces the
    /// periodic status (default CLOCK_MONOTONIC; `earshot-soak` passes simulated audio time).
    /// - Throws: `AgentError(.config)` naming the file and field.
    public init(options: AgentOptions,
                onEventStored: (@Sendable (UInt64, Int64, String) -> Void)? = nil,
                onAcknowledged: (@Sendable (UInt64, OutboxRecordKind) -> Void)? = nil,
                hopHook: (@Sendable (Int64) -> Void)? = nil,
                statusClock: (@Sendable () -> Int64)? = nil) throws(AgentError) {
        self.options = options
        self.statusClock = statusClock ?? { AgentClock.monotonicNanoseconds() }
        self.hopHook = hopHook
        self.onEventStored = onEventStored
        self.onAcknowledged = onAcknowledged
        let plan = try AgentPlan.load(options)
        log = AgentLog(level: plan.config.site.logging.level)
        do { notifier = try SystemdNotifier() } catch { throw AgentError(.runtime, "sd_notify: \(error.description)") }
        watchdog = SystemdNotifier.watchdogInterval()
        state = Mutex(State(plan: plan))
    }

    /// The publisher (nil before `start`).
    public var publisher: MQTTPublisher? { state.withLock { $0.publisher } }
    /// The current pipeline (nil before `start`).
    public var pipeline: AgentPipeline? { state.withLock { $0.pipeline } }
    /// The configuration in use.
    public var plan: AgentPlan { state.withLock { $0.plan } }

    /// Opens the outbox and starts MQTT, PTZ, capture, analysis and dispatch, then
    /// tells systemd READY=1. - Throws: `AgentError` (exit code in `exitCode`).
    public func start() throws(AgentError) {
        let plan = self.plan
        driveLinesIdleAtStart(plan)
        let publisher = try makePublisher(plan)
        state.withLock { $0.publisher = publisher }
        let pipeline: AgentPipeline
        do {
            pipeline = try AgentPipeline(plan: plan, options: options, publisher: publisher, log: log,
                                         notifier: notifier, watchdog: watchdog, hopHook: hopHook, onEventStored: onEventStored)
        } catch {
            publisher.stop(flushTimeoutMs: 500)
            throw error
        }
        state.withLock { $0.pipeline = pipeline }
        registerCommands(publisher)
        publishStatus(force: true)
        let s = plan.config.site
        log.info("running: sensor \(s.sensor.site)/\(s.sensor.id) mode \(s.sensor.mode.rawValue), \(describeInput(pipeline)), broker \(s.mqtt.host):\(s.mqtt.port), outbox \(s.outbox.directory)")
        try? notifier?.ready(status: "listening (\(s.sensor.mode.rawValue))")
    }

    /// Asks `run` to return (as SIGTERM would).
    public func requestStop() { stopFlag.store(true, ordering: .releasing) }

    /// Runs until SIGTERM/SIGINT (or `requestStop()`, or the end of a replay with
    /// `exitAtEnd`), reloading on SIGHUP; then shuts down. Returns the exit status: 0, or
    /// 4 (MQTT) when the run ended at the end of its input with events the broker has not
    /// acknowledged (they stay in the outbox for the next start).
    public func run(signals: SignalHandling?) -> Int32 {
        var endSeenNs: Int64 = 0
        var endedAtInput = false
        // Signals wake the wait at once; the period paces status checks: once a
        // second on a box (a capture state change reaches status within 1 s; each
        // wake-up costs ~40 µs, a tenth of the CPU budget at 4/s), 4/s for a replay
        // that exits at its end (so it exits promptly).
        let periodMs: Int32 = options.exitAtEnd ? 250 : 1_000
        while !stopFlag.load(ordering: .acquiring) {
            let flags = signals?.wait(timeoutMs: periodMs) ?? { usleep(UInt32(periodMs) * 1_000); return SignalFlags() }()
            if flags.shouldStop {
                log.info("\(flags.terminate ? "SIGTERM" : "SIGINT"): stopping")
                break
            }
            if flags.reload { reload() }
            reportDrops()
            publishStatus(force: false)
            if options.exitAtEnd, let p = pipeline, p.analysis.reachedEndOfInput, p.queue.count == 0 {
                let now = AgentClock.monotonicNanoseconds()
                if endSeenNs == 0 { endSeenNs = now }
                let pending = publisher?.outboxStats.pendingEvents ?? 0
                if pending == 0 || now - endSeenNs > 10_000_000_000 {
                    log.info("end of input: \(p.analysis.hops) hops analysed, \(p.dispatcher.eventsPublished) events stored, \(pending) unacknowledged")
                    endedAtInput = true
                    break
                }
            }
        }
        let left = shutdown()
        if endedAtInput && left > 0 {
            log.error("end of input: \(left) event(s) not acknowledged by the broker (kept in the outbox for the next start): exit 4")
            return 4
        }
        return 0
    }

    /// PTZ lines idle, pipeline stopped (queued items stored), status offline,
    /// outbox flushed for up to 2 s (what is not acknowledged stays on disk).
    /// Returns the events left unacknowledged in the outbox (0 when there was no publisher).
    @discardableResult
    public func shutdown() -> Int {
        try? notifier?.stopping()
        let (pipeline, publisher) = state.withLock { s in
            defer { s.pipeline = nil; s.publisher = nil }
            return (s.pipeline, s.publisher)
        }
        pipeline?.stop()
        guard let publisher else { return 0 }
        publisher.stop(flushTimeoutMs: 2_000)
        let left = publisher.outboxStats.pendingEvents
        log.info("stopped; \(left) event(s) left in the outbox for the next start")
        return Int(left)
    }

    /// SIGHUP: reloads site, board and table. On error the running configuration
    /// stays. The pipeline is rebuilt; the publisher (and outbox) is kept unless
    /// the broker/identity/outbox settings changed, in which case it is re-created
    /// on the same outbox directory (queued events stay on disk and are re-sent).
    public func reload() {
        log.info("SIGHUP: reloading \(options.sitePath)")
        let newPlan: AgentPlan
        do { newPlan = try AgentPlan.load(options) } catch {
            log.error("reload refused, keeping the running configuration:\n\(error.message)")
            return
        }
        try? notifier?.reloading()
        let (oldPipeline, oldPublisher, oldPlan) = state.withLock { s in
            defer { s.pipeline = nil }
            return (s.pipeline, s.publisher, s.plan)
        }
        oldPipeline?.stop()
        var publisher = oldPublisher
        if newPlan.mqtt != oldPlan.mqtt || publisher == nil {
            oldPublisher?.stop(flushTimeoutMs: 1_000)
            do { publisher = try makePublisher(newPlan) } catch {
                log.error("reload: \(error.message); keeping the previous MQTT settings")
                publisher = oldPublisher.flatMap { _ in try? makePublisher(oldPlan) }
            }
            if let publisher { registerCommands(publisher) }
        }
        log.setLevel(newPlan.config.site.logging.level)
        var plan = newPlan
        var applied = publisher != nil
        var pipeline: AgentPipeline?
        if let publisher {
            do {
                pipeline = try AgentPipeline(plan: newPlan, options: options, publisher: publisher, log: log,
                                             notifier: notifier, watchdog: watchdog, hopHook: hopHook, onEventStored: onEventStored)
            } catch {
                log.error("reload: \(error.message); restarting with the previous configuration")
                applied = false
                plan = oldPlan
                pipeline = try? AgentPipeline(plan: oldPlan, options: options, publisher: publisher, log: log,
                                              notifier: notifier, watchdog: watchdog, hopHook: hopHook, onEventStored: onEventStored)
            }
        }
        state.withLock { s in
            s.plan = plan
            s.publisher = publisher
            s.pipeline = pipeline
            s.lastStatusKey = -1
        }
        publishStatus(force: true)
        try? notifier?.ready(status: "reloaded (\(plan.config.site.sensor.mode.rawValue))")
        if applied, let p = pipeline {
            // Say it worked, and with what: a reload that logs nothing leaves the technician guessing.
            let s = plan.config.site
            log.info("SIGHUP: reloaded: sensor \(s.sensor.site)/\(s.sensor.id) mode \(s.sensor.mode.rawValue), board \(plan.config.board.name), \(describeInput(p)), broker \(s.mqtt.host):\(s.mqtt.port)")
        }
    }

    // MARK: Parts

    /// Before anything else (outbox, MQTT, audio): the lines a SIGKILLed or crashed run
    /// left driven go idle (mode events+ptz; a held or missing line is logged, not fatal:
    /// the PTZ trigger reports it again when it claims the lines).
    private func driveLinesIdleAtStart(_ plan: AgentPlan) {
        guard plan.config.site.sensor.mode.steersCamera, let gpio = plan.config.board.gpio else { return }
        let fake = options.fakeGPIOLog ?? AgentEnvironment.value("EARSHOT_FAKE_GPIO_LOG")
        do throws(GPIOError) {
            let done = try GPIOIdle.drive(gpio, fakeLog: fake)
            log.info("gpio: \(done) at start")
        } catch {
            log.warning("gpio: could not drive the PTZ lines idle at start: \(error.description)")
        }
    }

    private func makePublisher(_ plan: AgentPlan) throws(AgentError) -> MQTTPublisher {
        let log = self.log
        let publisher: MQTTPublisher
        do {
            publisher = try MQTTPublisher(configuration: plan.mqtt, warn: { log.warning($0) })
        } catch {
            throw AgentError(.mqtt, error.description)
        }
        publisher.onStateChange = { state, error in
            switch state {
            case .connected: log.info("mqtt: connected to \(plan.mqtt.host):\(plan.mqtt.port)")
            case .waitingToReconnect(let ms):
                log.warning("mqtt: \(error?.description ?? "disconnected"); retrying in \(ms) ms")
            default: break
            }
        }
        if let ack = onAcknowledged { publisher.onAcknowledged = { ack($0.recordID, $0.kind) } }
        publisher.update(status: StatusMessage(mode: plan.config.site.sensor.mode.rawValue, softwareVersion: options.version,
                                               audio: "stopped", detail: "starting"))
        do { try publisher.start() } catch { throw AgentError(.mqtt, error.description) }
        return publisher
    }

    /// Frames dropped since the last drop warning, and when it was logged.
    private let dropLog = Mutex<(unlogged: UInt64, loggedNs: Int64)>((0, 0))

    /// Logs dropped frames (ring full: the analysis fell behind the capture): at once the
    /// first time, then at most every 10 s with the frames dropped meanwhile. Run loop only.
    private func reportDrops() {
        guard let p = pipeline else { return }
        let now = AgentClock.monotonicNanoseconds()
        let newDrops = p.input.noteDrops(nowNs: now)
        let dropsUnlogged: UInt64? = dropLog.withLock { d in
            d.unlogged &+= newDrops
            guard d.unlogged > 0, d.loggedNs == 0 || now - d.loggedNs >= 10_000_000_000 else { return nil }
            defer { d.unlogged = 0; d.loggedNs = now }
            return d.unlogged
        }
        guard let dropsUnlogged else { return }
        let r = p.input.captureReport
        let seconds = Double(dropsUnlogged) / Double(p.input.rate)
        log.warning("audio: degraded: \(dropsUnlogged) frames (\(FixedDecimal.string(seconds, 2)) s of audio) dropped, the analysis fell behind the capture; \(r.framesDropped) of \(r.frames) dropped since start\(p.input.isFileReplay ? " (a replay: raise --ring-seconds to hold the recording)" : "")")
    }

    /// Status messages published since init (retained MQTT status + sd_notify STATUS each).
    public var statusPublished: Int { statusCount.load(ordering: .relaxed) }

    /// Publishes the status when it changed (audio state, mode, PTZ on/off, each accepted
    /// trigger), when 30 s of `statusClock` passed since the last periodic one (a fixed
    /// 30 s grid, re-anchored by a change), or when `force`. `run` calls it every second
    /// (every 250 ms for a replay that exits at its end);
    /// a simulation calls it from its own thread. Allocates nothing on the Swift side: the
    /// message is composed in fixed buffers (`AgentStatus`), encoded into the publisher's
    /// preallocated writer, and STATUS= is sent from a `StatusText`; the no-change path
    /// takes one lock. Returns true when a status was published.
    @discardableResult
    public func publishStatus(force: Bool = false) -> Bool {
        guard let (publisher, pipeline, mode, lastKey, nextNs) = state.withLock({
            s -> (MQTTPublisher, AgentPipeline, OperatingMode, Int, Int64)? in
            guard let pub = s.publisher, let p = s.pipeline else { return nil }
            return (pub, p, s.plan.config.site.sensor.mode, s.lastStatusKey, s.nextStatusNs)
        }) else { return false }
        // Capture state, mode, PTZ on/off and accepted PTZ triggers: a change of any re-sends status.
        let accepted = pipeline.ptz.map { Int(truncatingIfNeeded: $0.status.accepted) &+ 1 } ?? 0
        let key = ((accepted &* 100 &+ pipeline.input.stateCode) &* 10 &+ (mode == .levels ? 1 : mode == .events ? 2 : 3))
        let now = statusClock()
        let periodic = now >= nextNs
        guard force || key != lastKey || periodic else { return false }
        state.withLock { s in
            s.lastStatusKey = key
            // On the grid when on time; re-anchored after a change or a stall (no burst).
            let onGrid = periodic && !force && key == lastKey && now - nextNs < Self.statusPeriodNs
            s.nextStatusNs = (onGrid ? nextNs : now) &+ Self.statusPeriodNs
        }
        let uptime = (AgentClock.monotonicNanoseconds() - startedNs) / 1_000_000_000
        let message = AgentStatus.message(pipeline, mode: mode, version: options.version, uptimeSeconds: uptime)
        publisher.update(status: message)
        try? notifier?.status(AgentStatus.systemdText(audio: message.audio, mode: mode, hops: pipeline.analysis.hops))
        statusCount.add(1, ordering: .relaxed)
        return true
    }

    private func describeInput(_ p: AgentPipeline) -> String {
        if let f = options.inputFile { return "replaying \(f) at \(p.input.rate) Hz\(options.realtime ? " in real time" : "")" }
        let a = p.plan.config.board.audio
        return "ALSA \(a.device) \(a.rate) Hz × \(a.channels) \(a.format.rawValue)"
    }
}
