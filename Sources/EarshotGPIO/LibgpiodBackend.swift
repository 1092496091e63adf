// The only file that drives GPIO lines through libgpiod: open a chip, find and request lines,
// set values. It calls CGPIOD's earshot_gpiod_* shim (Sources/CGPIOD/shim.h), which is
// compiled for libgpiod v1 or v2 (whichever pkg-config resolves), so this file serves both.
import EarshotPlatform
import CGPIOD
#if canImport(Glibc)
import Glibc
#endif

/// The libgpiod version this binary runs against (e.g. "1.6.3" or "2.2.1").
public func gpiodLibraryVersion() -> String { String(cString: earshot_gpiod_version()) }

/// The libgpiod API this binary was compiled for: 1 (Debian bookworm) or 2 (trixie, current Raspberry Pi OS).
public func gpiodAPIVersion() -> Int { Int(earshot_gpiod_api()) }
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
    guard let iter = earshot_gpiod_chip_iter_new() else { return [] }
    defer { earshot_gpiod_chip_iter_free(iter) }
    var chips: [GPIOChipInfo] = []
    while let chip = earshot_gpiod_chip_iter_next(iter) {
        chips.append(GPIOChipInfo(name: String(cString: earshot_gpiod_chip_name(chip)), label: String(cString: earshot_gpiod_chip_label(chip)),
                                  lineCount: Int(earshot_gpiod_chip_num_lines(chip))))
    }
    return chips
}

/// Output lines on a real chip through libgpiod (`/dev/gpiochipN` character device), all
/// requested together with consumer "earshot" and active-low where configured, so the
/// kernel applies the polarity.
public final class LibgpiodBackend: GPIOBackend, @unchecked Sendable {
    // @unchecked Sendable: PTZTrigger serialises all calls under its lock.
    /// Consumer name shown by `gpioinfo` for lines Earshot holds.
    public static let consumer = "earshot"
    private var chip: UnsafeMutablePointer<earshot_gpiod_chip>?
    private var chipName = ""
    private var request: UnsafeMutablePointer<earshot_gpiod_request>?
    private var lineCount = 0

    /// Creates an unclaimed backend.
    public init() {}

    deinit { release() }

    public func claim(chip ref: GPIOChipRef, lines configs: [GPIOLineConfig]) throws(GPIOError) {
        release()
        let opened: UnsafeMutablePointer<earshot_gpiod_chip>?
        switch ref {
        case .path(let p): opened = earshot_gpiod_chip_open(p)
        case .name(let n): opened = earshot_gpiod_chip_open_by_name(n)
        case .label(let l): opened = earshot_gpiod_chip_open_by_label(l)
        case .lookup(let s): opened = earshot_gpiod_chip_open_lookup(s)
        }
        guard let chip = opened else { throw Self.openError(ref, errno: errno) }
        self.chip = chip
        chipName = String(cString: earshot_gpiod_chip_name(chip))
        do throws(GPIOError) {
            let offsets = try configs.map { config throws(GPIOError) in try find(config.line, on: chip) }
            if configs.isEmpty { return }
            let activeLow = configs.map(\.activeLow)
            let idle = [Int32](repeating: 0, count: configs.count)
            var failed = 0
            guard let request = earshot_gpiod_request_output(chip, Self.consumer, offsets, activeLow, idle, configs.count, &failed) else {
                let e = errno
                throw failed < configs.count ? requestError(configs[failed].line, offset: offsets[failed], errno: e)
                                             : requestError(configs.map(\.line), offsets: offsets, errno: e)
            }
            self.request = request
            lineCount = configs.count
        } catch {
            release()
            throw error
        }
    }

    public func set(line index: Int, active: Bool) throws(GPIOError) {
        guard let request, index >= 0, index < lineCount else {
            throw GPIOError(.ioError, errno: 0, "line index \(index) was not claimed on \(chipName)")
        }
        if earshot_gpiod_request_set(request, index, active ? 1 : 0) != 0 {
            let e = errno
            throw GPIOError(.ioError, errno: e, "cannot set line \(earshot_gpiod_request_offset(request, index)) on \(chipName): "
                            + "\(Errno(rawValue: e).description) (libgpiod \(gpiodLibraryVersion()) set value) — check the chip with 'gpioinfo \(chipName)'")
        }
    }

