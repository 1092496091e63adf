// Recovery of the PTZ lines after a crash: a SIGKILLed (or crashed) agent never drives
// its lines idle, and the kernel keeps the last value driven when the process dies, so a
// camera input can stay triggered. The agent drives every line of the board idle first
// thing at start (mode events+ptz), and `earshot gpio idle` (the unit's ExecStopPost) does
// the same after any stop.
import EarshotConfig
import EarshotGPIO

public enum GPIOIdle {
    /// Claims every PTZ line of `gpio` at its idle level, drives each inactive once more,
    /// and releases them (the kernel keeps the idle value). `fakeLog`: the recording chip
    /// instead of libgpiod. Returns a one-line summary.
    public static func drive(_ gpio: GPIOSettings, fakeLog: String?) throws(GPIOError) -> String {
        let configs = gpio.allLines.map { r -> GPIOLineConfig in
            switch r {
            case .offset(let o): GPIOLineConfig(.offset(UInt32(clamping: o)), activeLow: gpio.activeLow)
            case .name(let n): GPIOLineConfig(.name(n), activeLow: gpio.activeLow)
            }
        }
        let backend: any GPIOBackend
        if let fakeLog { backend = try RecordingGPIOBackend(path: fakeLog) } else { backend = LibgpiodBackend() }
        try backend.claim(chip: .lookup(gpio.chip), lines: configs)
        defer { backend.release() }
        for i in configs.indices { try backend.set(line: i, active: false) }
        let level = gpio.activeLow ? "high" : "low"
        return "\(configs.count) PTZ lines of \(gpio.chip) (\(gpio.allLines.map(\.description).joined(separator: ", "))) driven idle (\(level))"
    }
}
