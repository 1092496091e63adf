// Turns "point the camera at sector s" into timed line pulses on a trigger thread.
import EarshotPlatform
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The PTZ trigger on real lines.
public typealias GPIOPTZTrigger = PTZTrigger<LibgpiodBackend>

/// What `PTZTrigger.trigger(sector:)` did with a request.
public enum PTZTriggerOutcome: Sendable, Equatable {
    /// Queued; the trigger thread drives the sequence.
    case accepted
    /// The same sector was accepted less than `sectorCooldownMilliseconds` ago.
    case suppressedBySectorCooldown
    /// Any sector was accepted less than `globalCooldownMilliseconds` ago.
    case suppressedByGlobalCooldown
    /// Eight requests are already waiting (only possible with cooldowns shorter than a sequence).
    case queueFull
    /// `releaseToIdle()` or `stop()` was called; lines stay idle.
    case stopped
    /// `sector` is outside `0..<config.sectorCount`.
    case noSuchSector
}

/// Counters for `status` messages.
public struct PTZTriggerStatus: Sendable, Equatable {
    /// Requests accepted.
    public var accepted: UInt64
    /// Requests suppressed by the per-sector cooldown.
    public var suppressedBySector: UInt64
    /// Requests suppressed by the global cooldown.
    public var suppressedByGlobal: UInt64
    /// Requests refused because the queue was full.
    public var queueFull: UInt64
    /// Sequences driven to the end.
    public var completed: UInt64
    /// Sequences aborted by a line error (lines then driven idle).
    public var failures: UInt64
    /// Most recent error (empty if none).
    public var lastError: String
    /// True after `releaseToIdle()`/`stop()`.
    public var halted: Bool
}

/// Drives PTZ preset lines from `PTZTriggerConfig` over any `GPIOBackend`.
///
/// - `init` validates the configuration, claims every line at its idle level and
///   starts a small trigger thread.
/// - `trigger(sector:)` is for the analysis thread: it applies the cooldowns and
///   queues the request under a lock held for well under a microsecond, never
///   sleeps, never touches the lines and does not allocate.
/// - The trigger thread sleeps to absolute `CLOCK_MONOTONIC` deadlines between
///   the writes of `PTZSchedule`, waking `WakeMargin` early and spinning the rest;
///   any write error drives every line idle.
/// - `releaseToIdle()` drives every line to idle and halts further triggers; it
///   is safe from the shutdown path (any thread, e.g. a SIGTERM `DispatchSource`
///   handler; it takes a mutex, so it is not async-signal-safe: do not call it
///   from a raw `signal()` handler). `stop()` (and `deinit`) also end the thread
///   and release the lines.
public final class PTZTrigger<Backend: GPIOBackend>: @unchecked Sendable {
    // @unchecked Sendable: shared state lives in `engine`, whose mutable parts are behind Mutexes.
    /// The validated configuration.
    public let config: PTZTriggerConfig
    /// The backend driving the lines (tests inspect a `FakeGPIOBackend` through this).
    public let backend: Backend
    /// The precomputed sequences.
    public let schedule: PTZSchedule
    private let engine: PTZEngine<Backend>

    /// Validates `config`, claims its lines on `backend` at idle level, starts the trigger thread.
    public init(config: PTZTriggerConfig, backend: Backend) throws(GPIOError) {
        try config.validate()
        try backend.claim(chip: config.chip, lines: config.claimedLines)
        self.config = config
        self.backend = backend
        self.schedule = PTZSchedule(config)
        self.engine = PTZEngine(config: config, backend: backend, schedule: schedule)
        engine.startThread()
    }

    deinit { stop() }

    /// Requests the sequence for `sector` (0-based). Non-blocking; see `PTZTriggerOutcome`.
    @discardableResult
    public func trigger(sector: Int) -> PTZTriggerOutcome { engine.request(sector: sector) }

    /// Drives every line to its idle level now and refuses later triggers. Idempotent.
    public func releaseToIdle() { engine.halt() }

    /// `releaseToIdle()`, then ends the trigger thread and releases the lines. Idempotent.
    public func stop() { engine.shutdown() }

    /// A snapshot of the counters.
    public var status: PTZTriggerStatus { engine.status }
}

/// The shared part of a `PTZTrigger`, retained by its thread.
final class PTZEngine<Backend: GPIOBackend>: @unchecked Sendable {
    // @unchecked Sendable: `backend` is only used inside `lines.withLock`; requests inside `requests.withLock`.
    private struct Requests {
        var lastAnyNs: UInt64?
        var lastSectorNs: [UInt64?]
        var queue: [Int]
        var head = 0
        var count = 0
        var accepted: UInt64 = 0, bySector: UInt64 = 0, byGlobal: UInt64 = 0, full: UInt64 = 0
    }
    private struct Lines {
        var halted = false
        var released = false
        var completed: UInt64 = 0
        var failures: UInt64 = 0
        var lastError = ""
    }
    private let backend: Backend
    private let schedule: PTZSchedule
    private let lineCount: Int
    private let sectorCooldownNs: UInt64
    private let globalCooldownNs: UInt64
    private let requests: Mutex<Requests>
    private let lines = Mutex(Lines())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let exiting = Atomic<Bool>(false)
    private let threadStarted = Atomic<Bool>(false)
    /// Touched only by the trigger thread.
    private var wakeMargin = WakeMargin()
    private static var queueCapacity: Int { 8 }

