// The analysis thread's wake-up schedule and its dB → power table (AnalysisLoop).
import Foundation
import Testing
@testable import EarshotAgent

@Suite struct AnalysisWakeTests {
    /// One wake-up per capture period when the period is at least 40 ms; short periods
    /// are batched up to 40 ms; never less than one 10 ms hop.
    @Test func wakesOncePerPeriod() {
        #expect(AnalysisLoop.wakeFrames(hop: 160, period: 1_600, rate: 16_000) == 1_600)  // 100 ms
        #expect(AnalysisLoop.wakeFrames(hop: 160, period: 512, rate: 16_000) == 512)      // 32 ms: < 40 ms, one period
        #expect(AnalysisLoop.wakeFrames(hop: 160, period: 160, rate: 16_000) == 640)      // 4 × 10 ms
        #expect(AnalysisLoop.wakeFrames(hop: 480, period: 480, rate: 48_000) == 1_920)
        #expect(AnalysisLoop.wakeFrames(hop: 480, period: 2_400, rate: 48_000) == 2_400)
        #expect(AnalysisLoop.wakeFrames(hop: 160, period: 64, rate: 16_000) == 640)       // 10 periods of 4 ms
        #expect(AnalysisLoop.wakeFrames(hop: 160, period: 100, rate: 16_000) == 600)      // ≥ one hop, whole periods
        // The timeout only bounds liveness: twice the wake interval, at least 100 ms.
        #expect(AnalysisLoop.wakeTimeoutNanoseconds(wakeFrames: 640, rate: 16_000) == 100_000_000)
        #expect(AnalysisLoop.wakeTimeoutNanoseconds(wakeFrames: 1_600, rate: 16_000) == 200_000_000)
    }

    /// 10^(L/2560) for every Q8.8 dB value, against `pow` in double precision.
    @Test func powerTableMatchesPow() {
        let table = DecibelPowerTable()
        var worst = 0.0
        for level in Int32(Int16.min)...Int32(Int16.max) {
            let reference = pow(10, Double(level) / 2_560)
            worst = max(worst, abs(table.ratio(level) - reference) / reference)
        }
        #expect(worst < 1e-14, "largest relative error \(worst)")
    }
}
