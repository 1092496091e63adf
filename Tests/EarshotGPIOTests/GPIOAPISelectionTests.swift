import Testing
@testable import EarshotGPIO
#if canImport(Glibc)
import Glibc
#endif

/// CGPIOD's shim picks the libgpiod API from the gpiod.h that pkg-config's Cflags name
/// (Sources/CGPIOD/shim.h): the selection must agree with `pkg-config --modversion
/// libgpiod` in the environment the package was built in (e.g. PKG_CONFIG_PATH at a
/// libgpiod 2 prefix, README "libgpiod 2").
@Suite("libgpiod API selection")
struct GPIOAPISelectionTests {
    /// `pkg-config --modversion libgpiod`, or nil when pkg-config is not installed.
    static func pkgConfigVersion() -> String? {
        guard let pipe = popen("pkg-config --modversion libgpiod 2>/dev/null", "r") else { return nil }
        var buf = [CChar](repeating: 0, count: 64)
        let line = fgets(&buf, Int32(buf.count), pipe) != nil
            ? String(decoding: buf.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        return pclose(pipe) == 0 && !line.isEmpty ? line : nil
    }

    @Test func selectedAPIIsPkgConfigsMajorVersion() throws {
        guard let version = Self.pkgConfigVersion() else { return }   // no pkg-config: nothing to compare
        #expect(version.hasPrefix("\(gpiodAPIVersion())."), "pkg-config says libgpiod \(version), shim compiled for API \(gpiodAPIVersion())")
        #expect(gpiodLibraryVersion() == version, "linked \(gpiodLibraryVersion()), pkg-config \(version)")
    }

    /// Listing chips works on either API (none on a build machine, gpio-sim's in the HIL VM).
    @Test func chipListingDoesNotFail() {
        for chip in gpioAvailableChips() {
            #expect(chip.name.hasPrefix("gpiochip"))
            #expect(chip.lineCount > 0)
        }
    }
}
