// One generation of the agent's audio side: input → analysis → dispatcher, plus
// the PTZ trigger. Rebuilt on SIGHUP; the MQTT publisher (and its outbox) outlives it.
import EarshotPlatform
import EarshotConfig
import EarshotMQTT

/// Input, analysis thread, dispatcher thread and PTZ trigger, started and stopped together.
public final class AgentPipeline: Sendable {
    // @unchecked Sendable: immutable references to thread-safe parts.
    public let plan: AgentPlan
    public let input: AgentAudioInput
    public let analysis: AnalysisLoop
    public let dispatcher: EventDispatcher
    public let ptz: AgentPTZ?
    public let queue: AgentQueue

    /// Builds and starts every part. PTZ lines are claimed (idle) only in mode `events+ptz`.
    public init(plan: AgentPlan, options: AgentOptions, publisher: MQTTPublisher, log: AgentLog,
         notifier: SystemdNotifier?, watchdog: Duration?, hopHook: (@Sendable (Int64) -> Void)? = nil,
         onEventStored: (@Sendable (UInt64, Int64, String) -> Void)?) throws(AgentError) {
        self.plan = plan
        let site = plan.config.site, board = plan.config.board
        let mode = site.sensor.mode
        var ptz: AgentPTZ?
        if mode.steersCamera, let gpio = board.gpio {
            let fake = options.fakeGPIOLog ?? AgentEnvironment.value("EARSHOT_FAKE_GPIO_LOG")
            do {
                ptz = try AgentPTZ(gpio: gpio, camera: board.camera, fakeLog: fake)
            } catch where error.kind == .gpio {
                // A held or missing line must not silence the sensor (make hil, "busy"):
                // events are still published; steering is off until restart or SIGHUP.
                log.error("\(error.message); camera steering is OFF, events are still published — \(error.remedy ?? "fix it"), then SIGHUP or restart")
            }
        }
        let input: AgentAudioInput
        do {
            input = try AgentAudioInput(board: board, options: options, log: log)
        } catch {
            ptz?.stop()
            throw error
        }
        self.ptz = ptz
        self.input = input
        queue = AgentQueue(capacity: 256)
        var setup = AnalysisSetup()
        setup.table = mode.publishesEvents ? plan.table : nil
        if let off = plan.splOffsetDB { setup.splOffsetQ8_8 = Int16(max(-32_768, min(32_767, (off * 256).rounded()))) }
        setup.telemetryIntervalSeconds = site.telemetry.intervalS
        setup.steerCamera = ptz != nil
        setup.stopAfterAudioSeconds = options.exitAfterAudioSeconds
        setup.hopHook = hopHook
        setup.localisation = LiveLocalisationSetup(board: board)
        analysis = AnalysisLoop(input: input, setup: setup, ptz: ptz, queue: queue, notifier: notifier, watchdogInterval: watchdog)
        let analysisRef = analysis
        dispatcher = EventDispatcher(queue: queue, publisher: publisher, table: plan.table, mode: mode,
                                     splOffsetDB: plan.splOffsetDB, log: log, ptz: ptz,
                                     hops: { analysisRef.hops }, onEventStored: onEventStored,
                                     sampleRate: input.rate, calibrationGain: setup.calibrationGain)
        dispatcher.start()
        analysis.start()
    }

    /// Stops in the safe order: PTZ lines idle first, then analysis, input, and the
    /// dispatcher after it has stored everything queued; finally the lines are released.
    public func stop() {
        ptz?.releaseToIdle()
        analysis.stop()
        input.stop()
        dispatcher.stop()
        ptz?.stop()
    }
}

/// Process environment lookups (no Foundation).
public enum AgentEnvironment {
    /// `$name`, nil when unset or empty.
    public static func value(_ name: String) -> String? {
        guard let p = getenv(name) else { return nil }
        let s = String(cString: p)
        return s.isEmpty ? nil : s
    }
}
#if canImport(Glibc)
import Glibc
#endif
