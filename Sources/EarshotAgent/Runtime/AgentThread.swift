// Detached pthreads for the agent's long-running loops.
import EarshotPlatform

/// Starts and paces the agent's own threads (feeder, analysis, dispatcher).
public enum AgentThread {
    /// Runs `body` on a new detached pthread; `name` identifies it in errors.
    public static func spawn(name: String, _ body: @escaping @Sendable () -> Void) {
        PlatformThread.spawnOrDie(name: name, body)
    }

    /// Sleeps until `CLOCK_MONOTONIC` reaches `ns`.
    public static func sleep(untilMonotonic ns: Int64) {
        MonotonicClock.sleep(until: UInt64(max(ns, 0)))
    }
}
