// Wiring and timing of the PTZ preset trigger, usually from the board and site files.

/// How the camera's alarm inputs are wired to the box.
public enum PTZWiring: Sendable, Equatable {
    /// One line per sector: sector `s` pulses `lines[s]`.
    case linePerSector([GPIOLineConfig])
    /// A binary preset code on `codeLines` (least significant bit first) plus a
    /// `strobe` line: code lines are set, the strobe is pulsed, code lines return
    /// to idle. Sector `s` sends `codes[s]` (must fit in `codeLines.count` bits).
    case binaryCode(codeLines: [GPIOLineConfig], strobe: GPIOLineConfig, codes: [UInt32])
}

/// Everything `PTZTrigger` needs: chip, wiring and timing (all times in milliseconds).
public struct PTZTriggerConfig: Sendable, Equatable {
    /// The chip holding every line.
    public var chip: GPIOChipRef
    /// Lines and how sectors map onto them.
    public var wiring: PTZWiring
    /// Active time of a sector line or of the strobe (ms), ≥ 1.
    public var pulseMilliseconds: Int
    /// Minimum time between two accepted triggers of the same sector (ms), measured from pulse start.
    public var sectorCooldownMilliseconds: Int
    /// Minimum time between any two accepted triggers (ms), measured from pulse start.
    public var globalCooldownMilliseconds: Int
    /// Binary wiring: time the code is stable before the strobe rises (ms).
    public var codeSetupMilliseconds: Int
    /// Binary wiring: time the code is held after the strobe falls (ms).
    public var codeHoldMilliseconds: Int

    /// Creates a configuration; defaults: 100 ms pulse, 10 s per-sector and 2 s global cooldown, 5 ms setup/hold.
    public init(chip: GPIOChipRef, wiring: PTZWiring, pulseMilliseconds: Int = 100,
                sectorCooldownMilliseconds: Int = 10_000, globalCooldownMilliseconds: Int = 2_000,
                codeSetupMilliseconds: Int = 5, codeHoldMilliseconds: Int = 5) {
        self.chip = chip
        self.wiring = wiring
        self.pulseMilliseconds = pulseMilliseconds
        self.sectorCooldownMilliseconds = sectorCooldownMilliseconds
        self.globalCooldownMilliseconds = globalCooldownMilliseconds
        self.codeSetupMilliseconds = codeSetupMilliseconds
        self.codeHoldMilliseconds = codeHoldMilliseconds
    }

    /// Number of sectors (presets) this wiring can address.
    public var sectorCount: Int {
        switch wiring {
        case .linePerSector(let lines): lines.count
        case .binaryCode(_, _, let codes): codes.count
        }
    }

    /// Lines in claim order: sector lines; or code lines (LSB first) then the strobe.
    public var claimedLines: [GPIOLineConfig] {
        switch wiring {
        case .linePerSector(let lines): lines
        case .binaryCode(let code, let strobe, _): code + [strobe]
        }
    }

    /// Checks timing ranges, duplicate lines and code widths; the error names the field.
    public func validate() throws(GPIOError) {
        func bad(_ text: String) -> GPIOError { GPIOError(.invalidConfiguration, text) }
        if !(1...10_000).contains(pulseMilliseconds) { throw bad("gpio.pulse_ms \(pulseMilliseconds) must be 1…10000") }
        if sectorCooldownMilliseconds < 0 { throw bad("gpio.sector_cooldown_ms \(sectorCooldownMilliseconds) must be ≥ 0") }
        if globalCooldownMilliseconds < 0 { throw bad("gpio.cooldown_ms \(globalCooldownMilliseconds) must be ≥ 0") }
        if codeSetupMilliseconds < 0 || codeHoldMilliseconds < 0 { throw bad("gpio.code_setup_ms and code_hold_ms must be ≥ 0") }
        let lines = claimedLines.map(\.line)
        if lines.isEmpty { throw bad("gpio has no lines — list one line per sector, or code lines and a strobe") }
        if Set(lines).count != lines.count {
            let dup = lines.first { l in lines.filter { $0 == l }.count > 1 }!
            throw bad("gpio \(dup) is listed twice — each sector/code/strobe line must be distinct")
        }
        if case .binaryCode(let codeLines, _, let codes) = wiring {
            if codeLines.isEmpty || codeLines.count > 16 { throw bad("gpio.code_lines must hold 1…16 lines, got \(codeLines.count)") }
            if codes.isEmpty { throw bad("gpio.preset_codes is empty — give one preset code per sector") }
            let limit = UInt32(1) << UInt32(codeLines.count)
            for (sector, code) in codes.enumerated() where code >= limit {
                throw bad("gpio.preset_codes[\(sector)] = \(code) does not fit in \(codeLines.count) code lines (max \(limit - 1))")
            }
        }
    }
}
