import EarshotPlatform
import Testing
@testable import EarshotGPIO

@Suite("Wake margin of the PTZ trigger thread")
struct WakeMarginTests {
    @Test func startsAtTheInitialMarginAndGrowsAtOnceToTwiceTheLateness() {
        var m = WakeMargin()
        #expect(m.nanoseconds == WakeMargin.initialNanoseconds)
        m.observe(latenessNanoseconds: 15_000_000)
        #expect(m.nanoseconds == 30_000_000)
    }

    @Test func isClampedBetweenFloorAndCeiling() {
        var m = WakeMargin()
        m.observe(latenessNanoseconds: .max)
        #expect(m.nanoseconds == WakeMargin.ceilingNanoseconds)
        for _ in 0..<500 { m.observe(latenessNanoseconds: 0) }
        #expect(m.nanoseconds >= WakeMargin.floorNanoseconds)
        #expect(m.nanoseconds < WakeMargin.floorNanoseconds + 1_000, "decays to the floor on a quiet box")
    }

    @Test func decaysByAnEighthOfTheExcessPerObservation() {
        var m = WakeMargin()
        m.observe(latenessNanoseconds: 25_000_000)   // 50 ms
        m.observe(latenessNanoseconds: 1_000_000)    // wants 2 ms: excess 48 ms, 6 ms off
        #expect(m.nanoseconds == 44_000_000)
    }

    @Test func spinningSleepNeverReturnsBeforeItsDeadline() {
        for marginMs: UInt64 in [0, 1, 5] {
            let deadline = MonotonicClock.nanoseconds() + 3_000_000
            _ = MonotonicClock.sleep(until: deadline, spinningLast: marginMs * 1_000_000)
            #expect(MonotonicClock.nanoseconds() >= deadline)
        }
        // A deadline in the past returns at once and reports no lateness.
        #expect(MonotonicClock.sleep(until: 1, spinningLast: 1_000_000) == 0)
    }
}
