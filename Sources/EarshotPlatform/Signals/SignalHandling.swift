// SIGTERM / SIGINT / SIGHUP → flags the agent loop polls, plus a file
// descriptor it can poll(2) on. The handler is async-signal-safe: it does an
// atomic OR on a lock-free word and a write(2) of one byte to a non-blocking
// self-pipe, saving and restoring errno.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// Signals received since the last `take()`.
public struct SignalFlags: Equatable, Sendable {
    /// SIGTERM: stop (systemd stop, `kill`).
    public var terminate: Bool
    /// SIGINT: stop (Ctrl-C).
    public var interrupt: Bool
    /// SIGHUP: reload the configuration.
    public var reload: Bool

    public init(terminate: Bool = false, interrupt: Bool = false, reload: Bool = false) {
        self.terminate = terminate
        self.interrupt = interrupt
        self.reload = reload
    }

    /// True when the agent should shut down (SIGTERM or SIGINT).
    public var shouldStop: Bool { terminate || interrupt }
    /// True when nothing was received.
    public var isEmpty: Bool { !terminate && !interrupt && !reload }
}

// Process-wide state the C handler reaches (a handler cannot capture context).
// Both are initialised in `SignalHandling.install()` before any handler is set,
// so the handler never triggers lazy global initialisation.
private let pendingSignals = Atomic<UInt64>(0)
private let wakeWriteFD = Atomic<Int32>(-1)

private func earshotSignalHandler(_ signo: Int32) {
    let saved = errno
    if signo > 0 && signo < 64 { pendingSignals.bitwiseOr(UInt64(1) << UInt64(signo), ordering: .sequentiallyConsistent) }
    let fd = wakeWriteFD.load(ordering: .sequentiallyConsistent)
    if fd >= 0 {
        var byte: UInt8 = UInt8(truncatingIfNeeded: signo)
        _ = write(fd, &byte, 1)  // EAGAIN when full is fine: the flags are the truth
    }
    errno = saved
}

/// Installs handlers for SIGTERM, SIGINT and SIGHUP (once per process) and
/// exposes what arrived. Use `SignalHandling.install()`; the instance is shared.
/// A small detached thread (parked in pause(2)) keeps the three signals
/// unblocked so they are delivered even when every other thread blocks them.
public final class SignalHandling: Sendable {
    /// Read end of the self-pipe: readable after a signal (for poll/epoll).
    /// `take()` drains it.
    public let wakeFileDescriptor: Int32

    private static let shared = Mutex<SignalHandling?>(nil)

    private init(readFD: Int32) { wakeFileDescriptor = readFD }

    /// Installs the handlers (first call) and returns the shared instance.
    /// SIGPIPE is set to ignored too (a closed socket must not kill the agent).
    public static func install() throws(SystemCallError) -> SignalHandling {
        let result: Result<SignalHandling, SystemCallError> = shared.withLock { current in
            if let current { return .success(current) }
            _ = pendingSignals.load(ordering: .sequentiallyConsistent)
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else {
                return .failure(SystemCallError(call: "pipe", subject: "signal self-pipe", errno: .current))
            }
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
            wakeWriteFD.store(fds[1], ordering: .sequentiallyConsistent)
            for sig in [SIGTERM, SIGINT, SIGHUP] {
                var action = sigaction()
                action.__sigaction_handler.sa_handler = earshotSignalHandler
                action.sa_flags = SA_RESTART
                sigemptyset(&action.sa_mask)
                guard sigaction(sig, &action, nil) == 0 else {
                    return .failure(SystemCallError(call: "sigaction(\(sig))", subject: "signal handler", errno: .current))
                }
            }
            signal(SIGPIPE, SIG_IGN)
            // A dedicated thread with the three signals unblocked: process-directed
            // signals are delivered to a thread that does not block them, and
            // Dispatch/Swift-concurrency worker threads block all signals (with
            // an async main, the main thread may have exited).
            do throws(Errno) {
                try PlatformThread.spawn(name: "earshot-signals") {
                    PlatformThread.unblockSignals([SIGTERM, SIGINT, SIGHUP])
                    while true { pause() }
                }
            } catch {
                return .failure(SystemCallError(call: "pthread_create", subject: "signal thread", errno: error))
            }
            let h = SignalHandling(readFD: fds[0])
            current = h
            return .success(h)
        }
        return try result.get()
    }

    /// What arrived since the last call; clears the flags and drains the pipe.
    public func take() -> SignalFlags {
        var buf = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        while withUnsafeMutableBytes(of: &buf, { read(wakeFileDescriptor, $0.baseAddress, $0.count) }) > 0 {}
        let bits = pendingSignals.exchange(0, ordering: .sequentiallyConsistent)
        let has = { (s: Int32) in bits & (UInt64(1) << UInt64(s)) != 0 }
        return SignalFlags(terminate: has(SIGTERM), interrupt: has(SIGINT), reload: has(SIGHUP))
    }

    /// What has arrived, without clearing it.
    public func peek() -> SignalFlags {
        let bits = pendingSignals.load(ordering: .sequentiallyConsistent)
        let has = { (s: Int32) in bits & (UInt64(1) << UInt64(s)) != 0 }
        return SignalFlags(terminate: has(SIGTERM), interrupt: has(SIGINT), reload: has(SIGHUP))
    }

    /// Waits up to `timeoutMs` (−1: forever) for a signal, then `take()`s.
    public func wait(timeoutMs: Int32) -> SignalFlags {
        if !peek().isEmpty { return take() }
        var p = pollfd(fd: wakeFileDescriptor, events: Int16(POLLIN), revents: 0)
        _ = poll(&p, 1, timeoutMs)
        return take()
    }
}
