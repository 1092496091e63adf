// `earshot gpio list | pulse | test`: wiring check of the board's PTZ lines,
// on libgpiod or (`--fake`) on an in-memory chip whose transitions are printed.
import EarshotAgent
import EarshotConfig
import EarshotGPIO
#if canImport(Glibc)
import Glibc
#endif

/// Exit statuses of `earshot gpio`.
public enum GPIOExit {
    public static let ok: Int32 = 0
    /// Board file unreadable or without `[gpio]`, or an unknown line (exit 2).
    public static let config: Int32 = 2
    /// No GPIO chip / the chip or line cannot be used (exit 5, as `earshot run`).
    public static let gpio: Int32 = 5
}

/// The board's PTZ lines and what drives them.
public struct GPIODiagnostics {
    /// The board file's name and `[gpio]` section.
    public let boardName: String
    public let gpio: GPIOSettings?
    /// `--fake`: drive a `FakeGPIOBackend` and print its transitions.
    public let fake: Bool

    public init(board: BoardConfig, fake: Bool) {
        boardName = board.name
        gpio = board.gpio
        self.fake = fake
    }

    private func noGPIO() -> DiagnosticOutput {
        DiagnosticOutput(lines: ["board \(boardName) has no [gpio] section: no PTZ lines to check. Pass --board with a board "
                                 + "that has PTZ wiring, e.g. --board Boards/rpi4-respeaker-4mic.toml"], exitCode: GPIOExit.config)
    }

    private func noChip(_ chips: [GPIOChipInfo]) -> DiagnosticOutput? {
        guard !fake, chips.isEmpty else { return nil }
        return DiagnosticOutput(lines: ["no GPIO chip found (/dev/gpiochip* absent or not readable): this machine has no GPIO lines "
                                        + "the PTZ trigger can drive. On the sensor box check that the user is in the \"gpio\" group; "
                                        + "elsewhere use --fake to rehearse the wiring."], exitCode: GPIOExit.gpio)
    }

    /// Chips present and the configured lines.
    public func list(chips: [GPIOChipInfo]) -> DiagnosticOutput {
        var lines = ["GPIO chips (libgpiod \(gpiodLibraryVersion())):"]
        if chips.isEmpty { lines.append("  (none found)") }
        for c in chips { lines.append("  \(c.description)") }
        guard let g = gpio else {
            lines.append("board \(boardName): no [gpio] section (no PTZ lines)")
            return DiagnosticOutput(lines: lines, exitCode: chips.isEmpty ? GPIOExit.gpio : GPIOExit.ok)
        }
        lines.append("board \(boardName): chip \(g.chip), \(g.activeLow ? "active low" : "active high"), pulse \(g.pulseMs) ms, cooldown \(g.cooldownMs) ms")
        switch g.wiring {
        case .lines(let ls):
            // Sectors are 0-based everywhere (event payload, status, log, cmd/ptz); the camera's preset is sector + 1.
            for (i, l) in ls.enumerated() { lines.append("  sector \(i) (preset \(i + 1)): line \(l)") }
        case .binary(let code, let strobe):
            for (i, l) in code.enumerated() { lines.append("  code bit \(i): line \(l)") }
            lines.append("  strobe: line \(strobe)")
        }
        if chips.isEmpty && !fake {
            lines.append("no GPIO chip found on this machine: the lines above cannot be driven here")
            return DiagnosticOutput(lines: lines, exitCode: GPIOExit.gpio)
        }
        return DiagnosticOutput(lines: lines)
    }

    /// Pulses one configured line (`line`: its offset or name as in the board file) for `ms`.
    public func pulse(line: String, ms: Int?, chips: [GPIOChipInfo]) -> DiagnosticOutput {
        guard let g = gpio else { return noGPIO() }
        guard let index = g.allLines.firstIndex(where: { Self.matches($0, line) }) else {
            return DiagnosticOutput(lines: ["line \(line) is not one of board \(boardName)'s PTZ lines ("
                                            + g.allLines.map(\.description).joined(separator: ", ") + ")"], exitCode: GPIOExit.config)
        }
        if let e = noChip(chips) { return e }
        return drive(g, steps: [index], ms: ms ?? g.pulseMs)
    }

