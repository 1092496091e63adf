import EarshotDSP
import Testing
@testable import EarshotDetection

@Suite("Sustained state machine (scripted frames)")
struct SustainedStateTests {
    @Test("a tone lasting 1 s gives exactly one start and one end with the same onset")
    func startEndPairing() throws {
        var run = FrameScript([.testTone()])
        run.feed(quietFrame, count: 50)
        run.feed(toneFrame, count: 100)  // hops 50…149
        run.feed(quietFrame, count: 50)
        #expect(run.events.map(\.phase) == [.start, .end])
        let start = try #require(run.events.first)
        let end = try #require(run.events.last)
        #expect(start.onsetSample == 50 * 160)
        // Confirmed after min_duration 200 ms = 20 hops: the 20th tone hop ends at hop 70.
        #expect(start.offsetSample == 70 * 160)
        #expect(end.onsetSample == start.onsetSample)
        #expect(end.offsetSample == 150 * 160)
        #expect(end.durationSamples == 16_000)
        #expect(start.sequence == 1 && end.sequence == 2)
        #expect(start.soundClass == .carHorn && end.entryIndex == 0)
        #expect(end.peakLevel == toneFrame.levelZ)
        #expect(end.bandProfile == toneFrame.bandLevel)
        #expect(end.channelOnsets == SIMD8(repeating: -1))
    }

    @Test("a tone shorter than min_duration gives nothing")
    func tooShort() {
        var run = FrameScript([.testTone()])
        run.feed(quietFrame, count: 10)
        run.feed(toneFrame, count: 15)
        run.feed(quietFrame, count: 50)
        run.finish()
        #expect(run.events.isEmpty)
    }

    @Test("gaps up to gap_ms are bridged; longer gaps end the sound")
    func gaps() throws {
        var run = FrameScript([.testTone()])
        run.feed(toneFrame, count: 30)
        run.feed(quietFrame, count: 5)   // 50 ms: bridged
        run.feed(toneFrame, count: 30)
        run.feed(quietFrame, count: 7)   // 70 ms > gap_ms: ends
        #expect(run.events.map(\.phase) == [.start, .end])
        let end = run.events.last.map(\.offsetSample) ?? -1
        #expect(end == Int64(65 * 160))
    }

    @Test("a sound longer than max_duration is ended there, then cools down")
    func maxDurationEnds() {
        var run = FrameScript([.testTone(maxMs: 1_000, cooldownMs: 500)])
        run.feed(toneFrame, count: 300)
        #expect(run.events.count >= 2)
        #expect(run.events[0].phase == .start)
        #expect(run.events[1].phase == .end)
        #expect(run.events[1].durationSamples == 100 * 160)
        // After the end + 500 ms cooldown (hop 150) it may start again: pairs stay paired.
        var open = 0
        for e in run.events { open += e.phase == .start ? 1 : -1; #expect(open == 0 || open == 1) }
        run.finish()
        open = run.events.reduce(0) { $0 + ($1.phase == .start ? 1 : -1) }
        #expect(open == 0)
    }

    @Test("finish closes an open sound with its end")
    func finishCloses() {
        var run = FrameScript([.testTone()])
        run.feed(toneFrame, count: 40)
        #expect(run.events.map(\.phase) == [.start])
        run.finish()
        #expect(run.events.map(\.phase) == [.start, .end])
        #expect(run.events[1].offsetSample == 40 * 160)
    }

    @Test("cooldown: a second tone inside cooldown_ms is ignored, one after it fires")
    func cooldown() {
        var run = FrameScript([.testTone(cooldownMs: 1_000)])
        run.feed(toneFrame, count: 30)
        run.feed(quietFrame, count: 10)   // ends at hop 30+6 → cooldown until ≈ hop 136
        run.feed(toneFrame, count: 30)    // hops 40…69: inside cooldown
        run.feed(quietFrame, count: 80)   // hops 70…149
        #expect(run.events.map(\.phase) == [.start, .end])
        run.feed(toneFrame, count: 30)    // hops 150…: after cooldown
        run.feed(quietFrame, count: 10)
        #expect(run.events.map(\.phase) == [.start, .end, .start, .end])
        #expect(run.events[2].onsetSample == 150 * 160)
    }

    @Test("no tone at the bin (noise in the band) does not match")
    func needsTone() {
        var run = FrameScript([.testTone()])
        run.feed(FrameScript.frame(bands: toneBands), count: 100)
        run.finish()
        #expect(run.events.isEmpty)
    }

    @Test("EventBatch collects the same events")
    func batch() {
        var table = SignatureTable()
        table.append(.testTone())
        var engine = DetectionEngine(table: table, config: AnalysisConfig())
        var batch = EventBatch()
        var phases: [EventPhase] = []
        for h in 0..<60 {
            var f = h < 40 ? toneFrame : quietFrame
            f.hopIndex = Int64(h)
            f.firstSample = Int64(h) * 160
            engine.process(f, into: &batch)
            for i in 0..<batch.count { phases.append(batch[i].phase) }
        }
        #expect(phases == [.start, .end])
    }
}
