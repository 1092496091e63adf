@testable import EarshotDiagnostics
import EarshotDetection
import Testing
@testable import EarshotAgent

/// `earshot listen`'s sentence for a class whose per-hop gates pass but which does not fire.
@Suite("earshot listen: why, past the per-hop gates")
struct ListenWhyTests {
    /// An idle impulsive entry whose gates all pass on this hop.
    static func passing() -> EntryExplanation {
        var x = EntryExplanation()
        x.state = .idle
        x.spectralOK = true
        x.snrOK = true
        x.tonalOK = true
        x.levelOK = true
        x.isImpulsive = true
        x.minRise = 15 * 256
        x.rise = 15 * 256
        return x
    }

    @Test("a slow rise is named with the hop's rise and min_rise_db_per_ms")
    func slowRise() {
        var x = Self.passing()
        x.rise = 282   // 1.1 dB/ms
        #expect(listenWhy(x) == "this hop matches but does not rise sharply: 1.1 dB/ms < min_rise_db_per_ms 15.0")
        x.minRise = Signature.off   // no rise rule: an onset is enough
        #expect(listenWhy(x).hasPrefix("this hop matches; the temporal rules"))
    }

    @Test("a candidate turned down in the last 3 s is named with field, value and limit; an older one is not")
    func recentRejection() {
        var x = Self.passing()
        x.lastRejection = Rejection(.minDuration, value: 30, limit: 60, hop: 100)
        x.hopsSinceRejection = 50
        #expect(listenWhy(x, hopSeconds: 0.01)
                == "this hop matches; the last candidate was turned down 0.5 s ago: lasted 30 ms < min_duration_ms 60")
        x.rise = 0
        #expect(listenWhy(x).hasSuffix("; last candidate: lasted 30 ms < min_duration_ms 60"))
        x.rise = 15 * 256
        x.hopsSinceRejection = 301
        #expect(listenWhy(x, hopSeconds: 0.01) == "this hop matches; the temporal rules (onset, duration, confidence) decide")
    }

    @Test("each rule reads in its own unit")
    func units() throws {
        var x = Self.passing()
        x.hopsSinceRejection = 0
        x.lastRejection = Rejection(.snrAtPeak, value: 30 * 256 + 128, limit: 40 * 256, hop: 0)
        var r = try #require(listenRejection(x, hopSeconds: 0.01, within: 3))
        #expect(r.field == "min_snr_db" && r.value == 30.5 && r.limit == 40)
        #expect(r.text == "SNR at the peak 30.5 dB < min_snr_db 40.0")
        x.lastRejection = Rejection(.minConfidence, value: 32_768, limit: 39_321, hop: 0)
        r = try #require(listenRejection(x, hopSeconds: 0.01, within: 3))
        #expect(r.field == "min_confidence" && r.text == "confidence 0.50 < min_confidence 0.60")
        x.lastRejection = Rejection(.matchFraction, value: 16_384, limit: 22_938, hop: 0)
        r = try #require(listenRejection(x, hopSeconds: 0.01, within: 3))
        #expect(r.field == "min_match_fraction" && r.text == "matched 0.50 of its hops < min_match_fraction 0.70")
        x.lastRejection = Rejection(.spectrumAtPeak, hop: 0)
        r = try #require(listenRejection(x, hopSeconds: 0.01, within: 3))
        #expect(r.value == nil && r.limit == nil && r.field == "max_band_error_db")
    }
}
