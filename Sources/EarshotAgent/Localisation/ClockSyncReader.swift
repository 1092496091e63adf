// Which source says whether the clock is synchronised, and how far it can be trusted.
//
// The kernel's NTP state (adjtimex, modes = 0) is the first choice: chrony, timesyncd,
// ntpd and phc2sys all keep it. Under the shipped systemd unit it cannot be read:
// ProtectClock=yes (and SystemCallFilter=~@privileged, which contains @clock) refuse
// adjtimex and clock_adjtime with EPERM whatever their arguments, read-only queries
// included (systemd.exec(5); systemd issue #26413; measured in make hil). Then the
// agent reads systemd-timesyncd's flag file, which timesyncd touches on every
// successful synchronisation (systemd ≥ 239; /run is cleared at boot).
#if canImport(Glibc)
import Glibc
#endif
import EarshotPlatform
import EarshotText

/// Decides the clock's synchronisation state from the kernel and, when the kernel
/// cannot be asked, from systemd-timesyncd's flag file.
///
/// 1. adjtimex answers: synchronised when `maxerror` < 16 s, the rule of systemd-timedated
///    (`timedatectl`'s "System clock synchronized", systemd PR #13245). `STA_UNSYNC` is not
///    used: chrony leaves it set unless `rtcsync` is configured, and the kernel sets it by
///    itself once maxerror reaches 16 s. `error_us` is `esterror` (nil when 0: timesyncd
///    writes none).
/// 2. adjtimex refused (EPERM, ENOSYS, …): `<root>/run/systemd/timesync/synchronized`
///    exists → synchronised while it was touched less than `flagLimitSeconds` ago, with
///    `maxerror` = 500 µs × seconds since then; the directory without the flag →
///    timesyncd has not synchronised yet.
/// 3. Otherwise not synchronised, source `none`.
///
/// chrony is not read when adjtimex is refused: it has no state file, its command
/// socket (`/run/chrony/chronyd.sock`) is reserved to root and _chrony, its UDP command
/// port speaks a binary protocol tied to chrony's version, and `chronyc -c tracking` would
/// be a process per query. chrony keeps the kernel's state, so a box with chrony (or ntpd,
/// PTP) installs the drop-in `Deploy/clock-read.conf`, which lets the read-only adjtimex
/// through (case 1); writes still fail without CAP_SYS_TIME.
public struct ClockSyncReader: Sendable {
    /// maxerror from which a clock counts as unsynchronised (the kernel's NTP_PHASE_LIMIT), µs.
    public static let unsynchronisedMaxErrorMicroseconds: Int64 = 16_000_000
    /// The kernel adds 500 µs of maxerror per second without an update (MAXFREQ, 500 ppm).
    public static let maxErrorGrowthMicrosecondsPerSecond: Int64 = 500
    /// A flag older than this counts as a lost synchronisation: the age at which the
    /// kernel's own maxerror would reach 16 s (16 s / 500 ppm). timesyncd touches it at
    /// least every PollIntervalMaxSec (2048 s by default) while it stays synchronised.
    public static let flagLimitSeconds: Int64 = 32_000

    /// timesyncd's runtime directory and flag file.
    public let timesyncdDirectory: String
    public let timesyncdFlag: String
    /// adjtimex (replaced in tests).
    public let kernel: @Sendable () -> KernelClockReading
    /// CLOCK_REALTIME now, ns (replaced in tests).
    public let now: @Sendable () -> Int64

    /// `root` prefixes the flag's path ("/" on a box, a temporary directory in tests).
    public init(root: String = "/",
                kernel: @escaping @Sendable () -> KernelClockReading = { KernelClock.read() },
                now: @escaping @Sendable () -> Int64 = { AgentClock.realtimeNanoseconds() }) {
        let base = root.hasSuffix("/") ? String(root.dropLast()) : root
        timesyncdDirectory = base + "/run/systemd/timesync"
        timesyncdFlag = timesyncdDirectory + "/synchronized"
        self.kernel = kernel
        self.now = now
    }

    /// The running system's reader.
    public static let system = ClockSyncReader()

    /// The state now; allocation-free.
    public func read() -> ClockSyncState {
        let k = kernel()
        if k.state >= 0 {
            let synced = k.maxErrorMicroseconds < Self.unsynchronisedMaxErrorMicroseconds
            return ClockSyncState(synchronised: synced,
                                  estimatedErrorMicroseconds: synced && k.estimatedErrorMicroseconds > 0 ? k.estimatedErrorMicroseconds : nil,
                                  maxErrorMicroseconds: k.maxErrorMicroseconds, source: .adjtimex)
        }
        let refused = k.errno != 0 ? k.errno : EPERM
        if let touched = KernelClock.modificationTimeNanoseconds(timesyncdFlag) {
            let age = max(0, (now() &- touched) / 1_000_000_000)
            let synced = age < Self.flagLimitSeconds
            return ClockSyncState(synchronised: synced, estimatedErrorMicroseconds: nil,
                                  maxErrorMicroseconds: synced ? age * Self.maxErrorGrowthMicrosecondsPerSecond : nil,
                                  source: .timesyncd, kernelErrno: refused, sinceSyncSeconds: age)
        }
        if KernelClock.isDirectory(timesyncdDirectory) {
            return ClockSyncState(synchronised: false, source: .timesyncd, kernelErrno: refused)
        }
        return ClockSyncState(synchronised: false, source: .none, kernelErrno: refused)
    }
}
