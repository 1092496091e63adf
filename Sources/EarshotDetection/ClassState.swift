// Per-entry state of the detector (stub; filled in by the state machines).
import EarshotDSP

/// Per-entry resolved configuration (bins, durations in hops).
public struct EntryPlan: Sendable {
    public init() {}
}

/// Per-entry running state.
public struct ClassState: Sendable {
    public init() {}
}

extension DetectionEngine {
    @usableFromInline mutating func configure() {}
    @usableFromInline mutating func step(_ frame: borrowing FeatureFrame, emit: (Event) -> Void) {}
    @usableFromInline mutating func close(atSample: Int64, emit: (Event) -> Void) {}
}
