// The status path at the simulated cadence. `earshot run` asks from its main thread every
// 250 ms whether a status is due (a change, or 30 s on the status clock) and then publishes
// the retained MQTT status and sd_notify STATUS=. The soak runs far faster than real time,
// so the agent's status clock is the simulated audio time (main.swift: hops × 10 ms) and
// this thread asks the same question every 1 ms of wall time (≈ 0.1 s of audio). It is
// named earshot-status: AllocationCensus counts its allocations inside allocs_steady.
import EarshotAgent
import Glibc
import Synchronization

/// A thread standing in for `earshot run`'s main loop, as far as status goes.
final class StatusTicker: @unchecked Sendable {
    // @unchecked Sendable: immutable references to thread-safe objects, and atomics.
    let agent: Agent
    let pipeline: AgentPipeline
    private let stopRequested = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)

    init(agent: Agent, pipeline: AgentPipeline) {
        self.agent = agent
        self.pipeline = pipeline
    }

    /// Starts the thread (allocates once, here).
    func start() { spawnNamedThread("earshot-status") { self.run() } }

    /// Asks the thread to end and waits for it (at most 2 s).
    func stop() {
        stopRequested.store(true, ordering: .relaxed)
        for _ in 0..<2_000 where !finished.load(ordering: .acquiring) { usleep(1_000) }
    }

    private func run() {
        // Until the end of the simulated day (the end of input has status changes of its own).
        while !stopRequested.load(ordering: .relaxed) && !pipeline.input.isFinished && !pipeline.analysis.reachedEndOfInput {
            agent.publishStatus()
            usleep(1_000)
        }
        finished.store(true, ordering: .releasing)
    }
}

private final class ThreadBody: @unchecked Sendable {
    let name: StaticString
    let body: @Sendable () -> Void
    init(_ name: StaticString, _ body: @escaping @Sendable () -> Void) { self.name = name; self.body = body }
}

/// Runs `body` on a new detached pthread named `name` (≤ 15 bytes; the census reads it).
func spawnNamedThread(_ name: StaticString, _ body: @escaping @Sendable () -> Void) {
    let context = Unmanaged.passRetained(ThreadBody(name, body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { context in
        let b = Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue()
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        if fd >= 0 {
            _ = write(fd, b.name.utf8Start, b.name.utf8CodeUnitCount)
            close(fd)
        }
        b.body()
        return nil
    }, context)
    precondition(rc == 0, "earshot-soak: pthread_create failed: \(rc)")
    pthread_detach(thread)
}
