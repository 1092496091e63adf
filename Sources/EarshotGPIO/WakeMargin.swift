// How early the trigger thread must wake so a pulse ends on time on this box.

/// The margin (ns) by which the PTZ trigger thread wakes before a deadline and then
/// spins on `CLOCK_MONOTONIC`, learned from how late its own wake-ups are.
///
/// A pulse width is only as exact as the wake-up that ends it. On an idle board a
/// `SCHED_FIFO` thread wakes ~0.1 ms late and the margin settles at the 2 ms floor
/// (2 ms of spinning per line write). On a loaded host, or a virtual machine whose vCPUs
/// share two cores, wake-ups come 10–20 ms late; the margin grows at once to twice the
/// worst lateness seen and decays by 1/8 of the excess per observation (one per timed
/// line write), so one late wake-up protects the next pulses and a run of punctual
/// wake-ups brings the spin back down.
public struct WakeMargin: Sendable, Equatable {
    /// Smallest margin (ns): 2 ms.
    public static let floorNanoseconds: UInt64 = 2_000_000
    /// Largest margin (ns): 50 ms; later wake-ups cannot be hidden by spinning anyway.
    public static let ceilingNanoseconds: UInt64 = 50_000_000
    /// The margin before any observation (ns): 20 ms, enough for a loaded VM's first pulse.
    public static let initialNanoseconds: UInt64 = 20_000_000

    /// The current margin (ns).
    public private(set) var nanoseconds: UInt64 = WakeMargin.initialNanoseconds

    public init() {}

    /// Records how late (ns) a coarse wake-up came after the time it asked for.
    public mutating func observe(latenessNanoseconds lateness: UInt64) {
        let doubled = lateness > UInt64.max / 2 ? UInt64.max : lateness * 2
        let wanted = min(max(doubled, Self.floorNanoseconds), Self.ceilingNanoseconds)
        if wanted >= nanoseconds {
            nanoseconds = wanted
        } else {
            nanoseconds -= (nanoseconds - wanted) / 8
        }
    }
}
