import Testing
#if canImport(Glibc)
import Glibc
#endif
import EarshotPlatform

// One test function: the flags are process-wide, so the steps must not interleave.
// Signals are sent with kill(getpid(), …): process-directed, so the kernel
// delivers them to a thread that does not block them (raise() would target
// the current test thread, and Dispatch worker threads block signals).
@Suite("Signal handling", .serialized)
struct SignalHandlingTests {
    @Test func raisedSignalsBecomeFlags() throws {
        let h = try SignalHandling.install()
        #expect(try SignalHandling.install() === h)
        _ = h.take()

        #expect(kill(getpid(), SIGHUP) == 0)
        var pfd = pollfd(fd: h.wakeFileDescriptor, events: Int16(POLLIN), revents: 0)
        #expect(poll(&pfd, 1, 1_000) == 1)  // the self-pipe woke up
        #expect(h.peek() == SignalFlags(reload: true))
        #expect(h.take() == SignalFlags(reload: true))
        #expect(h.take().isEmpty)  // cleared

        #expect(kill(getpid(), SIGTERM) == 0)  // handled: the test process is still alive
        #expect(kill(getpid(), SIGINT) == 0)
        // The two signals reach the handler thread independently: a wait may
        // return after the first, so gather flags (bounded, 1 s in all).
        var f = SignalFlags()
        for _ in 0..<10 where !(f.terminate && f.interrupt) {
            let g = h.wait(timeoutMs: 100)
            f = SignalFlags(terminate: f.terminate || g.terminate, interrupt: f.interrupt || g.interrupt,
                            reload: f.reload || g.reload)
        }
        #expect(f.terminate && f.interrupt && !f.reload)
        #expect(f.shouldStop)

        // Nothing pending: wait times out empty, and the pipe was drained.
        #expect(h.wait(timeoutMs: 10).isEmpty)
        pfd.revents = 0
        #expect(poll(&pfd, 1, 0) == 0)
    }
}
