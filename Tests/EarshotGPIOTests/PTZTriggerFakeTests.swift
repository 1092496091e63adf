import EarshotPlatform
import Testing
import Glibc
@testable import EarshotGPIO

/// Polls `condition` every millisecond for up to `ms` milliseconds.
func waitFor(_ ms: Int = 2_000, _ condition: () -> Bool) -> Bool {
    for _ in 0..<ms {
        if condition() { return true }
        usleep(1_000)
    }
    return condition()
}

/// (line index, physical high) pairs of the recorded transitions.
func levels(_ t: [GPIOTransition]) -> [[Int]] { t.map { [$0.index, $0.high ? 1 : 0] } }

let chip = GPIOChipRef.label("fake-bank")

@Suite("PTZ trigger on the fake chip")
struct PTZTriggerFakeTests {
    @Test(arguments: [false, true])
    func linePerSectorPulsesExactlyThatLine(activeLow: Bool) throws {
        let lineOffsets: [UInt32] = [17, 27, 22, 5]
        let config = PTZTriggerConfig(chip: chip, wiring: .linePerSector(lineOffsets.map { GPIOLineConfig(.offset($0), activeLow: activeLow) }),
                                      pulseMilliseconds: 20, sectorCooldownMilliseconds: 0, globalCooldownMilliseconds: 0)
        let fake = FakeGPIOBackend()
        let trigger = try PTZTrigger(config: config, backend: fake)
        let idle = activeLow ? 1 : 0, asserted = 1 - idle
        var worst = 0.0
        #expect(fake.physicalLevels == Array(repeating: idle == 1, count: 4), "lines claimed at idle level")
        for sector in 0..<4 {
            fake.clearTransitions()
            #expect(trigger.trigger(sector: sector) == .accepted)
            #expect(waitFor { trigger.status.completed == UInt64(sector + 1) })
            let t = fake.transitions
            #expect(levels(t) == [[sector, asserted], [sector, idle]], "sector \(sector)")
            #expect(t.map(\.line) == [.offset(lineOffsets[sector]), .offset(lineOffsets[sector])])
            guard t.count == 2 else { continue }
            let widthMs = Double(t[1].timeNanoseconds - t[0].timeNanoseconds) / 1e6
            #expect(widthMs > 20 - 0.05 && widthMs < 20 + 20, "pulse width \(widthMs) ms, configured 20 ms")
            worst = max(worst, abs(widthMs - 20))
        }
        trigger.stop()
        #expect(fake.physicalLevels == Array(repeating: idle == 1, count: 4))
        print("gpio_pulse_width_max_error_ms=\(worst) activeLow=\(activeLow)")
    }

