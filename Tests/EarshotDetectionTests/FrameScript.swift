// Builds FeatureFrame sequences directly (no audio), for state-machine tests.
import EarshotDSP
import Foundation
@testable import EarshotDetection

/// A scripted run: frames at 16 kHz with a 160-sample hop, background
/// −70 dBFS in every band unless a hop says otherwise.
struct FrameScript {
    var config = AnalysisConfig()
    var hop: Int64 = 0
    var events: [Event] = []
    var engine: DetectionEngine

    init(_ signatures: [Signature], splOffset: Int16? = nil) {
        var table = SignatureTable()
        for s in signatures { table.append(s) }
        engine = DetectionEngine(table: table, config: config, splOffset: splOffset)
    }

    /// A frame whose bands are `background + snr` (dB) where given, else background.
    static func frame(bands: [Double]? = nil, background: Double = -70, tone: (bin: Int, db: Double)? = nil,
                      rise: Double = 0, onsetOffset: Int16 = -1) -> FeatureFrame {
        var f = FeatureFrame()
        for k in 0..<8 {
            let level = bands.map { background + $0[k] } ?? background
            f.bandLevel[k] = Int16((level * 256).rounded())
            f.bandBackground[k] = Int16((background * 256).rounded())
            f.bandSNR[k] = Int16(((level - background) * 256).rounded())
        }
        var power = 0.0
        for k in 0..<8 { power += pow(10.0, (background + (bands?[k] ?? 0)) / 10) }
        let total: Double = 10 * log10(power)
        f.levelZ = Int16((total * 256).rounded())
        f.backgroundZ = Int16(((background + 9) * 256).rounded())
        // Noise: every bin 9 dB under its band; an optional tone at a bin.
        for b in 0..<16 { f.binPower[b] = Int16(((background - 9) * 256).rounded()) }
        if let tone { f.binPower[tone.bin] = Int16((tone.db * 256).rounded()) }
        f.riseRate = Int16((rise * 256).rounded())
        f.onsetOffset = onsetOffset
        f.crest = 3 * 256
        return f
    }

    /// Feeds `frame` `count` times (hop indices and samples advance).
    mutating func feed(_ frame: FeatureFrame, count: Int = 1) {
        for _ in 0..<count {
            var f = frame
            f.hopIndex = hop
            f.firstSample = hop * 160
            engine.process(f) { events.append($0) }
            hop += 1
        }
    }

    mutating func finish() {
        engine.finish(atSample: hop * 160) { events.append($0) }
    }
}

extension Signature {
    /// A steady tone at the 400 Hz bin (bin 0 of the default config, band 3 = 500 Hz).
    static func testTone(minMs: Int32 = 200, maxMs: Int32 = 3_000, cooldownMs: Int32 = 500) -> Signature {
        var s = Signature()
        s.name = SignatureName("test_tone")
        s.soundClass = .carHorn
        s.kind = .sustained
        s.bandTemplate = SIMD8(-40 * 256, -40 * 256, -40 * 256, 0, -40 * 256, -40 * 256, -40 * 256, -40 * 256)
        s.bandTolerance = SIMD8(60 * 256, 60 * 256, 60 * 256, 3 * 256, 60 * 256, 60 * 256, 60 * 256, 60 * 256)
        s.tonalHz = SIMD8(400, 0, 0, 0, 0, 0, 0, 0)
        s.minTonality = -4 * 256
        s.minDurationMs = minMs
        s.maxDurationMs = maxMs
        s.gapMs = 50
        s.minSNR = 10 * 256
        s.minConfidence = 0
        s.cooldownMs = cooldownMs
        return s
    }

    /// Any fast rise 20 dB over background.
    static func testImpulse(cooldownMs: Int32 = 300) -> Signature {
        var s = Signature()
        s.name = SignatureName("test_impulse")
        s.soundClass = .loudImpulse
        s.kind = .impulsive
        s.minRise = 2 * 256
        s.minSNR = 20 * 256
        s.minDurationMs = 0
        s.maxDurationMs = 1_000
        s.decayDrop = 20 * 256
        s.minConfidence = 0
        s.cooldownMs = cooldownMs
        return s
    }
}

/// Bands with the tone's band 30 dB over background, others at background.
let toneBands: [Double] = [0, 0, 0, 30, 0, 0, 0, 0]
/// A hop holding the 400 Hz tone (bin 0) at −40 dBFS in band 3.
let toneFrame = FrameScript.frame(bands: toneBands, tone: (bin: 0, db: -40))
let quietFrame = FrameScript.frame()
