// Detached pthreads for the agent's long-running loops.
import EarshotAudio
#if canImport(Glibc)
import Glibc
#endif

/// Starts and paces the agent's own threads (feeder, analysis, dispatcher).
public enum AgentThread {
    /// Runs `body` on a new detached pthread; `name` identifies it in errors.
    public static func spawn(name: String, _ body: @escaping @Sendable () -> Void) {
        let box = Body(name: name, body)
        let context = Unmanaged.passRetained(box).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { context in
            let b = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
            nameCurrentThread(b.name)
            b.run()
            return nil
        }, context)
        precondition(rc == 0, "pthread_create failed (\(rc)) for \(name)")
        pthread_detach(thread)
    }

    /// Sleeps until `CLOCK_MONOTONIC` reaches `ns`.
    public static func sleep(untilMonotonic ns: Int64) {
        var ts = timespec(tv_sec: Int(ns / 1_000_000_000), tv_nsec: Int(ns % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }

    private final class Body: @unchecked Sendable {
        let name: String
        let run: @Sendable () -> Void
        init(name: String, _ run: @escaping @Sendable () -> Void) { self.name = name; self.run = run }
    }
}