    /// Pulses every configured line in turn (sector order; code lines then strobe).
    public func test(ms: Int?, chips: [GPIOChipInfo]) -> DiagnosticOutput {
        guard let g = gpio else { return noGPIO() }
        if let e = noChip(chips) { return e }
        return drive(g, steps: Array(g.allLines.indices), ms: ms ?? g.pulseMs)
    }

    /// `earshot gpio idle`: drives every PTZ line idle and releases them (the unit's
    /// ExecStopPost, after any stop: a SIGKILL or crash leaves lines as last driven).
    /// No `[gpio]`: nothing to do (exit 0). With `fakeLog` (`$EARSHOT_FAKE_GPIO_LOG`, as
    /// `earshot run`) the recording chip is driven.
    public func idle(chips: [GPIOChipInfo], fakeLog: String? = nil) -> DiagnosticOutput {
        let fakeLog = fakeLog ?? AgentEnvironment.value("EARSHOT_FAKE_GPIO_LOG")
        guard let g = gpio else {
            return DiagnosticOutput(lines: ["board \(boardName) has no [gpio] section: no PTZ lines to drive idle"])
        }
        if fake {
            return drive(g, steps: [], ms: 0, idleOnly: true)
        }
        if fakeLog == nil, let e = noChip(chips) { return e }
        do {
            return DiagnosticOutput(lines: [try GPIOIdle.drive(g, fakeLog: fakeLog)])
        } catch {
            return DiagnosticOutput(lines: ["cannot drive the PTZ lines idle on \(g.chip): \(error.description)"], exitCode: GPIOExit.gpio)
        }
    }

    static func matches(_ ref: EarshotConfig.GPIOLineRef, _ text: String) -> Bool {
        switch ref {
        case .offset(let o): return Int(text) == o
        case .name(let n): return n == text || n.lowercased() == text.lowercased()
        }
    }

    private func drive(_ g: GPIOSettings, steps: [Int], ms: Int, idleOnly: Bool = false) -> DiagnosticOutput {
        let configs = AgentPTZ.triggerConfig(g)
        let lineConfigs = g.allLines.map { r -> GPIOLineConfig in
            switch r {
            case .offset(let o): GPIOLineConfig(.offset(UInt32(clamping: o)), activeLow: g.activeLow)
            case .name(let n): GPIOLineConfig(.name(n), activeLow: g.activeLow)
            }
        }
        let fakeBackend = fake ? FakeGPIOBackend() : nil
        let backend: any GPIOBackend = fakeBackend ?? LibgpiodBackend()
        var lines: [String] = []
        do {
            try backend.claim(chip: configs.chip, lines: lineConfigs)
        } catch {
            return DiagnosticOutput(lines: ["cannot claim the PTZ lines on \(g.chip): \(error.description)"], exitCode: GPIOExit.gpio)
        }
        defer { backend.release() }
        if idleOnly {
            for i in g.allLines.indices {
                do { try backend.set(line: i, active: false) } catch {
                    return DiagnosticOutput(lines: lines + ["line \(g.allLines[i].description): \(error.description)"], exitCode: GPIOExit.gpio)
                }
            }
            lines.append("\(g.allLines.count) PTZ lines of \(g.chip) driven idle (\(g.activeLow ? "high" : "low"))")
            for t in fakeBackend?.transitions ?? [] {
                lines.append("  fake chip: line \(g.allLines[t.index].description) → \(t.active ? "active" : "inactive") (\(t.high ? "high" : "low"))")
            }
            return DiagnosticOutput(lines: lines)
        }
        for i in steps {
            let name = g.allLines[i].description
            do {
                try backend.set(line: i, active: true)
                usleep(UInt32(max(1, ms)) * 1000)
                try backend.set(line: i, active: false)
                lines.append("pulsed line \(name) for \(ms) ms")
            } catch {
                try? backend.set(line: i, active: false)
                return DiagnosticOutput(lines: lines + ["line \(name): \(error.description)"], exitCode: GPIOExit.gpio)
            }
            if let f = fakeBackend {
                for t in f.transitions {
                    lines.append("  fake chip: line \(g.allLines[t.index].description) → \(t.active ? "active" : "inactive") (\(t.high ? "high" : "low"))")
                }
                f.clearTransitions()
            }
        }
        return DiagnosticOutput(lines: lines)
    }
}

extension GPIODiagnostics {
    /// GPIO chips on this machine (libgpiod).
    public static func chipsOnThisMachine() -> [GPIOChipInfo] { gpioAvailableChips() }
}
