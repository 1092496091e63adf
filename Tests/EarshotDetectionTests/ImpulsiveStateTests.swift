import EarshotDSP
import Testing
@testable import EarshotDetection

@Suite("Impulsive state machine (scripted frames)")
struct ImpulsiveStateTests {
    static let loud = FrameScript.frame(bands: [30, 30, 30, 30, 30, 30, 30, 30], rise: 8, onsetOffset: 37)
    static let decaying = FrameScript.frame(bands: [15, 15, 15, 15, 15, 15, 15, 15])

    @Test("an impulse gives one .impulse event with a sample-accurate onset")
    func impulse() throws {
        var run = FrameScript([.testImpulse()])
        run.feed(quietFrame, count: 20)
        run.feed(Self.loud)            // hop 20
        run.feed(Self.decaying, count: 3)
        run.feed(quietFrame, count: 10) // hop 24 ends it
        let e = try #require(run.events.first)
        #expect(run.events.count == 1)
        #expect(e.phase == .impulse)
        #expect(e.onsetSample == 20 * 160 + 37)
        #expect(e.offsetSample == 24 * 160)
        #expect(e.peakLevel == Self.loud.levelZ)
        #expect(!e.isCalibrated)
    }

    @Test("slow rises are not impulses")
    func slowRise() {
        var run = FrameScript([.testImpulse()])
        var slow = Self.loud
        slow.riseRate = 256  // 1 dB/ms < 2
        run.feed(slow, count: 3)
        run.feed(quietFrame, count: 10)
        #expect(run.events.isEmpty)
    }

    @Test("cooldown suppresses a second impulse 200 ms later, not one 400 ms later")
    func cooldown() {
        var run = FrameScript([.testImpulse(cooldownMs: 300)])
        for start in [0, 20, 60] {      // hops: 0, 200 ms, 600 ms
            while run.hop < Int64(start) { run.feed(quietFrame) }
            run.feed(Self.loud)
            run.feed(quietFrame)
        }
        run.feed(quietFrame, count: 10)
        #expect(run.events.map(\.onsetSample) == [37, 60 * 160 + 37])
        #expect(run.events.map(\.sequence) == [1, 2])
    }

    @Test("dB SPL threshold applies only when calibrated; SPL = dBFS + offset")
    func splThreshold() throws {
        var s = Signature.testImpulse()
        s.minLevelSPL = 90 * 256            // loud frame: about −31 dBFS
        var uncalibrated = FrameScript([s])
        uncalibrated.feed(Self.loud)
        uncalibrated.feed(quietFrame, count: 5)
        #expect(uncalibrated.events.isEmpty)  // needs calibration: entry inactive
        #expect(!uncalibrated.engine.isActive(entry: 0))

        var quiet = FrameScript([s], splOffset: 110 * 256)   // ≈ 79 dB SPL < 90
        quiet.feed(Self.loud)
        quiet.feed(quietFrame, count: 5)
        #expect(quiet.events.isEmpty)

        var loud = FrameScript([s], splOffset: 125 * 256)    // ≈ 94 dB SPL
        loud.feed(Self.loud)
        loud.feed(quietFrame, count: 5)
        let e = try #require(loud.events.first)
        #expect(e.isCalibrated)
        #expect(Int(e.peakLevelSPL) == Int(e.peakLevel) + 125 * 256)
    }
}
