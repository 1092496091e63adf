import EarshotDSP
import Testing
@testable import EarshotDetection

/// Issue 17: one sound, one event for the table's own entries. A `loud_impulse` entry
/// reports only sounds that no class entry claims (their spans overlap within
/// `claimToleranceMs`); it waits for a class still deciding at most `claimWaitMs`.
@Suite("loud_impulse steps aside for a class that claims the sound (table path)")
struct LoudImpulseClaimTests {
    static let loud = FrameScript.frame(bands: [30, 30, 30, 30, 30, 30, 30, 30], rise: 8, onsetOffset: 37)
    static let decaying = FrameScript.frame(bands: [15, 15, 15, 15, 15, 15, 15, 15])

    static func shot(decayDB: Int16) -> Signature {
        var s = Signature.testImpulse(cooldownMs: 300)
        s.name = SignatureName("gunshot")
        s.soundClass = .gunshot
        s.decayDrop = decayDB * 256
        return s
    }

    static func loudImpulse(decayDB: Int16 = 20) -> Signature {
        var s = Signature.testImpulse(cooldownMs: 300)
        s.name = SignatureName("loud_impulse")
        s.decayDrop = decayDB * 256
        return s
    }

    /// Runs one scripted impulse (hop 20 loud, 3 decaying hops, then quiet) and returns
    /// each event with the hop during which it was emitted.
    static func run(_ entries: [Signature], tail: FeatureFrame = quietFrame, tailHops: Int = 40) -> [(event: Event, hop: Int64)] {
        var script = FrameScript(entries)
        var out: [(Event, Int64)] = []
        func feed(_ f: FeatureFrame, _ n: Int) {
            for _ in 0..<n {
                let before = script.events.count
                script.feed(f)
                for e in script.events[before...] { out.append((e, script.hop - 1)) }
            }
        }
        feed(quietFrame, 20)
        feed(Self.loud, 1)
        feed(Self.decaying, 3)
        feed(tail, tailHops)
        let before = script.events.count
        script.finish()
        for e in script.events[before...] { out.append((e, script.hop)) }
        return out
    }

    @Test("a class judged first (shot: 10 dB decay) withholds the loud_impulse of the same sound")
    func classFirst() throws {
        let events = Self.run([Self.shot(decayDB: 10), Self.loudImpulse()])
        #expect(events.map(\.event.soundClass) == [.gunshot], "\(events.map(\.event.soundClass.rawValue))")
        #expect(events.first?.event.sequence == 1)
    }

    @Test("a class judged after the loud_impulse (window: decays further) still claims it; the wait is the class's own")
    func classLater() throws {
        // loud_impulse decays 10 dB at hop 21; the class only when back at the background (hop 24).
        let events = Self.run([Self.loudImpulse(decayDB: 10), Self.shot(decayDB: 20)])
        #expect(events.map(\.event.soundClass) == [.gunshot], "\(events.map(\.event.soundClass.rawValue))")
        #expect(events.first?.hop == 24)
        #expect(events.first?.event.sequence == 1)
    }

    @Test("a loud impulse no class is deciding goes out at once, as with no class entry in the table")
    func unclaimedAtOnce() throws {
        var picky = Self.shot(decayDB: 10)
        picky.minRise = 100 * 256            // never starts tracking: nothing can claim
        let alone = Self.run([Self.loudImpulse()])
        let beside = Self.run([picky, Self.loudImpulse()])
        #expect(alone.count == 1 && alone[0].event.soundClass == .loudImpulse)
        #expect(beside.map(\.hop) == alone.map(\.hop))
        #expect(beside.map(\.event.onsetSample) == alone.map(\.event.onsetSample))
        var shifted = alone[0].event; shifted.entryIndex = 1
        #expect(beside[0].event == shifted)
    }

    @Test("a class still confirming holds the loud_impulse at most claimWaitMs (1 s) after it was judged")
    func boundedWait() throws {
        // A sustained class that matches the sound's 15 dB tail but needs 5 s to confirm.
        var slow = Signature()
        slow.name = SignatureName("siren")
        slow.soundClass = .siren
        slow.kind = .sustained
        slow.minSNR = 10 * 256
        slow.minDurationMs = 5_000
        slow.maxDurationMs = 60_000
        slow.minConfidence = 0
        let events = Self.run([Self.loudImpulse(decayDB: 10), slow], tail: Self.decaying, tailHops: 300)
        let li = try #require(events.first { $0.event.soundClass == .loudImpulse }, "\(events.map(\.event.soundClass.rawValue))")
        // Judged at hop 21 (10 dB under the peak), reported 100 hops (1 s) later.
        #expect(li.hop == 21 + 100)
        #expect(DetectionEngine.claimWaitMs == 1_000)
    }

    @Test("end of input: a held loud_impulse is judged at once")
    func heldAtFinish() throws {
        var slow = Signature()
        slow.name = SignatureName("siren"); slow.soundClass = .siren; slow.kind = .sustained
        slow.minSNR = 10 * 256; slow.minDurationMs = 5_000; slow.maxDurationMs = 60_000; slow.minConfidence = 0
        let events = Self.run([Self.loudImpulse(decayDB: 10), slow], tail: Self.decaying, tailHops: 10)
        #expect(events.map(\.event.soundClass) == [.loudImpulse])
        let reportedAt = try #require(events.first?.hop)
        let finishHop: Int64 = 20 + 1 + 3 + 10
        #expect(reportedAt == finishHop)    // at finish, not 1 s later
    }

    @Test("a withheld loud_impulse says why (listen --why): claimed, by the class's raw value")
    func rejectionSaysClaimed() throws {
        var script = FrameScript([Self.shot(decayDB: 10), Self.loudImpulse()])
        script.feed(quietFrame, count: 20)
        script.feed(Self.loud)
        script.feed(Self.decaying, count: 3)
        script.feed(quietFrame, count: 10)
        let why = script.engine.explain(quietFrame, entry: 1).lastRejection
        #expect(why.rule == .claimed)
        #expect(why.value == Int32(SoundClass.gunshot.rawValue))
    }
}
