// The clock-synchronisation state the agent reports beside each onset (decided by
// ClockSyncReader), in the payloads' form and in the status detail's words.
import EarshotText
#if canImport(Glibc)
import Glibc
#endif
import EarshotMQTT

/// The clock's synchronisation state as the agent reports it (`clock` in event and
/// status payloads, `clock=` in the status detail).
public struct ClockSyncState: Equatable, Sendable {
    /// True when a time daemon is disciplining the clock (see `ClockSyncReader`).
    public var synchronised: Bool
    /// Estimated clock error, µs (nil = unknown: not synchronised, no estimate given, or
    /// read from timesyncd's flag, which carries none).
    public var estimatedErrorMicroseconds: Int64?
    /// Bound on the error, µs: adjtimex's `maxerror`; from the flag, the 500 µs per second
    /// since the last synchronisation that the kernel itself would add.
    public var maxErrorMicroseconds: Int64?
    /// What said so.
    public var source: ClockSyncSource
    /// errno of the refused adjtimex (EPERM under the shipped unit), 0 when it answered.
    public var kernelErrno: Int32
    /// Seconds since timesyncd last touched its flag (source `timesyncd`).
    public var sinceSyncSeconds: Int64?

    public init(synchronised: Bool, estimatedErrorMicroseconds: Int64? = nil, maxErrorMicroseconds: Int64? = nil,
                source: ClockSyncSource, kernelErrno: Int32 = 0, sinceSyncSeconds: Int64? = nil) {
        self.synchronised = synchronised
        self.estimatedErrorMicroseconds = estimatedErrorMicroseconds
        self.maxErrorMicroseconds = maxErrorMicroseconds
        self.source = source
        self.kernelErrno = kernelErrno
        self.sinceSyncSeconds = sinceSyncSeconds
    }

    /// Reads the state now from the system (`ClockSyncReader.system`).
    public static func current() -> ClockSyncState { ClockSyncReader.system.read() }

    /// The payload form.
    public var clockSync: ClockSync {
        ClockSync(synchronised: synchronised, estimatedErrorMicroseconds: estimatedErrorMicroseconds, source: source)
    }

    /// `clock=<source>[ adjtimex=EPERM][ synced_s_ago=N][ error_us=N][ maxerror_us=N]`, for
    /// the status detail (no allocation).
    public func appendDetail(to text: inout StatusText) {
        text.append("clock=")
        switch source {
        case .adjtimex: text.append("adjtimex")
        case .timesyncd: text.append("timesyncd")
        case .none: text.append("none")
        }
        text.append(synchronised ? " synced" : " unsynced")
        if kernelErrno != 0 {
            text.append(" adjtimex=")
            switch kernelErrno {
            case EPERM: text.append("EPERM")
            case ENOSYS: text.append("ENOSYS")
            case EACCES: text.append("EACCES")
            case EINVAL: text.append("EINVAL")
            default: text.append("errno "); text.append(Int(kernelErrno))
            }
        }
        if let s = sinceSyncSeconds { text.append(" synced_s_ago="); text.append(s) }
        if let e = estimatedErrorMicroseconds { text.append(" error_us="); text.append(e) }
        if let m = maxErrorMicroseconds { text.append(" maxerror_us="); text.append(m) }
    }
}
