// How the board file names a chip and its lines.

/// A GPIO chip, as the board file names it.
public enum GPIOChipRef: Sendable, Equatable, CustomStringConvertible {
    /// A character-device path, e.g. `/dev/gpiochip0`.
    case path(String)
    /// A kernel chip name, e.g. `gpiochip0`.
    case name(String)
    /// A chip label, e.g. `pinctrl-bcm2711` or a gpio-sim bank label.
    case label(String)
    /// Any of the above or a number, resolved as libgpiod v1's `gpiod_chip_open_lookup` (CGPIOD's shim does the same on v2).
    case lookup(String)

    /// The text as written in the board file.
    public var text: String {
        switch self {
        case .path(let s), .name(let s), .label(let s), .lookup(let s): s
        }
    }

    /// E.g. `chip path "/dev/gpiochip9"`, `chip label "pinctrl-bcm2711"`.
    public var description: String {
        switch self {
        case .path(let s): "chip path \"\(s)\""
        case .name(let s): "chip name \"\(s)\""
        case .label(let s): "chip label \"\(s)\""
        case .lookup(let s): "chip \"\(s)\""
        }
    }
}

/// A line on a chip: by offset or by the name the device tree / gpio-sim gives it.
public enum GPIOLineRef: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Hardware offset on the chip (0-based).
    case offset(UInt32)
    /// Line name (`gpioinfo` shows it), e.g. `"GPIO17"`.
    case name(String)

    /// `line 17` or `line "GPIO17"`.
    public var description: String {
        switch self {
        case .offset(let o): "line \(o)"
        case .name(let n): "line \"\(n)\""
        }
    }
}

/// One output line and its polarity. Its idle level is logical *inactive*:
/// physical low, or physical high when `activeLow`.
public struct GPIOLineConfig: Sendable, Equatable {
    /// Which line.
    public var line: GPIOLineRef
    /// True when the line is asserted by driving it low (open-collector inputs, opto-couplers).
    public var activeLow: Bool

    /// Creates a line configuration.
    public init(_ line: GPIOLineRef, activeLow: Bool = false) {
        self.line = line
        self.activeLow = activeLow
    }

    /// Physical level for a logical value: `active != activeLow`.
    public func physical(active: Bool) -> Bool { active != activeLow }
}