    init(config: PTZTriggerConfig, backend: Backend, schedule: PTZSchedule) {
        self.backend = backend
        self.schedule = schedule
        self.lineCount = config.claimedLines.count
        self.sectorCooldownNs = UInt64(config.sectorCooldownMilliseconds) * 1_000_000
        self.globalCooldownNs = UInt64(config.globalCooldownMilliseconds) * 1_000_000
        self.requests = Mutex(Requests(lastSectorNs: Array(repeating: nil, count: config.sectorCount),
                                       queue: Array(repeating: 0, count: Self.queueCapacity)))
    }

    func startThread() {
        threadStarted.store(true, ordering: .relaxed)
        PlatformThread.spawnOrDie(name: "earshot-ptz") { [self] in run() }
    }

    func request(sector: Int) -> PTZTriggerOutcome {
        guard sector >= 0 && sector < schedule.steps.count else { return .noSuchSector }
        if exiting.load(ordering: .relaxed) { return .stopped }
        if lines.withLock({ $0.halted }) { return .stopped }
        let now = MonotonicClock.nanoseconds()
        let outcome: PTZTriggerOutcome = requests.withLock { r in
            if let last = r.lastAnyNs, now &- last < globalCooldownNs { r.byGlobal += 1; return .suppressedByGlobalCooldown }
            if let last = r.lastSectorNs[sector], now &- last < sectorCooldownNs { r.bySector += 1; return .suppressedBySectorCooldown }
            if r.count == Self.queueCapacity { r.full += 1; return .queueFull }
            r.queue[(r.head + r.count) % Self.queueCapacity] = sector
            r.count += 1
            r.lastAnyNs = now
            r.lastSectorNs[sector] = now
            r.accepted += 1
            return .accepted
        }
        if outcome == .accepted { wake.signal() }
        return outcome
    }

    func halt() {
        lines.withLock { state in
            state.halted = true
            if !state.released { driveIdle() }
        }
    }

    func shutdown() {
        halt()
        if threadStarted.load(ordering: .relaxed), !exiting.exchange(true, ordering: .relaxed) {
            wake.signal()
            finished.wait()
        }
        lines.withLock { state in
            if !state.released {
                driveIdle()
                backend.release()
                state.released = true
            }
        }
    }

    var status: PTZTriggerStatus {
        let r = requests.withLock { ($0.accepted, $0.bySector, $0.byGlobal, $0.full) }
        return lines.withLock {
            PTZTriggerStatus(accepted: r.0, suppressedBySector: r.1, suppressedByGlobal: r.2, queueFull: r.3,
                             completed: $0.completed, failures: $0.failures, lastError: $0.lastError, halted: $0.halted)
        }
    }

    // MARK: Trigger thread

    private func run() {
        // Best effort: real-time priority keeps pulse widths within ~0.1 ms under CPU load
        // (needs CAP_SYS_NICE or root; silently stays SCHED_OTHER otherwise).
        _ = PlatformThread.requestRealtimePriority(10)
        while true {
            wake.wait()
            if exiting.load(ordering: .relaxed) { break }
            while let sector = dequeue() {
                drive(sector)
                if exiting.load(ordering: .relaxed) { break }
            }
        }
        finished.signal()
    }

    private func dequeue() -> Int? {
        requests.withLock { r in
            guard r.count > 0 else { return nil }
            let sector = r.queue[r.head]
            r.head = (r.head + 1) % Self.queueCapacity
            r.count -= 1
            return sector
        }
    }

    private func drive(_ sector: Int) {
        // Each write waits until `offset - previous offset` after the previous write really
        // happened: a late wake-up can lengthen an interval (pulse, setup, hold) but never shorten it.
        // The thread wakes `wakeMargin` early and spins the rest, so it is not late either.
        // `previousWrite` is read after each write returns, so the interval counts from the
        // last line of a group (several code lines at one offset), not from the first.
        var previousWrite = MonotonicClock.nanoseconds()
        var previousOffset: UInt64 = 0
        for step in schedule.steps[sector] {
            if step.offsetNanoseconds > previousOffset {
                let deadline = previousWrite &+ (step.offsetNanoseconds - previousOffset)
                wakeMargin.observe(latenessNanoseconds:
                    MonotonicClock.sleep(until: deadline, spinningLast: wakeMargin.nanoseconds))
                previousOffset = step.offsetNanoseconds
            }
            let carryOn: Bool = lines.withLock { state in
                if state.halted { return false }
                do throws(GPIOError) {
                    try backend.set(line: step.index, active: step.active)
                    return true
                } catch {
                    state.failures += 1
                    state.lastError = error.description + " — all PTZ lines driven idle"
                    driveIdle()
                    return false
                }
            }
            if !carryOn { return }
            previousWrite = MonotonicClock.nanoseconds()
        }
        lines.withLock { $0.completed += 1 }
    }

    /// Every claimed line to logical inactive; errors ignored (best effort on shutdown/error paths).
    /// Call with `lines` held.
    private func driveIdle() {
        for index in 0..<lineCount { try? backend.set(line: index, active: false) }
    }
}

