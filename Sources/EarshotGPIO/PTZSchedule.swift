// The timed line writes that make one trigger, computed at configuration time.

/// One write of a trigger sequence: at `offsetNanoseconds` after the trigger
/// starts, drive claimed line `index` to logical `active`.
public struct PTZStep: Sendable, Equatable {
    /// Time after the start of the sequence (ns).
    public var offsetNanoseconds: UInt64
    /// Index into `PTZTriggerConfig.claimedLines`.
    public var index: Int
    /// Logical value (true = asserted).
    public var active: Bool
}

/// Precomputed step lists, one per sector, so triggering allocates nothing.
public struct PTZSchedule: Sendable, Equatable {
    /// `steps[sector]` in time order.
    public let steps: [[PTZStep]]

    /// Builds the sequences:
    /// - line per sector: line `s` active at 0, inactive at pulse;
    /// - binary code: each code line whose bit is 1 active at 0; strobe active at
    ///   setup, inactive at setup + pulse; those code lines inactive at setup + pulse + hold.
    public init(_ config: PTZTriggerConfig) {
        let ms: UInt64 = 1_000_000
        let pulse = UInt64(config.pulseMilliseconds) * ms
        switch config.wiring {
        case .linePerSector(let lines):
            steps = lines.indices.map { [PTZStep(offsetNanoseconds: 0, index: $0, active: true),
                                         PTZStep(offsetNanoseconds: pulse, index: $0, active: false)] }
        case .binaryCode(let codeLines, _, let codes):
            let setup = UInt64(config.codeSetupMilliseconds) * ms
            let hold = UInt64(config.codeHoldMilliseconds) * ms
            let strobe = codeLines.count
            steps = codes.map { code in
                let ones = codeLines.indices.filter { code & (UInt32(1) << UInt32($0)) != 0 }
                return ones.map { PTZStep(offsetNanoseconds: 0, index: $0, active: true) }
                    + [PTZStep(offsetNanoseconds: setup, index: strobe, active: true),
                       PTZStep(offsetNanoseconds: setup + pulse, index: strobe, active: false)]
                    + ones.map { PTZStep(offsetNanoseconds: setup + pulse + hold, index: $0, active: false) }
            }
        }
    }
}
