// Streaming synthetic street audio at 16 kHz: traffic-like noise (low-passed noise whose level
// swells as cars pass) plus events at random times (fixed seed), generated block by block so
// 24 h of audio is never held in memory.
import EarshotDSP
import Glibc


/// Kinds of inserted events; each maps to one class of the relaxed synthetic table.
enum InsertedKind: UInt8 {
    /// Broadband burst, instant attack, 25 ms decay, 0.25 s long (→ "gunshot").
    case shot = 0
    /// 420 Hz horn with 3 harmonics, 0.5 s, 30 ms fades (→ "car_horn").
    case horn = 1

    var className: String { self == .shot ? "gunshot" : "car_horn" }
    var lengthSamples: Int { self == .shot ? 4_000 : 8_000 }
}

/// One event written into the audio: onset sample (16 kHz) and kind.
struct InsertedEvent {
    var onsetSample: Int64
    var kind: InsertedKind
}

/// Generates the soundscape; `fill` continues where the previous call stopped.
struct StreetSynth {
    static let rate = 16_000
    /// Gap between consecutive event onsets, seconds (uniform).
    static let gapRange = 20.0...220.0

    private var rng: SplitMix64
    private var eventRng: SplitMix64
    private var sample: Int64 = 0
    // Traffic: white noise → two one-pole low-passes (≈ 400 Hz, then ≈ 2 kHz mix) with a level
    // that follows a slowly varying "passing cars" envelope (≈ 4 s time constant).
    private var lp1 = 0.0
    private var swell = 0.0
    private var swellTarget = 0.5
    private var nextSwellChange: Int64 = 0
    // Current event being written.
    private var active: InsertedEvent?
    private var nextOnset: Int64
    /// Every event written so far, in time order (capacity reserved up front: no growth).
    private(set) var events: [InsertedEvent]

    init(seed: UInt64, hours: Double) {
        rng = SplitMix64(state: seed)
        eventRng = SplitMix64(state: seed ^ 0x5EED)
        nextOnset = Int64(10 * Double(Self.rate))  // first event 10 s in
        events = []
        events.reserveCapacity(Int(hours * 3600 / Self.gapRange.lowerBound) + 16)
    }

    /// Writes `out.count` Q15 samples of the soundscape.
    mutating func fill(_ out: UnsafeMutableBufferPointer<Int16>) {
        let a1 = 1 - exp(-2 * Double.pi * 400 / Double(Self.rate))
        let aSwell = 1 - exp(-1 / (4 * Double(Self.rate)))
        for i in 0..<out.count {
            if sample >= nextSwellChange {
                swellTarget = 0.2 + 0.8 * rng.unit()
                nextSwellChange = sample + Int64((2 + 6 * rng.unit()) * Double(Self.rate))
            }
            swell += aSwell * (swellTarget - swell)
            let w = rng.signed()
            lp1 += a1 * (w - lp1)
            var x = (0.05 * lp1 + 0.004 * w) * (0.3 + swell)

            if active == nil && sample == nextOnset {
                let kind: InsertedKind = eventRng.unit() < 0.5 ? .shot : .horn
                let e = InsertedEvent(onsetSample: sample, kind: kind)
                active = e
                if events.count < events.capacity { events.append(e) }
                let gap = Self.gapRange.lowerBound + (Self.gapRange.upperBound - Self.gapRange.lowerBound) * eventRng.unit()
                nextOnset = sample + Int64(gap * Double(Self.rate))
            }
            if let e = active {
                let k = Int(sample - e.onsetSample)
                switch e.kind {
                case .shot:
                    x += eventRng.signed() * 0.8 * exp(-Double(k) / 400)
                case .horn:
                    let t = Double(k) / Double(Self.rate)
                    let ramp = min(1, Double(k) / 480, Double(8_000 - k) / 480)
                    x += ramp * (0.18 * sin(2 * .pi * 420 * t) + 0.09 * sin(2 * .pi * 840 * t) + 0.045 * sin(2 * .pi * 1_260 * t))
                }
                if k + 1 >= e.kind.lengthSamples { active = nil }
            }
            out[i] = Int16(max(-32_768, min(32_767, (x * 32_768).rounded())))
            sample += 1
        }
    }
}
