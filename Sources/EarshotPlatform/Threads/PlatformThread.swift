// The process's own threads: every long-running loop (capture, analysis, dispatch,
// MQTT network, PTZ trigger, signal wait, central service) starts here.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Detached POSIX threads with a name (`top -H`, `/proc/PID/task/*/comm`, the soak's
/// per-thread census) and the few per-thread settings the agent uses.
public enum PlatformThread {
    /// Runs `body` on a new detached thread named `name` (the first 15 bytes are kept).
    /// - Throws: the `Errno` of `pthread_create` (e.g. `EAGAIN` at the thread limit).
    public static func spawn(name: String, _ body: @escaping @Sendable () -> Void) throws(Errno) {
        let context = Unmanaged.passRetained(Body(name: name, body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { context in
            let b = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
            PlatformThread.nameCurrent(b.name)
            b.run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw Errno(rawValue: rc)
        }
        pthread_detach(thread)
    }

    /// As `spawn(name:_:)`, for threads the process cannot run without (capture,
    /// analysis, PTZ): stops the process with a message naming the thread if it fails.
    public static func spawnOrDie(name: String, _ body: @escaping @Sendable () -> Void) {
        do { try spawn(name: name, body) } catch {
            fatalError("cannot start thread \(name): pthread_create: \(error)")
        }
    }

    /// Names the calling thread: writes `/proc/thread-self/comm` (15 bytes kept;
    /// `pthread_setname_np` is not in Swift's Glibc module). Best effort.
    public static func nameCurrent(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        var bytes = Array(name.utf8.prefix(15))
        _ = write(fd, &bytes, bytes.count)
        close(fd)
    }

    /// Asks for `SCHED_FIFO` at `priority` (1–99) for the calling thread.
    /// - Returns: nil when granted, else the `Errno` (`EPERM` without CAP_SYS_NICE or
    ///   an `RLIMIT_RTPRIO` allowance): the thread then keeps its normal priority.
    public static func requestRealtimePriority(_ priority: Int32) -> Errno? {
        var param = sched_param()
        param.sched_priority = priority
        let rc = pthread_setschedparam(pthread_self(), Int32(SCHED_FIFO), &param)
        return rc == 0 ? nil : Errno(rawValue: rc)
    }

    /// Blocks `signals` on the calling thread (threads started afterwards inherit the mask).
    public static func blockSignals(_ signals: [Int32]) {
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Unblocks `signals` on the calling thread.
    public static func unblockSignals(_ signals: [Int32]) {
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// The closure a thread runs, carried through `pthread_create`'s context pointer.
    private final class Body: @unchecked Sendable {
        // @unchecked Sendable: both fields are immutable and `run` is @Sendable.
        let name: String
        let run: @Sendable () -> Void
        init(name: String, _ run: @escaping @Sendable () -> Void) { self.name = name; self.run = run }
    }
}
