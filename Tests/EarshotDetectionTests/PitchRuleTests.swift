// The pitch-track rules of sustained entries (pitch_hz, min_pitch_prominence_db,
// min_pitch_continuity, min_pitch_moving, min_pitch_span) on scripted frames: a
// wail and a hi-lo confirm; a steady tone, a jumping peak, a narrow glide and a
// weak peak are turned down with the rule named.
import EarshotDSP
import Foundation
import Testing
@testable import EarshotDetection

@Suite("Pitch-track rules (scripted frames)")
struct PitchRuleTests {
    /// The shipped siren entry's pitch rules on an entry whose spectrum always matches.
    static var siren: Signature {
        var s = Signature()
        s.name = SignatureName("siren")
        s.soundClass = .siren
        s.kind = .sustained
        s.bandTemplate = SIMD8(-40 * 256, -40 * 256, -40 * 256, 0, 0, 0, -40 * 256, -40 * 256)
        s.bandTolerance = SIMD8(repeating: 60 * 256)
        s.maxBandError = 60 * 256
        s.pitchMinHz = 400; s.pitchMaxHz = 2_500
        s.minPitchProminence = 12 * 256
        s.pitchStepHz = 40
        s.minPitchContinuity = 30_474   // 0.93
        s.minPitchMoving = 4_915        // 0.15
        s.minPitchSpan = 307            // 1.2
        s.minDurationMs = 2_500
        s.maxDurationMs = 60_000
        s.gapMs = 100
        s.minMatchFraction = 16_384
        s.minSNR = 14 * 256
        s.minConfidence = 0
        s.cooldownMs = 3_000
        return s
    }

    /// A loud hop (20 dB over background in 500 Hz–2 kHz) with this pitch peak.
    static func hop(_ hz: Double, prominence: Double = 16) -> FeatureFrame {
        var f = FrameScript.frame(bands: [0, 0, 0, 20, 20, 20, 0, 0])
        f.pitchHz = Int16(hz.rounded())
        f.pitchProminence = Int16(prominence * 256)
        return f
    }

    static func run(_ pitches: [Double], prominence: Double = 16) -> FrameScript {
        var run = FrameScript([siren])
        run.feed(FrameScript.frame(), count: 30)
        for p in pitches { run.feed(hop(p, prominence: prominence)) }
        run.feed(FrameScript.frame(), count: 30)
        run.finish()
        return run
    }

    @Test("a wail (650 ↔ 1 500 Hz, 3 s period, bin-quantised) is one siren start and end")
    func wail() {
        let pitches = (0..<300).map { h -> Double in
            let f = 1_075 - 425 * cos(2 * Double.pi * Double(h) / 300)
            return (f / 31.25).rounded() * 31.25
        }
        let run = Self.run(pitches)
        #expect(run.events.map(\.phase) == [.start, .end])
        #expect(run.events.first?.soundClass == .siren)
    }

    @Test("a hi-lo (435 / 580 Hz, 0.5 s each) is a siren")
    func hiLo() {
        let pitches = (0..<300).map { h in (h / 50) % 2 == 0 ? 437.5 : 581.25 }
        #expect(Self.run(pitches).events.map(\.phase) == [.start, .end])
    }

    @Test("a steady tone (a horn, a bell) is turned down by min_pitch_moving")
    func steady() {
        let run = Self.run([Double](repeating: 843.75, count: 300))
        #expect(run.events.isEmpty)
        #expect(run.engine.rejections[0].rule == .pitchMoving)
    }

    @Test("a peak jumping at random (noise, speech) is turned down by min_pitch_continuity")
    func jumping() {
        var x: UInt64 = 12_345
        let pitches = (0..<300).map { _ -> Double in
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return 400 + Double(x >> 40).truncatingRemainder(dividingBy: 2_100)
        }
        let run = Self.run(pitches)
        #expect(run.events.isEmpty)
        #expect(run.engine.rejections[0].rule == .pitchContinuity)
    }

    @Test("a glide over less than 1.2× is turned down by min_pitch_span")
    func narrow() {
        // 1 000 → 1 150 Hz and back, 1 bin every 4 hops: continuous and moving, span 1.15.
        let pitches = (0..<300).map { h -> Double in
            let step = (h / 4) % 10
            return 1_000 + 15.625 * Double(step < 5 ? step : 10 - step) * 2
        }
        let run = Self.run(pitches)
        #expect(run.events.isEmpty)
        #expect(run.engine.rejections[0].rule == .pitchSpan)
    }

    @Test("a wail whose peak is not prominent never matches; no pitch rule, no pitch needed")
    func prominence() {
        let pitches = (0..<300).map { h in 700 + 2.5 * Double(h) }
        #expect(Self.run(pitches, prominence: 9).events.isEmpty)
        #expect(!Self.run(pitches, prominence: 12).events.isEmpty)
        // The same entry without a pitch rule fires on the loud hops alone.
        var plain = Self.siren
        plain.pitchMaxHz = 0; plain.pitchMinHz = 0
        var run = FrameScript([plain])
        run.feed(FrameScript.frame(bands: [0, 0, 0, 20, 20, 20, 0, 0]), count: 300)
        run.finish()
        #expect(run.events.map(\.phase) == [.start, .end])
    }
}