    @Test(arguments: [false, true])
    func binaryCodeSetsCodeThenStrobesThenClears(activeLow: Bool) throws {
        let codes: [UInt32] = [1, 2, 3, 4, 5, 6, 7]
        let config = PTZTriggerConfig(chip: chip,
                                      wiring: .binaryCode(codeLines: [GPIOLineConfig(.name("C0"), activeLow: activeLow),
                                                                      GPIOLineConfig(.name("C1"), activeLow: activeLow),
                                                                      GPIOLineConfig(.name("C2"), activeLow: activeLow)],
                                                          strobe: GPIOLineConfig(.name("STB"), activeLow: activeLow), codes: codes),
                                      pulseMilliseconds: 15, sectorCooldownMilliseconds: 0, globalCooldownMilliseconds: 0,
                                      codeSetupMilliseconds: 4, codeHoldMilliseconds: 3)
        let fake = FakeGPIOBackend()
        let trigger = try PTZTrigger(config: config, backend: fake)
        let on = activeLow ? 0 : 1, off = 1 - on
        var worst = 0.0
        for (sector, code) in codes.enumerated() {
            fake.clearTransitions()
            #expect(trigger.trigger(sector: sector) == .accepted)
            #expect(waitFor { trigger.status.completed == UInt64(sector + 1) })
            // Expected sequence built from the code's bits, independent of PTZSchedule.
            var ones: [Int] = []
            var c = code, bit = 0
            while c > 0 { if c & 1 == 1 { ones.append(bit) }; c >>= 1; bit += 1 }
            let expected = ones.map { [$0, on] } + [[3, on], [3, off]] + ones.map { [$0, off] }
            let t = fake.transitions
            #expect(levels(t) == expected, "sector \(sector) code \(code)")
            guard t.count == expected.count else { continue }
            let k = ones.count
            let setupMs = Double(t[k].timeNanoseconds - t[k - 1].timeNanoseconds) / 1e6
            let strobeMs = Double(t[k + 1].timeNanoseconds - t[k].timeNanoseconds) / 1e6
            let holdMs = Double(t[k + 2].timeNanoseconds - t[k + 1].timeNanoseconds) / 1e6
            // Each interval counts from the return of the previous write: never short, late only by wake-up latency
            // (the shared 2-core test machine; the trigger thread asks for SCHED_FIFO).
            #expect(setupMs > 4 - 0.05 && setupMs < 4 + 20, "code setup \(setupMs) ms, configured 4")
            #expect(strobeMs > 15 - 0.05 && strobeMs < 15 + 20, "strobe width \(strobeMs) ms, configured 15")
            #expect(holdMs > 3 - 0.05 && holdMs < 3 + 20, "code hold \(holdMs) ms, configured 3")
            worst = max(worst, abs(setupMs - 4), abs(strobeMs - 15), abs(holdMs - 3))
        }
        #expect(fake.physicalLevels == Array(repeating: off == 1, count: 4), "all lines back at idle")
        print("gpio_binary_timing_max_error_ms=\(worst) activeLow=\(activeLow)")
    }

    @Test func sectorCooldownSuppressesAndCounts() throws {
        let config = PTZTriggerConfig(chip: chip, wiring: .linePerSector([GPIOLineConfig(.offset(1)), GPIOLineConfig(.offset(2))]),
                                      pulseMilliseconds: 5, sectorCooldownMilliseconds: 300, globalCooldownMilliseconds: 0)
        let fake = FakeGPIOBackend()
        let trigger = try PTZTrigger(config: config, backend: fake)
        let t0 = MonotonicClock.nanoseconds()
        #expect(trigger.trigger(sector: 0) == .accepted)
        #expect(trigger.trigger(sector: 0) == .suppressedBySectorCooldown)
        #expect(trigger.trigger(sector: 1) == .accepted)
        #expect(trigger.trigger(sector: 1) == .suppressedBySectorCooldown)
        #expect(waitFor { trigger.status.completed == 2 })
        // Keep retrying sector 0: the first acceptance must come no earlier than 300 ms after the first.
        var acceptedAt: UInt64 = 0
        for _ in 0..<1_000 {
            if trigger.trigger(sector: 0) == .accepted { acceptedAt = MonotonicClock.nanoseconds(); break }
            usleep(2_000)
        }
        let gapMs = Double(acceptedAt &- t0) / 1e6
        #expect(gapMs >= 300 && gapMs < 400, "re-accepted after \(gapMs) ms, cooldown 300 ms")
        #expect(waitFor { trigger.status.completed == 3 })
        let s = trigger.status
        #expect(s.accepted == 3 && s.suppressedBySector >= 2 && s.suppressedByGlobal == 0)
        #expect(fake.transitions.filter { $0.active }.map(\.index) == [0, 1, 0])
    }

    @Test func globalCooldownSuppressesOtherSectors() throws {
        let config = PTZTriggerConfig(chip: chip, wiring: .linePerSector([GPIOLineConfig(.offset(1)), GPIOLineConfig(.offset(2))]),
                                      pulseMilliseconds: 5, sectorCooldownMilliseconds: 0, globalCooldownMilliseconds: 200)
        let fake = FakeGPIOBackend()
        let trigger = try PTZTrigger(config: config, backend: fake)
        #expect(trigger.trigger(sector: 0) == .accepted)
        #expect(trigger.trigger(sector: 1) == .suppressedByGlobalCooldown)
        usleep(220_000)
        #expect(trigger.trigger(sector: 1) == .accepted)
        #expect(waitFor { trigger.status.completed == 2 })
        #expect(trigger.status.suppressedByGlobal == 1)
        #expect(trigger.trigger(sector: 2) == .noSuchSector)
    }

