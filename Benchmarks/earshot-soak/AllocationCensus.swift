// Counts heap allocations (malloc interposer, LD_PRELOAD) by thread and by who called the
// allocator: libmosquitto itself, or anything else (Swift code, the Swift runtime, Foundation).
//
// For each counted allocation the hook unwinds the stack (`backtrace`, warmed up before
// counting) and walks outwards past allocator plumbing (libc, the dynamic loader, the
// interposer, OpenSSL which libmosquitto calls); the first frame left decides: inside
// libmosquitto → "mosquitto", else "other". Thread: the soak driver (excluded from the
// agent's figures), the agent's named threads (earshot-analyze / -dispatch / -feed), the
// status thread (earshot-status: the soak's stand-in for `earshot run`'s main thread, which
// publishes the retained status and STATUS=), and the rest (MQTT network and outbox writer
// threads, Foundation).
import Glibc
import MallocInterposerSwift
import Synchronization

/// glibc functions Swift's Glibc module does not import (execinfo.h, _GNU_SOURCE), by dlsym.
enum GlibcExtras {
    typealias Backtrace = @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>, Int32) -> Int32
    typealias BacktraceSymbolsFD = @convention(c) (UnsafePointer<UnsafeMutableRawPointer?>, Int32, Int32) -> Void
    typealias GetName = @convention(c) (pthread_t, UnsafeMutablePointer<CChar>, Int) -> Int32
    static func symbol<T>(_ name: String, as type: T.Type) -> T {
        guard let p = dlsym(nil, name) else { fatalError("earshot-soak: glibc has no \(name)") }
        return unsafeBitCast(p, to: type)
    }
    nonisolated(unsafe) static let backtrace = symbol("backtrace", as: Backtrace.self)
    nonisolated(unsafe) static let backtraceSymbolsFD = symbol("backtrace_symbols_fd", as: BacktraceSymbolsFD.self)
    nonisolated(unsafe) static let getName = symbol("pthread_getname_np", as: GetName.self)
}

enum AllocationCensus {
    /// Thread classes, in print order.
    static let threadNames = ["earshot-analyze", "earshot-dispatch", "earshot-feed", "earshot-status", "other-threads", "soak-driver"]
    static let statusClass = 3
    static let otherClass = 4
    static let driverClass = 5
    /// Thread classes of the agent (every class but the driver).
    static let agentClasses = 0..<driverClass