    public func release() {
        if let request { earshot_gpiod_request_release(request) }
        request = nil
        lineCount = 0
        if let chip { earshot_gpiod_chip_close(chip) }
        chip = nil
    }

    // MARK: Errors

    private func find(_ ref: GPIOLineRef, on chip: UnsafeMutablePointer<earshot_gpiod_chip>) throws(GPIOError) -> UInt32 {
        let count = earshot_gpiod_chip_num_lines(chip)
        switch ref {
        case .offset(let offset):
            guard offset < count else {
                throw GPIOError(.noSuchLine, errno: EINVAL, "line \(offset) does not exist on \(chipName) "
                                + "(it has \(count) lines, 0…\(Int(count) - 1)) — fix the board file's gpio lines")
            }
            return offset
        case .name(let name):
            let offset = earshot_gpiod_chip_find_line(chip, name)
            guard offset >= 0 else {
                throw GPIOError(.noSuchLine, errno: errno, "no line named \"\(name)\" on \(chipName) "
                                + "— list line names with 'gpioinfo \(chipName)' and fix the board file's gpio lines")
            }
            return UInt32(offset)
        }
    }

    private func requestError(_ ref: GPIOLineRef, offset: UInt32, errno e: Int32) -> GPIOError {
        let what = ref == .offset(offset) ? "line \(offset)" : "\(ref) (line \(offset))"
        if e == EBUSY, let chip {
            var user = [CChar](repeating: 0, count: 64)
            _ = earshot_gpiod_line_consumer(chip, offset, &user, user.count)
            let name = String(decoding: user.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let holder = name.isEmpty ? "another consumer" : "'\(name)'"
            return GPIOError(.lineBusy, errno: e, "\(what) on \(chipName) is used by \(holder) — stop that program "
                             + "(see 'gpioinfo \(chipName)') or choose another line in the board file's gpio section")
        }
        return requestError(what: what, errno: e)
    }

    /// When libgpiod 2 does not say which line of the request failed.
    private func requestError(_ refs: [GPIOLineRef], offsets: [UInt32], errno e: Int32) -> GPIOError {
        let what = "lines " + zip(refs, offsets).map { ref, offset in ref == .offset(offset) ? "\(offset)" : "\(ref) (\(offset))" }
            .joined(separator: ", ")
        if e == EBUSY {
            return GPIOError(.lineBusy, errno: e, "one of \(what) on \(chipName) is used by another consumer — stop that program "
                             + "(see 'gpioinfo \(chipName)') or choose other lines in the board file's gpio section")
        }
        return requestError(what: what, errno: e)
    }

    private func requestError(what: String, errno e: Int32) -> GPIOError {
        if e == EACCES || e == EPERM {
            return GPIOError(.permissionDenied, errno: e, "no permission to request \(what) on \(chipName) — "
                             + "the agent's user needs read/write access to /dev/\(chipName)")
        }
        return GPIOError(.ioError, errno: e, "cannot request \(what) on \(chipName) as output: \(Errno(rawValue: e).description) "
                         + "(libgpiod \(gpiodLibraryVersion()) line request)")
    }

    private static func openError(_ ref: GPIOChipRef, errno e: Int32) -> GPIOError {
        if e == EACCES || e == EPERM {
            return GPIOError(.permissionDenied, errno: e, "no permission to open \(ref) — the agent's user needs "
                             + "read/write access to /dev/gpiochip* (group 'gpio' or the unit's DeviceAllow)")
        }
        let chips = gpioAvailableChips()
        let available = chips.isEmpty ? "this machine has no GPIO chips" : "available: " + chips.map(\.description).joined(separator: ", ")
        return GPIOError(.noSuchChip, errno: e, "no GPIO \(ref) (\(Errno(rawValue: e).description)); \(available) "
                         + "— fix the board file's gpio.chip")
    }
}
