import EarshotDSP
import Testing
@testable import EarshotDetection

/// `Rejection`: the first rule that turned a candidate down, with the value measured
/// and the table's limit, as `earshot listen` reports it. Scripted frames; the events
/// themselves are checked to be what the rules say.
@Suite("Why a candidate was turned down (scripted frames)")
struct RejectionTests {
    static let loud = FrameScript.frame(bands: [30, 30, 30, 30, 30, 30, 30, 30], rise: 8, onsetOffset: 37)
    static let held = FrameScript.frame(bands: [30, 30, 30, 30, 30, 30, 30, 30])
    static let decaying = FrameScript.frame(bands: [5, 5, 5, 5, 5, 5, 5, 5])

    static func last(_ run: FrameScript) -> EntryExplanation {
        var f = quietFrame
        f.hopIndex = run.hop - 1
        return run.engine.explain(f, entry: 0)
    }

    @Test("nothing judged yet: no rejection")
    func none() {
        var run = FrameScript([.testImpulse()])
        run.feed(quietFrame, count: 10)
        let x = Self.last(run)
        #expect(x.lastRejection.rule == .none && x.hopsSinceRejection == -1)
    }

    @Test("an impulse held 200 ms against max_hold_ms 100: maxHold, 110 ms > 100, when it was dropped")
    func hold() {
        var s = Signature.testImpulse()
        s.maxHoldMs = 100
        var run = FrameScript([s])
        run.feed(quietFrame, count: 20)
        run.feed(Self.loud)                 // hop 20
        run.feed(Self.held, count: 19)      // hops 21…39; the 11th hop within 3 dB (hop 30) drops it
        run.feed(quietFrame, count: 5)
        #expect(run.events.isEmpty)
        let x = Self.last(run)
        #expect(x.lastRejection.rule == .maxHold)
        #expect(x.lastRejection.value == 110 && x.lastRejection.limit == 100)
        #expect(x.lastRejection.hop == 30)
        #expect(x.hopsSinceRejection == run.hop - 1 - 30)
    }

    @Test("an impulse of 30 ms against min_duration_ms 50: minDuration 30 < 50; at 60 ms it fires")
    func tooShort() {
        func run(_ loudHops: Int) -> FrameScript {
            var s = Signature.testImpulse()
            s.minDurationMs = 50
            var r = FrameScript([s])
            r.feed(quietFrame, count: 20)
            r.feed(Self.loud)
            r.feed(Self.held, count: loudHops - 1)
            r.feed(Self.decaying, count: 3)
            r.feed(quietFrame, count: 10)
            return r
        }
        let short = run(3)
        #expect(short.events.isEmpty)
        let x = Self.last(short)
        #expect(x.lastRejection.rule == .minDuration)
        #expect(x.lastRejection.value == 30 && x.lastRejection.limit == 50)
        let long = run(6)
        #expect(long.events.map(\.phase) == [.impulse])
        #expect(Self.last(long).lastRejection.rule == .none)
    }

    @Test("an impulse quieter than min_level_dbfs: minLevel with the peak level and the limit in Q8.8 dBFS")
    func quiet() {
        var s = Signature.testImpulse()
        s.minLevelDBFS = -20 * 256
        var run = FrameScript([s])
        run.feed(quietFrame, count: 20)
        run.feed(Self.loud)
        run.feed(Self.decaying, count: 2)
        run.feed(quietFrame, count: 10)
        #expect(run.events.isEmpty)
        let x = Self.last(run)
        #expect(x.lastRejection.rule == .minLevel)
        #expect(x.lastRejection.value == Int32(Self.loud.levelZ) && x.lastRejection.limit == -20 * 256)
        // The same run with the gate at the sound's level fires: the gate is what turned it down.
        var t = s
        t.minLevelDBFS = Self.loud.levelZ
        var ok = FrameScript([t])
        ok.feed(quietFrame, count: 20)
        ok.feed(Self.loud)
        ok.feed(Self.decaying, count: 2)
        ok.feed(quietFrame, count: 10)
        #expect(ok.events.map(\.phase) == [.impulse])
    }

    @Test("a tone of 150 ms against min_duration_ms 200: minDuration 150 < 200")
    func sustainedTooShort() {
        var run = FrameScript([.testTone()])
        run.feed(quietFrame, count: 10)
        run.feed(toneFrame, count: 15)
        run.feed(quietFrame, count: 20)
        #expect(run.events.isEmpty)
        let x = Self.last(run)
        #expect(x.lastRejection.rule == .minDuration)
        #expect(x.lastRejection.value == 150 && x.lastRejection.limit == 200)
    }

    @Test("a tone that never sweeps against sweep_bins [3, 0]: sweepBins 1 < 3, then maxDuration when it outlasts 1 s")
    func sweep() {
        var s = Signature.testTone(maxMs: 1_000)
        s.minSweepBins = 3
        var run = FrameScript([s])
        run.feed(toneFrame, count: 50)
        var x = Self.last(run)
        #expect(x.lastRejection.rule == .sweepBins)
        #expect(x.lastRejection.value == 1 && x.lastRejection.limit == 3)
        run.feed(toneFrame, count: 60)
        #expect(run.events.isEmpty)
        x = Self.last(run)
        #expect(x.lastRejection.rule == .maxDuration && x.lastRejection.limit == 1_000)
        #expect(x.lastRejection.value > 1_000)
    }

    @Test("reset forgets the last rejection")
    func reset() {
        var run = FrameScript([.testTone()])
        run.feed(toneFrame, count: 15)
        run.feed(quietFrame, count: 20)
        #expect(Self.last(run).lastRejection.rule == .minDuration)
        run.engine.reset()
        #expect(Self.last(run).lastRejection.rule == .none)
    }
}