    /// counts[thread * 2 + (mosquitto ? 1 : 0)]
    nonisolated(unsafe) static let counts = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: 12)
    nonisolated(unsafe) static var ranges = UnsafeMutablePointer<(UInt, UInt, UInt8)>.allocate(capacity: 256)
    nonisolated(unsafe) static var rangeCount = 0
    nonisolated(unsafe) static var guardKey = pthread_key_t()
    nonisolated(unsafe) static var driverThread = pthread_t()
    /// First N non-mosquitto allocations of agent threads get their stack printed (SOAK_TRACE_ALLOCS).
    static let traceBudget = Atomic<Int>(0)
    /// False: count by thread only, without unwinding (every allocation counts as "other").
    nonisolated(unsafe) static var unwind = true
    /// Allocations are unwound from the agent's start but counted only once this is set (end of
    /// the warm-up): the unwinder reads the .eh_frame pages of every library on a new stack
    /// the first time, and those file-backed pages used to show up as RSS growth after the
    /// warm-up (the whole 1264 KiB "growth" of the 24 h run before this change).
    static let recording = Atomic<Bool>(false)

    /// Region kinds from /proc/self/maps: 0 plumbing, 1 libmosquitto.
    static func loadRanges() {
        guard let f = fopen("/proc/self/maps", "r") else { return }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 1024)
        while fgets(&line, 1024, f) != nil {
            let s = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard s.contains(" r-xp ") || s.contains(" r-x") else { continue }
            let kind: UInt8
            if s.contains("libmosquitto") { kind = 1 }
            else if s.contains("/libc.so") || s.contains("/ld-linux") || s.contains("MallocInterposer")
                        || s.contains("libssl") || s.contains("libcrypto") || s.contains("libgcc_s") { kind = 0 }
            else { continue }
            let addr = s.prefix { $0 != " " }.split(separator: "-")
            guard addr.count == 2, let lo = UInt(addr[0], radix: 16), let hi = UInt(addr[1], radix: 16), rangeCount < 256 else { continue }
            ranges[rangeCount] = (lo, hi, kind)
            rangeCount += 1
        }
    }

    static func kind(of address: UInt) -> Int {
        for i in 0..<rangeCount where address >= ranges[i].0 && address < ranges[i].1 { return Int(ranges[i].2) }
        return 2
    }

    /// Prepares everything the hook reads; call on the driver thread before `MallocInterposerSwift.hook()`.
    static func prepare(traceAllocations: Int, unwind: Bool = true) {
        Self.unwind = unwind
        for i in 0..<12 { (counts + i).initialize(to: Atomic(0)) }
        loadRanges()
        pthread_key_create(&guardKey, nil)
        driverThread = pthread_self()
        traceBudget.store(traceAllocations, ordering: .relaxed)
        // Warm up the unwinder (its first call loads libgcc_s and allocates).
        var frames = [UnsafeMutableRawPointer?](repeating: nil, count: 32)
        _ = GlibcExtras.backtrace(&frames, 32)
        _ = GlibcExtras.backtraceSymbolsFD
        _ = GlibcExtras.getName
    }

    static func count(thread: Int, mosquitto: Bool) -> Int { counts[thread * 2 + (mosquitto ? 1 : 0)].load(ordering: .relaxed) }

    /// Allocations by the agent's threads (not the soak driver) not made by libmosquitto.
    static var agentNonMosquitto: Int { agentClasses.reduce(0) { $0 + count(thread: $1, mosquitto: false) } }
    static var agentMosquitto: Int { agentClasses.reduce(0) { $0 + count(thread: $1, mosquitto: true) } }

    /// Counts allocations made while checking that the interposer is loaded.
    static let probeCount = Atomic<Int>(0)
    static let probeHook: @convention(c) (Int) -> Void = { _ in AllocationCensus.probeCount.add(1, ordering: .relaxed) }

    /// True when the malloc interposer is loaded (LD_PRELOAD): one probe allocation
    /// made with the probe hook installed is seen. Leaves no hook installed.
    static func interposerActive() -> Bool {
        MallocInterposerSwift.initialize()
        MallocInterposerSwift.setAllocationHook(probeHook)
        MallocInterposerSwift.hook()
        let probe = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 16)
        MallocInterposerSwift.unhook()
        probe.deallocate()
        MallocInterposerSwift.setAllocationHook(nil)
        return probeCount.load(ordering: .relaxed) >= 1
    }

    static let hook: @convention(c) (Int) -> Void = { _ in
        if pthread_getspecific(AllocationCensus.guardKey) != nil { return }
        _ = pthread_setspecific(AllocationCensus.guardKey, UnsafeRawPointer(bitPattern: 1))
        defer { _ = pthread_setspecific(AllocationCensus.guardKey, nil) }
        AllocationCensus.record()
    }

    static func record() {
        var thread: Int
        if pthread_equal(pthread_self(), driverThread) != 0 {
            thread = driverClass
        } else {
            var name: (UInt64, UInt64) = (0, 0)
            thread = otherClass
            withUnsafeMutableBytes(of: &name) { raw in
                let p = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
                if GlibcExtras.getName(pthread_self(), p, 16) == 0 {
                    // "earshot-analyze", "earshot-dispatch", "earshot-feed", "earshot-status" (15 chars max in comm)
                    if strncmp(p, "earshot-analyz", 14) == 0 { thread = 0 }
                    else if strncmp(p, "earshot-dispat", 14) == 0 { thread = 1 }
                    else if strncmp(p, "earshot-feed", 12) == 0 { thread = 2 }
                    else if strncmp(p, "earshot-status", 14) == 0 { thread = statusClass }
                }
            }
        }
        var mosquitto = false
        let recording = recording.load(ordering: .relaxed)
        if !unwind { if recording { counts[thread * 2].add(1, ordering: .relaxed) }; return }
        withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: 40) { frames in
            let n = Int(GlibcExtras.backtrace(frames.baseAddress!, 40))
            // Innermost frames: this hook, then the interposer (plumbing); the first frame
            // outside the plumbing after that is the allocator's caller.
            var seenPlumbing = false
            for i in 0..<n {
                guard let a = frames[i] else { continue }
                let k = kind(of: UInt(bitPattern: a))
                if k == 0 { seenPlumbing = true; continue }
                if !seenPlumbing { continue }
                mosquitto = k == 1
                break
            }
            if recording && !mosquitto && thread != driverClass && traceBudget.load(ordering: .relaxed) > 0 {
                if traceBudget.subtract(1, ordering: .relaxed).oldValue > 0 {
                    var msg = "soak: allocation on \(threadNames[thread]):\n"
                    msg.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
                    GlibcExtras.backtraceSymbolsFD(frames.baseAddress!, Int32(n), 2)
                }
            }
        }
        if recording { counts[thread * 2 + (mosquitto ? 1 : 0)].add(1, ordering: .relaxed) }
    }
}
