// EarshotPlatform's system calls on the real kernel: errno text, descriptors, atomic
// replacement (commit and abandon), threads (name, failure), clocks, the recursive lock.
import EarshotPlatform
import Glibc
import Synchronization
import Testing

@Suite struct PlatformTests {
    private func scratch() -> String {
        var template = Array("/tmp/earshot-platform-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    private func contents(_ path: String) -> String? {
        (try? FileAccess.read(path, maxBytes: 1 << 20)).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func errnoNamesTheSystemsReason() {
        #expect(Errno(rawValue: ENOENT).description == "No such file or directory")
        #expect(Errno.noSpace.description == "No space left on device")
        #expect(Errno(rawValue: 9999).description.contains("9999"))
        let e = SystemCallError(call: "pipe", subject: "signal self-pipe", errno: Errno(rawValue: EMFILE))
        #expect(e.description == "signal self-pipe: pipe failed: Too many open files (errno 24)")
    }

    @Test func openingAMissingFileThrowsENOENT() {
        #expect(throws: Errno.noSuchFile) { try FileDescriptor.open("/nonexistent-earshot/x", O_RDONLY) }
    }

    @Test func positionedWritesAndReadsRoundTrip() throws {
        let dir = scratch()
        defer { unlink(dir + "/f"); rmdir(dir) }
        let fd = try FileDescriptor.open(dir + "/f", O_RDWR | O_CREAT, mode: 0o600)
        defer { fd.closeAfterError() }
        let a = Array("hello, ".utf8), b = Array("world".utf8)
        try b.withUnsafeBytes { try fd.pwriteAll($0, at: 7) }
        try a.withUnsafeBytes { try fd.pwriteAll($0, at: 0) }
        try fd.dataSync()
        #expect(try fd.status().size == 12)
        var back = [UInt8](repeating: 0, count: 20)
        let n = try back.withUnsafeMutableBytes { try fd.preadAll(into: $0, at: 0) }
        #expect(n == 12)
        #expect(String(decoding: back[0..<n], as: UTF8.self) == "hello, world")
        try fd.truncate(to: 5)
        #expect(try fd.status().size == 5)
        #expect(try fd.status().permissions == 0o600)
    }

    @Test func atomicReplacementCommitsWholeOrNotAtAll() throws {
        let dir = scratch()
        let path = dir + "/cfg.toml"
        defer { unlink(path); unlink(path + ".tmp"); rmdir(dir) }
        try FileAccess.replace(path, with: Array("old\n".utf8))
        chmod(path, 0o640)
        // Abandoned: the old file stays, no temporary file is left.
        let dropped = try AtomicFileReplacement(replacing: path)
        try dropped.write(Array("half".utf8))
        dropped.abandon()
        #expect(contents(path) == "old\n")
        #expect(!FilePath.isRegularFile(path + ".tmp"))
        // Committed: the new content, the old permission bits, no temporary file.
        let kept = try AtomicFileReplacement(replacing: path)
        try kept.write(Array("new\n".utf8))
        try kept.commit()
        #expect(contents(path) == "new\n")
        #expect(FilePath.permissions(path) == 0o640)
        #expect(!FilePath.isRegularFile(path + ".tmp"))
        // A replacement in a missing directory fails at create, naming the temporary file.
        #expect(throws: FileAccessError(path: dir + "/none/x.tmp", step: .create, errno: .noSuchFile)) {
            try AtomicFileReplacement(replacing: dir + "/none/x")
        }
    }

    @Test func commitKeepingTheDescriptorOpenStillWritesThroughIt() throws {
        let dir = scratch()
        let path = dir + "/log"
        defer { unlink(path); rmdir(dir) }
        let r = try AtomicFileReplacement(replacing: path, mode: 0o600)
        try r.write(Array("abc".utf8))
        try r.commit(keepOpen: true)
        try Array("def".utf8).withUnsafeBytes { try r.descriptor.pwriteAll($0, at: 3) }
        try r.descriptor.close()
        #expect(contents(path) == "abcdef")
    }

    @Test func spawnedThreadRunsUnderItsName() {
        let seen = Mutex<String?>(nil)
        let done = Atomic<Bool>(false)
        PlatformThread.spawnOrDie(name: "earshot-test-name-too-long") {
            let fd = open("/proc/thread-self/comm", O_RDONLY)
            var buf = [UInt8](repeating: 0, count: 32)
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            close(fd)
            seen.withLock { $0 = String(decoding: buf[0..<max(n, 0)], as: UTF8.self) }
            done.store(true, ordering: .releasing)
        }
        let deadline = MonotonicClock.nanoseconds() + 5_000_000_000
        while !done.load(ordering: .acquiring) && MonotonicClock.nanoseconds() < deadline {
            MonotonicClock.sleep(nanoseconds: 1_000_000)
        }
        #expect(seen.withLock { $0 } == "earshot-test-na\n")   // Linux keeps 15 bytes
    }

    @Test func monotonicSleepWaitsAndUTCIsNow() {
        let t0 = MonotonicClock.nanoseconds()
        MonotonicClock.sleep(until: t0 + 20_000_000)
        let slept = MonotonicClock.nanoseconds() - t0
        #expect(slept >= 20_000_000)
        let late = MonotonicClock.sleep(until: MonotonicClock.nanoseconds() + 5_000_000, spinningLast: 1_000_000)
        #expect(late < 1_000_000_000)
        // 2026-01-01 < now < 2100-01-01
        #expect(UTCClock.seconds() > 1_767_225_600 && UTCClock.seconds() < 4_102_444_800)
        #expect(abs(UTCClock.nanoseconds() / 1_000_000_000 - Int64(time(nil))) <= 1)
    }

    @Test func recursiveLockCanBeReenteredAndExcludesOthers() {
        let lock = RecursiveLock()
        let counter = Mutex<Int>(0)
        let inner = lock.withLock { lock.withLock { 42 } }
        #expect(inner == 42)
        let finished = Atomic<Int>(0)
        for _ in 0..<4 {
            PlatformThread.spawnOrDie(name: "earshot-lock") {
                for _ in 0..<1000 { lock.withLock { counter.withLock { $0 += 1 } } }
                finished.add(1, ordering: .releasing)
            }
        }
        let deadline = MonotonicClock.nanoseconds() + 10_000_000_000
        while finished.load(ordering: .acquiring) < 4 && MonotonicClock.nanoseconds() < deadline {
            MonotonicClock.sleep(nanoseconds: 1_000_000)
        }
        #expect(counter.withLock { $0 } == 4000)
    }
}
