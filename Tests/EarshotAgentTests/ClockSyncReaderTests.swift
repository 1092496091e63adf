// ClockSyncReader's decision (kernel first, timesyncd's flag when adjtimex is refused)
// on fake kernels and a fake /run under a temporary directory; the real adjtimex and
// struct timex layout through CTimex.
import EarshotText
import EarshotPlatform
import Foundation
import Testing
@testable import EarshotAgent
import EarshotMQTT

@Suite("Clock synchronisation state: adjtimex, then timesyncd's flag")
struct ClockSyncReaderTests {
    static let now: Int64 = 1_796_000_000 * 1_000_000_000

    /// A temporary root; `flagAgeSeconds` creates run/systemd/timesync/synchronized with
    /// that mtime, `directory` only the directory.
    static func root(flagAgeSeconds: Int64? = nil, directory: Bool = false) throws -> String {
        let r = FileManager.default.temporaryDirectory.appendingPathComponent("clocksync-\(UUID().uuidString)").path
        let dir = r + "/run/systemd/timesync"
        if directory || flagAgeSeconds != nil { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        if let age = flagAgeSeconds {
            let flag = dir + "/synchronized"
            #expect(FileManager.default.createFile(atPath: flag, contents: nil))
            let t = Double(now / 1_000_000_000 - age)
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: t)], ofItemAtPath: flag)
        }
        return r
    }

    static func reader(_ root: String, _ k: KernelClockReading) -> ClockSyncReader {
        ClockSyncReader(root: root, kernel: { k }, now: { now })
    }

    static func detail(_ s: ClockSyncState) -> String {
        var t = StatusText()
        s.appendDetail(to: &t)
        return t.description
    }

    @Test("adjtimex answers: synchronised by maxerror < 16 s, esterror as the error; the flag is not consulted")
    func kernelSynchronised() throws {
        let r = try Self.root(flagAgeSeconds: 50_000)   // a stale flag must not matter
        let s = Self.reader(r, KernelClockReading(state: 0, maxErrorMicroseconds: 12_000, estimatedErrorMicroseconds: 250)).read()
        #expect(s == ClockSyncState(synchronised: true, estimatedErrorMicroseconds: 250, maxErrorMicroseconds: 12_000, source: .adjtimex))
        #expect(s.clockSync == ClockSync(synchronised: true, estimatedErrorMicroseconds: 250, source: .adjtimex))
        #expect(Self.detail(s) == "clock=adjtimex synced error_us=250 maxerror_us=12000")
    }

    @Test("adjtimex answers: chrony without rtcsync leaves STA_UNSYNC set and TIME_ERROR; maxerror decides, as in timedatectl")
    func chronyWithoutRTCSync() {
        let s = Self.reader("/nonexistent", KernelClockReading(state: 5, maxErrorMicroseconds: 40_000,
                                                             estimatedErrorMicroseconds: 900, status: 0x0040 | 0x0001)).read()
        #expect(s.synchronised && s.source == .adjtimex && s.estimatedErrorMicroseconds == 900)
    }

    @Test("adjtimex answers: maxerror at the kernel's 16 s limit (boot, or a daemon gone 9 h) is unsynchronised")
    func kernelUnsynchronised() {
        let s = Self.reader("/nonexistent", KernelClockReading(state: 5, maxErrorMicroseconds: 16_000_000,
                                                             estimatedErrorMicroseconds: 16_000_000, status: 0x0040)).read()
        #expect(s == ClockSyncState(synchronised: false, maxErrorMicroseconds: 16_000_000, source: .adjtimex))
        #expect(s.clockSync.estimatedErrorMicroseconds == nil)
    }

    @Test("adjtimex answers with esterror 0 (timesyncd writes none): error unknown, not 0 µs")
    func zeroEstimate() {
        let s = Self.reader("/nonexistent", KernelClockReading(state: 0, maxErrorMicroseconds: 3_000)).read()
        #expect(s.synchronised && s.estimatedErrorMicroseconds == nil && s.maxErrorMicroseconds == 3_000)
    }

    @Test("EPERM (the shipped unit) and a flag touched 10 s ago: synchronised by timesyncd, bound 500 µs/s, error unknown")
    func flagFresh() throws {
        let r = try Self.root(flagAgeSeconds: 10)
        let s = Self.reader(r, .failed(EPERM)).read()
        #expect(s == ClockSyncState(synchronised: true, estimatedErrorMicroseconds: nil, maxErrorMicroseconds: 5_000,
                                    source: .timesyncd, kernelErrno: EPERM, sinceSyncSeconds: 10))
        #expect(s.clockSync == ClockSync(synchronised: true, estimatedErrorMicroseconds: nil, source: .timesyncd))
        #expect(Self.detail(s) == "clock=timesyncd synced adjtimex=EPERM synced_s_ago=10 maxerror_us=5000")
    }

    @Test("EPERM and a flag older than 32000 s: synchronisation lost")
    func flagStale() throws {
        let r = try Self.root(flagAgeSeconds: ClockSyncReader.flagLimitSeconds)
        let s = Self.reader(r, .failed(EPERM)).read()
        #expect(!s.synchronised && s.source == .timesyncd && s.sinceSyncSeconds == 32_000 && s.maxErrorMicroseconds == nil)
        let younger = Self.reader(try Self.root(flagAgeSeconds: ClockSyncReader.flagLimitSeconds - 1), .failed(EPERM)).read()
        #expect(younger.synchronised && younger.maxErrorMicroseconds == 15_999_500)
    }

    @Test("a flag in the future (clock stepped back) counts as just touched")
    func flagFuture() throws {
        let s = Self.reader(try Self.root(flagAgeSeconds: -30), .failed(EPERM)).read()
        #expect(s.synchronised && s.sinceSyncSeconds == 0 && s.maxErrorMicroseconds == 0)
    }

    @Test("ENOSYS, timesyncd's directory without the flag: not synchronised yet, source timesyncd")
    func directoryOnly() throws {
        let s = Self.reader(try Self.root(directory: true), .failed(ENOSYS)).read()
        #expect(s == ClockSyncState(synchronised: false, source: .timesyncd, kernelErrno: ENOSYS))
        #expect(Self.detail(s) == "clock=timesyncd unsynced adjtimex=ENOSYS")
    }

    @Test("refused and no timesyncd: source none")
    func nothing() throws {
        let s = Self.reader(try Self.root(), .failed(EPERM)).read()
        #expect(s == ClockSyncState(synchronised: false, source: .none, kernelErrno: EPERM))
        #expect(s.clockSync == ClockSync(synchronised: false, estimatedErrorMicroseconds: nil, source: ClockSyncSource.none))
        #expect(Self.detail(s) == "clock=none unsynced adjtimex=EPERM")
    }

    @Test("the real adjtimex through CTimex: the target's struct timex, a consistent answer or an errno")
    func realKernel() {
        #if _pointerBitWidth(_64)
        #expect(KernelClock.timexSize == 208)
        #endif
        let k = KernelClock.read()
        if k.state >= 0 {
            #expect(k.errno == 0 && (0...5).contains(k.state))
            #expect(k.maxErrorMicroseconds >= 0 && k.estimatedErrorMicroseconds >= 0)
            #expect(ClockSyncReader.system.read().source == .adjtimex)
        } else {
            #expect(k.errno != 0)
            #expect(ClockSyncReader.system.read().kernelErrno == k.errno)
        }
    }
}
