import EarshotDSP
import Testing
@testable import EarshotDetection

/// `max_hold_ms`: an impulsive entry rejects a sound whose level stays within 3 dB of
/// its peak longer than the limit (a horn's steady level after a fast fade-in), and
/// keeps one that falls away from its peak (a shot).
@Suite("Impulsive hold (−3 dB width) limit, scripted frames")
struct ImpulseHoldTests {
    static let loud = FrameScript.frame(bands: [30, 30, 30, 30, 30, 30, 30, 30], rise: 8, onsetOffset: 37)
    /// The same level with no rise: a held note.
    static let held = FrameScript.frame(bands: [30, 30, 30, 30, 30, 30, 30, 30])
    /// 1 dB under the peak: still within the 3 dB hold band.
    static let nearPeak = FrameScript.frame(bands: [29, 29, 29, 29, 29, 29, 29, 29])
    static let decaying = FrameScript.frame(bands: [15, 15, 15, 15, 15, 15, 15, 15])

    static func entry(holdMs: Int32) -> Signature {
        var s = Signature.testImpulse()
        s.maxHoldMs = holdMs
        return s
    }

    /// Events of: quiet, a fast rise to `loud`, `heldHops` more hops at (nearly) the
    /// same level, `decayHops` hops 15 dB down, then quiet.
    static func run(holdMs: Int32, heldHops: Int, decayHops: Int = 0) -> [Event] {
        var run = FrameScript([entry(holdMs: holdMs)])
        run.feed(quietFrame, count: 20)
        run.feed(loud)
        for h in 0..<heldHops { run.feed(h % 2 == 0 ? held : nearPeak) }
        run.feed(decaying, count: decayHops)
        run.feed(quietFrame, count: 20)
        run.finish()
        return run.events
    }

    @Test("a level held 490 ms after a fast rise is no impulse with max_hold_ms 100, is one without")
    func heldLevel() {
        #expect(Self.run(holdMs: 100, heldHops: 48).isEmpty)
        // Without the limit the same frames are an impulse: the limit is what rejects them.
        #expect(Self.run(holdMs: 0, heldHops: 48).map(\.phase) == [.impulse])
    }

    @Test("boundary: 10 hops within 3 dB pass max_hold_ms 100, 11 do not")
    func boundary() {
        #expect(Self.run(holdMs: 100, heldHops: 9).count == 1)   // loud + 9 = 10 hops = 100 ms
        #expect(Self.run(holdMs: 100, heldHops: 10).isEmpty)     // 11 hops = 110 ms
    }

    @Test("a shot that falls 15 dB after its loudest hop is an impulse with max_hold_ms 100")
    func shot() throws {
        let events = Self.run(holdMs: 100, heldHops: 1, decayHops: 8)
        let e = try #require(events.first)
        #expect(events.count == 1)
        #expect(e.onsetSample == 20 * 160 + 37)
        #expect(e.offsetSample == 30 * 160)   // loud (20), 1 held, 8 decaying, first quiet hop 30
    }

    @Test("hops more than 3 dB under the peak do not count toward the hold")
    func belowBand() {
        // 40 hops 4 dB down: a long tail, but not a held peak.
        var run = FrameScript([Self.entry(holdMs: 50)])
        run.feed(quietFrame, count: 20)
        run.feed(Self.loud)
        run.feed(FrameScript.frame(bands: [26, 26, 26, 26, 26, 26, 26, 26]), count: 40)
        run.feed(quietFrame, count: 20)
        #expect(run.events.map(\.phase) == [.impulse])
    }
}
