// A GPIO backend that records every transition, for tests of the trigger logic.
import EarshotPlatform
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One recorded write to a line.
public struct GPIOTransition: Sendable, Equatable {
    /// Monotonic time of the write (ns, `CLOCK_MONOTONIC`).
    public var timeNanoseconds: UInt64
    /// Index of the line in the claimed list.
    public var index: Int
    /// The line as configured.
    public var line: GPIOLineRef
    /// Logical value written (true = active).
    public var active: Bool
    /// Physical level the pin would take (active-low applied), true = high.
    public var high: Bool
}

/// An in-memory chip: `claim` records each line's initial physical level, every
/// `set` appends a `GPIOTransition`. Optionally fails: a missing chip, a busy line,
/// or a `set` error after N writes, to exercise error paths.
public final class FakeGPIOBackend: GPIOBackend, @unchecked Sendable {
    // @unchecked Sendable: all mutable state sits in `state` behind a Mutex.
    private struct State {
        var lines: [GPIOLineConfig] = []
        var levels: [Bool] = []
        var transitions: [GPIOTransition] = []
        var claimed = false
        var releases = 0
        var setsBeforeFailure: Int?
    }
    private let state = Mutex(State())
    /// If set, `claim` throws this.
    public let claimError: GPIOError?

    /// Creates a fake; `claimError` makes `claim` fail, `failAfterSets` makes the
    /// (n+1)-th `set` throw an `.ioError` (once; later sets succeed).
    public init(claimError: GPIOError? = nil, failAfterSets: Int? = nil) {
        self.claimError = claimError
        state.withLock { $0.setsBeforeFailure = failAfterSets }
    }

    public func claim(chip: GPIOChipRef, lines: [GPIOLineConfig]) throws(GPIOError) {
        if let claimError { throw claimError }
        state.withLock {
            $0.lines = lines
            $0.levels = lines.map { $0.physical(active: false) }
            $0.claimed = true
        }
    }

    public func set(line index: Int, active: Bool) throws(GPIOError) {
        let now = MonotonicClock.nanoseconds()
        let failed: Bool = state.withLock {
            if let n = $0.setsBeforeFailure {
                $0.setsBeforeFailure = n == 0 ? nil : n - 1   // fail once, then work again
                if n == 0 { return true }
            }
            precondition($0.claimed, "FakeGPIOBackend.set before claim")
            let config = $0.lines[index]
            let high = config.physical(active: active)
            $0.levels[index] = high
            $0.transitions.append(GPIOTransition(timeNanoseconds: now, index: index, line: config.line,
                                                 active: active, high: high))
            return false
        }
        if failed { throw GPIOError(.ioError, errno: 5, "fake set failure on line index \(index)") }
    }

    public func release() {
        state.withLock {
            if $0.claimed { $0.releases += 1 }
            $0.claimed = false
        }
    }

    /// Every `set` so far, in order.
    public var transitions: [GPIOTransition] { state.withLock { $0.transitions } }
    /// Current physical level of each claimed line (true = high).
    public var physicalLevels: [Bool] { state.withLock { $0.levels } }
    /// Whether lines are currently claimed.
    public var isClaimed: Bool { state.withLock { $0.claimed } }
    /// How many times claimed lines were released.
    public var releaseCount: Int { state.withLock { $0.releases } }
    /// Forgets recorded transitions (levels are kept).
    public func clearTransitions() { state.withLock { $0.transitions.removeAll() } }
}
