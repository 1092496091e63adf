import Testing
@testable import EarshotGPIO

/// The real libgpiod backend on a machine with no GPIO chips: every lookup fails clearly.
@Suite("libgpiod backend error paths")
struct LibgpiodBackendErrorTests {
    static let refs: [GPIOChipRef] = [.path("/dev/gpiochip97"), .name("gpiochip97"), .label("earshot-no-such-bank"), .lookup("earshot-nope")]

    @Test(arguments: refs)
    func missingChipIsNamed(ref: GPIOChipRef) {
        let backend = LibgpiodBackend()
        do {
            try backend.claim(chip: ref, lines: [GPIOLineConfig(.offset(17))])
            Issue.record("claim on \(ref) succeeded")
        } catch {
            #expect(error.code == .noSuchChip || error.code == .permissionDenied)
            #expect(error.description.hasPrefix("GPIO: "))
            #expect(error.description.contains("\"\(ref.text)\""), "\(error)")
            if error.code == .noSuchChip {
                let chips = gpioAvailableChips()
                #expect(error.description.contains(chips.isEmpty ? "this machine has no GPIO chips" : "available: "))
                #expect(error.description.contains("gpio.chip"))
            }
        }
    }

    @Test func triggerOnMissingChipThrowsBeforeAnyThread() {
        let config = PTZTriggerConfig(chip: .label("earshot-no-such-bank"), wiring: .linePerSector([GPIOLineConfig(.offset(1))]))
        #expect {
            _ = try GPIOPTZTrigger(config: config, backend: LibgpiodBackend())
        } throws: { error in
            (error as? GPIOError)?.code == .noSuchChip
        }
    }

    /// The API the shim was compiled for is the linked library's (a v2 header with the v1
    /// library, or the reverse, would not link; this catches a mislabelled selection).
    @Test func compiledAPIIsTheLinkedLibrarys() {
        #expect([1, 2].contains(gpiodAPIVersion()))
        #expect(gpiodLibraryVersion().hasPrefix("\(gpiodAPIVersion())."), "API \(gpiodAPIVersion()), library \(gpiodLibraryVersion())")
    }
}
