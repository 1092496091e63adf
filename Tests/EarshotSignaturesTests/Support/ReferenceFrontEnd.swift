// A double-precision stand-in for AnalysisChain, used to exercise the default
// table on synthesised audio independently of the fixed-point kernels. It
// follows the FeatureFrame contract: octave band Leq (one RBJ band-pass
// biquad per band, Q = 1.41), Goertzel power over the hop, a background
// tracker per band (follows decreases at once, rises at 3 dB/s), envelope
// rise in dB/ms from 1 ms RMS blocks, crest factor.
import EarshotDSP
import Foundation

struct ReferenceFrontEnd {
    let config: AnalysisConfig
    var bands: [[TestBiquad]]
    var background = [Double](repeating: .nan, count: 8)
    var backgroundZ = Double.nan
    var lastBlockDB = -120.0
    var hop: Int64 = 0
    /// cos/sin tables per bin over one hop (Goertzel as a single-bin DFT).
    var twiddles: [(cos: [Double], sin: [Double])] = []

    init(config: AnalysisConfig) {
        self.config = config
        let rate = Double(config.sampleRate)
        let hop = Int(config.hopSamples)
        twiddles = (0..<16).map { b in
            let w = 2 * Double.pi * Double(config.binFrequencies[b]) / rate
            return ((0..<hop).map { cos(w * Double($0)) }, (0..<hop).map { sin(w * Double($0)) })
        }
        bands = (0..<8).map { k in
            let fc = 62.5 * pow(2, Double(k))
            guard fc < rate / 2 * 0.9 else { return [] }
            return [TestBiquad(.bandpass, hz: fc, q: 1.41, rate: rate)]
        }
    }

    static func db(_ meanSquare: Double) -> Double { max(-120, 10 * log10(max(1e-30, 2 * meanSquare))) }
    static func q(_ x: Double) -> Int16 { Int16(max(-32_768, min(32_767, (x * 256).rounded()))) }

    mutating func process(_ x: ArraySlice<Double>) -> FeatureFrame {
        var f = FeatureFrame()
        let n = Double(x.count)
        f.hopIndex = hop
        f.firstSample = hop * Int64(x.count)
        hop += 1
        let z = Self.db(x.map { $0 * $0 }.reduce(0, +) / n)
        f.levelZ = Self.q(z)
        f.levelA = f.levelZ
        let peak = x.map { abs($0) }.max() ?? 0
        f.peak = Self.q(20 * log10(max(1e-6, peak)))
        f.crest = Self.q(max(0, 20 * log10(max(1e-6, peak)) - z + 3.01))
        var levels = [Double](repeating: -120, count: 8)
        for k in 0..<8 where !bands[k].isEmpty {
            var ms = 0.0
            for s in x {
                let y = bands[k][0].run(s)
                ms += y * y
            }
            // One RBJ band-pass, Q = 1.41: unity gain at fc, −3 dB bandwidth 0.71·fc (an octave).
            levels[k] = Self.db(ms / n)
        }
        for k in 0..<8 {
            if background[k].isNaN || levels[k] < background[k] { background[k] = levels[k] } else { background[k] += 0.03 }
            f.bandLevel[k] = Self.q(levels[k])
            f.bandBackground[k] = Self.q(background[k])
            f.bandSNR[k] = Self.q(max(0, levels[k] - background[k]))
        }
        if backgroundZ.isNaN || z < backgroundZ { backgroundZ = z } else { backgroundZ += 0.03 }
        f.backgroundZ = Self.q(backgroundZ)
        // Goertzel over the hop.
        let rate = Double(config.sampleRate)
        for b in 0..<16 where b < Int(config.binCount) && Double(config.binFrequencies[b]) < rate / 2 {
            var re = 0.0, im = 0.0
            let t = twiddles[b]
            for (i, s) in x.enumerated() { re += s * t.cos[i]; im -= s * t.sin[i] }
            let amplitude = 2 * (re * re + im * im).squareRoot() / n
            f.binPower[b] = Self.q(max(-120, 20 * log10(max(1e-6, amplitude))))
        }
        // Envelope rise over 1 ms blocks.
        let block = max(1, Int(rate / 1_000))
        var best = 0.0, at = -1, i = x.startIndex
        while i + block <= x.endIndex {
            let d = Self.db(x[i..<i + block].map { $0 * $0 }.reduce(0, +) / Double(block))
            let rise = d - lastBlockDB
            if rise > best { best = rise; at = i - x.startIndex }
            lastBlockDB = max(d, lastBlockDB - 0.2)   // release ≈ 0.2 dB/ms
            i += block
        }
        f.riseRate = Self.q(best)
        f.onsetOffset = best >= config.onsetRiseDbPerMs && d(levels: z) ? Int16(at) : -1
        f.envelope = Self.q(lastBlockDB)
        return f
    }

    /// Onsets only count above the background by 6 dB.
    func d(levels z: Double) -> Bool { z > backgroundZ + 6 }
}
