// The one caller of adjtimex(2) (through CTimex, whose C code has the target's own
// `struct timex` layout, 32-bit ARM included) and of stat(2) on the sync flag files.
#if canImport(Glibc)
import Glibc
#endif
import CTimex

/// The kernel's answer to a read-only `adjtimex` (modes = 0).
public struct KernelClockReading: Sendable, Equatable {
    /// adjtimex's return value (TIME_OK = 0 … TIME_ERROR = 5), or -1 when the call failed.
    public var state: Int32
    /// errno of a failed call (EPERM: refused by a seccomp filter such as `ProtectClock=yes`;
    /// ENOSYS: no such call), 0 otherwise.
    public var errno: Int32
    /// `timex.maxerror`, µs: the kernel grows it by 500 µs each second after the last
    /// update and calls the clock unsynchronised from 16 s on.
    public var maxErrorMicroseconds: Int64
    /// `timex.esterror`, µs (0: the daemon did not set one; timesyncd does not).
    public var estimatedErrorMicroseconds: Int64
    /// `timex.status` (STA_UNSYNC = 0x40).
    public var status: Int32

    public init(state: Int32, errno: Int32 = 0, maxErrorMicroseconds: Int64 = 0,
                estimatedErrorMicroseconds: Int64 = 0, status: Int32 = 0) {
        self.state = state
        self.errno = errno
        self.maxErrorMicroseconds = maxErrorMicroseconds
        self.estimatedErrorMicroseconds = estimatedErrorMicroseconds
        self.status = status
    }

    /// A call that failed with `errno`.
    public static func failed(_ errno: Int32) -> KernelClockReading { KernelClockReading(state: -1, errno: errno) }
}

/// System calls behind `ClockSyncReader`; allocation-free.
public enum KernelClock {
    /// adjtimex with modes = 0 now.
    public static func read() -> KernelClockReading {
        #if os(Linux)
        let r = earshot_timex_read()
        return KernelClockReading(state: r.state, errno: r.error, maxErrorMicroseconds: r.maxerror_us,
                                  estimatedErrorMicroseconds: r.esterror_us, status: r.status)
        #else
        return .failed(ENOSYS)
        #endif
    }

    /// `sizeof(struct timex)` for this target (208 on 64-bit Linux, 128 on 32-bit ARM glibc
    /// with a 32-bit time_t).
    public static var timexSize: Int { Int(earshot_timex_size()) }

    /// Modification time of `path`, ns since 1970 (CLOCK_REALTIME), or nil when it does not
    /// exist or cannot be read. A native Swift string is passed without copying.
    public static func modificationTimeNanoseconds(_ path: String) -> Int64? {
        var st = stat()
        let rc = path.withCString { stat($0, &st) }
        guard rc == 0 else { return nil }
        return Int64(st.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(st.st_mtim.tv_nsec)
    }

    /// True when `path` exists and is a directory.
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        let rc = path.withCString { stat($0, &st) }
        return rc == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }
}
