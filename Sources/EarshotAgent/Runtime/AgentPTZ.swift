// The PTZ trigger as the agent uses it: built from the board's [gpio] and
// [camera], over libgpiod or (tests) a recording in-memory chip.
import EarshotConfig
import EarshotGPIO
import EarshotMQTT
import Synchronization

/// A `PTZTrigger` over whichever backend the agent was given.
public final class AgentPTZ: Sendable {
    private let triggerSector: @Sendable (Int) -> PTZTriggerOutcome
    private let release: @Sendable () -> Void
    private let halt: @Sendable () -> Void
    private let readStatus: @Sendable () -> PTZTriggerStatus
    /// Sectors (camera presets) the wiring can address.
    public let sectorCount: Int
    /// Sector used when an event has no bearing: the first camera preset, else 0.
    public let defaultSector: Int
    /// The trigger configuration in use.
    public let config: PTZTriggerConfig
    /// Sector of the last accepted trigger, −1 before the first.
    private let lastAccepted = Atomic<Int>(-1)

    /// Claims the board's lines (idle level) on libgpiod, or on a `RecordingGPIOBackend`
    /// writing to `fakeLog` when given.
    /// - Throws: `AgentError(.gpio)` naming the chip/line, `.config` for bad wiring.
    public init(gpio: GPIOSettings, camera: CameraSettings?, fakeLog: String?) throws(AgentError) {
        let config = Self.triggerConfig(gpio)
        self.config = config
        sectorCount = config.sectorCount
        let first = camera?.presets.first?.number ?? 1
        defaultSector = max(0, min(first - 1, config.sectorCount - 1))
        do {
            if let fakeLog {
                let t = try PTZTrigger(config: config, backend: RecordingGPIOBackend(path: fakeLog))
                triggerSector = { t.trigger(sector: $0) }; release = { t.stop() }; halt = { t.releaseToIdle() }
                readStatus = { t.status }
            } else {
                let t = try PTZTrigger(config: config, backend: LibgpiodBackend())
                triggerSector = { t.trigger(sector: $0) }; release = { t.stop() }; halt = { t.releaseToIdle() }
                readStatus = { t.status }
            }
        } catch {
            throw AgentError(error.code == .invalidConfiguration ? .config : .gpio, "gpio: \(error.description)",
                             remedy: Self.remedy(error.code))
        }
    }

    /// What the technician does about a GPIO failure of `code` before SIGHUP or a restart.
    static func remedy(_ code: GPIOError.Code) -> String {
        switch code {
        case .lineBusy: "free the line (stop the program or driver holding it)"
        case .noSuchChip: "fix the board file's gpio.chip (`earshot gpio list` names the chips) or load the GPIO driver"
        case .noSuchLine: "fix the line numbers in the board file's gpio section"
        case .permissionDenied: "give the agent's user access to /dev/gpiochip* (group gpio)"
        case .invalidConfiguration: "fix the board file's gpio section"
        case .ioError: "check the GPIO wiring and driver"
        }
    }

    /// Requests the pulse sequence of `sector` (non-blocking, no allocation).
    public func trigger(sector: Int) -> PTZTriggerOutcome {
        let outcome = triggerSector(sector)
        if case .accepted = outcome { lastAccepted.store(sector, ordering: .relaxed) }
        return outcome
    }
    /// Sector (0-based) of the last accepted trigger; nil before the first.
    public var lastSector: Int? { let s = lastAccepted.load(ordering: .relaxed); return s < 0 ? nil : s }

    /// PTZ state for `status.ptz`.
    public var report: PTZReport {
        let s = status
        let wiring: String
        switch config.wiring {
        case .linePerSector: wiring = "line_per_sector"
        case .binaryCode: wiring = "binary_code"
        }
        return PTZReport(enabled: !s.halted, wiring: wiring, sectors: sectorCount, lastSector: lastSector,
                         cooldownMs: max(config.sectorCooldownMilliseconds, config.globalCooldownMilliseconds),
                         accepted: s.accepted, suppressed: s.suppressedBySector + s.suppressedByGlobal,
                         failures: s.failures, lastError: s.lastError.isEmpty ? nil : s.lastError)
    }
    /// Drives every line idle and refuses further triggers.
    public func releaseToIdle() { halt() }
    /// Idle, end the trigger thread, release the lines.
    public func stop() { release() }
    /// Trigger counters.
    public var status: PTZTriggerStatus { readStatus() }

    /// The trigger configuration for the board's `[gpio]`: one sector per line (or
    /// per preset code 1…2ⁿ−1), `cooldown_ms` as both the per-sector and the global cooldown.
    public static func triggerConfig(_ g: GPIOSettings) -> PTZTriggerConfig {
        func ref(_ r: EarshotConfig.GPIOLineRef) -> GPIOLineConfig {
            switch r {
            case .offset(let o): GPIOLineConfig(.offset(UInt32(clamping: o)), activeLow: g.activeLow)
            case .name(let n): GPIOLineConfig(.name(n), activeLow: g.activeLow)
            }
        }
        let wiring: PTZWiring
        switch g.wiring {
        case .lines(let lines): wiring = .linePerSector(lines.map(ref))
        case .binary(let code, let strobe):
            wiring = .binaryCode(codeLines: code.map(ref), strobe: ref(strobe),
                                 codes: (1...max(1, g.presetCount)).map { UInt32($0) })
        }
        return PTZTriggerConfig(chip: .lookup(g.chip), wiring: wiring, pulseMilliseconds: g.pulseMs,
                                sectorCooldownMilliseconds: g.cooldownMs, globalCooldownMilliseconds: g.cooldownMs)
    }
}
