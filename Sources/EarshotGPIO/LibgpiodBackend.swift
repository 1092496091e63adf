// The only file that calls libgpiod (v1 API): open a chip, find and request lines, set values.
import CGPIOD
#if canImport(Glibc)
import Glibc
#endif

/// The libgpiod version this binary runs against (e.g. "1.6.3").
public func gpiodLibraryVersion() -> String { String(cString: gpiod_version_string()) }

/// One chip as `gpiodetect` shows it.
public struct GPIOChipInfo: Sendable, Equatable, CustomStringConvertible {
    /// Kernel name, e.g. `gpiochip0`.
    public var name: String
    /// Label, e.g. `pinctrl-bcm2711`.
    public var label: String
    /// Number of lines.
    public var lineCount: Int
    /// `gpiochip0 [pinctrl-bcm2711] (58 lines)`.
    public var description: String { "\(name) [\(label)] (\(lineCount) lines)" }
}

/// Lists the GPIO chips this process can open (for `earshot gpio` and error messages).
public func gpioAvailableChips() -> [GPIOChipInfo] {
    guard let iter = gpiod_chip_iter_new() else { return [] }
    defer { gpiod_chip_iter_free(iter) }
    var chips: [GPIOChipInfo] = []
    while let chip = gpiod_chip_iter_next(iter) {
        chips.append(GPIOChipInfo(name: String(cString: gpiod_chip_name(chip)), label: String(cString: gpiod_chip_label(chip)),
                                  lineCount: Int(gpiod_chip_num_lines(chip))))
    }
    return chips
}

/// Output lines on a real chip through libgpiod v1 (`/dev/gpiochipN` character device).
/// Lines are requested with consumer "earshot" and `GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW`
/// where configured, so the kernel applies the polarity.
public final class LibgpiodBackend: GPIOBackend, @unchecked Sendable {
    // @unchecked Sendable: PTZTrigger serialises all calls under its lock.
    /// Consumer name shown by `gpioinfo` for lines Earshot holds.
    public static let consumer = "earshot"
    private var chip: OpaquePointer?
    private var chipName = ""
    private var lines: [OpaquePointer] = []

    /// Creates an unclaimed backend.
    public init() {}

    deinit { release() }

    public func claim(chip ref: GPIOChipRef, lines configs: [GPIOLineConfig]) throws(GPIOError) {
        release()
        let opened: OpaquePointer?
        switch ref {
        case .path(let p): opened = gpiod_chip_open(p)
        case .name(let n): opened = gpiod_chip_open_by_name(n)
        case .label(let l): opened = gpiod_chip_open_by_label(l)
        case .lookup(let s): opened = gpiod_chip_open_lookup(s)
        }
        guard let chip = opened else { throw Self.openError(ref, errno: errno) }
        self.chip = chip
        chipName = String(cString: gpiod_chip_name(chip))
        do throws(GPIOError) {
            for config in configs {
                let line = try find(config.line, on: chip)
                let flags = Int32(config.activeLow ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0)
                if gpiod_line_request_output_flags(line, Self.consumer, flags, 0) != 0 {
                    throw requestError(config.line, line: line, errno: errno)
                }
                lines.append(line)
            }
        } catch {
            release()
            throw error
        }
    }

    public func set(line index: Int, active: Bool) throws(GPIOError) {
        guard index < lines.count else {
            throw GPIOError(.ioError, errno: 0, "line index \(index) was not claimed on \(chipName)")
        }
        if gpiod_line_set_value(lines[index], active ? 1 : 0) != 0 {
            let e = errno
            throw GPIOError(.ioError, errno: e, "cannot set line \(gpiod_line_offset(lines[index])) on \(chipName): "
                            + "\(String(cString: strerror(e))) (gpiod_line_set_value) — check the chip with 'gpioinfo \(chipName)'")
        }
    }

    public func release() {
        for line in lines { gpiod_line_release(line) }
        lines.removeAll()
        if let chip { gpiod_chip_close(chip) }
        chip = nil
    }

    // MARK: Errors

    private func find(_ ref: GPIOLineRef, on chip: OpaquePointer) throws(GPIOError) -> OpaquePointer {
        let count = gpiod_chip_num_lines(chip)
        switch ref {
        case .offset(let offset):
            guard offset < count, let line = gpiod_chip_get_line(chip, offset) else {
                throw GPIOError(.noSuchLine, errno: errno, "line \(offset) does not exist on \(chipName) "
                                + "(it has \(count) lines, 0…\(Int(count) - 1)) — fix the board file's gpio lines")
            }
            return line
        case .name(let name):
            guard let line = gpiod_chip_find_line(chip, name) else {
                throw GPIOError(.noSuchLine, errno: errno, "no line named \"\(name)\" on \(chipName) "
                                + "— list line names with 'gpioinfo \(chipName)' and fix the board file's gpio lines")
            }
            return line
        }
    }

    private func requestError(_ ref: GPIOLineRef, line: OpaquePointer, errno e: Int32) -> GPIOError {
        let offset = gpiod_line_offset(line)
        let what = ref == .offset(offset) ? "line \(offset)" : "\(ref) (line \(offset))"
        if e == EBUSY {
            _ = gpiod_line_update(line)
            let user = gpiod_line_consumer(line).map { String(cString: $0) } ?? ""
            let holder = user.isEmpty ? "another consumer" : "'\(user)'"
            return GPIOError(.lineBusy, errno: e, "\(what) on \(chipName) is used by \(holder) — stop that program "
                             + "(see 'gpioinfo \(chipName)') or choose another line in the board file's gpio section")
        }
        if e == EACCES || e == EPERM {
            return GPIOError(.permissionDenied, errno: e, "no permission to request \(what) on \(chipName) — "
                             + "the agent's user needs read/write access to /dev/\(chipName)")
        }
        return GPIOError(.ioError, errno: e, "cannot request \(what) on \(chipName) as output: \(String(cString: strerror(e))) "
                         + "(gpiod_line_request_output_flags)")
    }

    private static func openError(_ ref: GPIOChipRef, errno e: Int32) -> GPIOError {
        if e == EACCES || e == EPERM {
            return GPIOError(.permissionDenied, errno: e, "no permission to open \(ref) — the agent's user needs "
                             + "read/write access to /dev/gpiochip* (group 'gpio' or the unit's DeviceAllow)")
        }
        let chips = gpioAvailableChips()
        let available = chips.isEmpty ? "this machine has no GPIO chips" : "available: " + chips.map(\.description).joined(separator: ", ")
        return GPIOError(.noSuchChip, errno: e, "no GPIO \(ref) (\(String(cString: strerror(e)))); \(available) "
                         + "— fix the board file's gpio.chip")
    }
}