    @Test(arguments: [false, true])
    func releaseToIdleMidPulseRestoresIdleAndHalts(activeLow: Bool) throws {
        let config = PTZTriggerConfig(chip: chip, wiring: .linePerSector([GPIOLineConfig(.offset(3), activeLow: activeLow),
                                                                           GPIOLineConfig(.offset(4), activeLow: activeLow)]),
                                      pulseMilliseconds: 400, sectorCooldownMilliseconds: 0, globalCooldownMilliseconds: 0)
        let fake = FakeGPIOBackend()
        let trigger = try PTZTrigger(config: config, backend: fake)
        #expect(trigger.trigger(sector: 1) == .accepted)
        #expect(waitFor { fake.transitions.count == 1 })
        #expect(fake.physicalLevels == [activeLow, !activeLow], "line 4 asserted mid-pulse")
        trigger.releaseToIdle()
        #expect(fake.physicalLevels == [activeLow, activeLow], "idle restored at once")
        let written = fake.transitions.count
        usleep(450_000)
        #expect(fake.transitions.count == written, "the pulse's own end did not write after release")
        #expect(trigger.trigger(sector: 0) == .stopped)
        #expect(trigger.status.halted)
        trigger.stop()
        #expect(!fake.isClaimed && fake.releaseCount == 1)
    }

    @Test func deinitDrivesIdleAndReleases() throws {
        let fake = FakeGPIOBackend()
        do {
            let config = PTZTriggerConfig(chip: chip, wiring: .linePerSector([GPIOLineConfig(.offset(3), activeLow: true)]),
                                          pulseMilliseconds: 500)
            let trigger = try PTZTrigger(config: config, backend: fake)
            #expect(trigger.trigger(sector: 0) == .accepted)
            #expect(waitFor { fake.physicalLevels == [false] })
        }
        #expect(fake.physicalLevels == [true], "active-low line back high after deinit")
        #expect(!fake.isClaimed)
    }

    @Test func lineErrorDrivesEveryLineIdle() throws {
        // Binary code 7 on 3 lines: the 3rd write (code line 2) fails.
        let config = PTZTriggerConfig(chip: chip,
                                      wiring: .binaryCode(codeLines: [GPIOLineConfig(.offset(0)), GPIOLineConfig(.offset(1)),
                                                                      GPIOLineConfig(.offset(2))],
                                                          strobe: GPIOLineConfig(.offset(3)), codes: [7]),
                                      pulseMilliseconds: 5)
        let fake = FakeGPIOBackend(failAfterSets: 2)
        let trigger = try PTZTrigger(config: config, backend: fake)
        #expect(trigger.trigger(sector: 0) == .accepted)
        #expect(waitFor { trigger.status.failures == 1 })
        #expect(fake.physicalLevels == [false, false, false, false])
        #expect(trigger.status.lastError.contains("driven idle"))
        #expect(trigger.status.completed == 0)
    }

    @Test func configurationErrorsNameTheField() {
        func message(_ c: PTZTriggerConfig) -> String {
            do { try c.validate(); return "" } catch { return error.description }
        }
        let dup = PTZTriggerConfig(chip: chip, wiring: .linePerSector([GPIOLineConfig(.offset(4)), GPIOLineConfig(.offset(4))]))
        #expect(message(dup).contains("line 4 is listed twice"))
        let wide = PTZTriggerConfig(chip: chip, wiring: .binaryCode(codeLines: [GPIOLineConfig(.offset(0)), GPIOLineConfig(.offset(1))],
                                                                     strobe: GPIOLineConfig(.offset(2)), codes: [1, 4]))
        #expect(message(wide).contains("preset_codes[1] = 4 does not fit in 2 code lines"))
        var pulse = dup
        pulse.wiring = .linePerSector([GPIOLineConfig(.offset(1))])
        pulse.pulseMilliseconds = 0
        #expect(message(pulse).contains("gpio.pulse_ms 0"))
        #expect(throws: GPIOError.self) { try PTZTrigger(config: dup, backend: FakeGPIOBackend()) }
    }
}
