// How well one feature frame matches one signature: spectral error, band SNR,
// tonality. Pure integer Q8.8 arithmetic; computed per entry per hop.
import EarshotDSP

/// Per-hop measures shared by every entry.
struct FrameView {
    /// bandLevel − loudest band, Q8.8 dB (≤ 0).
    var relative = SIMD8<Int16>(repeating: 0)
    /// Per bin: binPower − level of the octave band holding the bin, Q8.8 dB
    /// (≈ 0 for a pure tone at the bin); `Signature.off` for inactive bins.
    var tonality = SIMD16<Int16>(repeating: Signature.off)
    /// `tonality` smoothed over hops (one-pole, α = 1/4, ≈ 35 ms): what
    /// sustained entries use, since a single hop's Goertzel power of noise
    /// scatters by ±5 dB.
    var smoothTonality = SIMD16<Int16>(repeating: Signature.off)

    init(_ frame: FeatureFrame, binBand: SIMD16<Int8>) {
        var top = FeatureFrame.floor
        for k in 0..<8 where frame.bandLevel[k] > top { top = frame.bandLevel[k] }
        for k in 0..<8 {
            relative[k] = Saturate.toInt16(Int32(frame.bandLevel[k]) &- Int32(top))
        }
        for b in 0..<16 {
            let band = Int(binBand[b])
            if band >= 0 {
                tonality[b] = Saturate.toInt16(Int32(frame.binPower[b]) &- Int32(frame.bandLevel[band]))
            }
        }
    }
}

/// One entry's verdict on one hop.
struct FrameMatch {
    /// (mean + largest) / 2 of the excess deviations from the band template
    /// over the checked bands, Q8.8 dB.
    var bandError: Int32 = 0
    /// Spectral score, Q15: 32 767 · max(0, 1 − bandError / 12 dB).
    var spectral: Int32 = 0
    /// Largest band SNR over the template's main bands, Q8.8 dB.
    var snr: Int16 = 0
    /// Largest tonality over the entry's bins, Q8.8 dB.
    var tonality: Int16 = Signature.off
    /// Strongest (binPower) of the entry's bins, or −1.
    var dominantBin: Int = -1
    var spectralOK = false
    var snrOK = false
    var tonalOK = false

    /// All per-hop gates pass.
    var matches: Bool { spectralOK && snrOK && tonalOK }

    /// The verdict of `s` on `frame`. With `stopAtSNR`, a hop that fails the SNR gate
    /// returns at once with every other gate false: an idle entry does nothing with
    /// such a hop (a sustained run needs SNR, an impulse needs SNR to start), so the
    /// engine skips the spectral and tonal work for it.
    init(_ frame: FeatureFrame, view: FrameView, signature s: Signature, plan: EntryPlan, stopAtSNR: Bool = false) {
        // SNR over the template's main bands.
        var snrMax: Int16 = Int16.min
        for k in 0..<8 where plan.mainBands[k] != 0 && frame.bandSNR[k] > snrMax { snrMax = frame.bandSNR[k] }
        snr = snrMax == Int16.min ? 0 : snrMax
        snrOK = snr >= s.minSNR
        if stopAtSNR && !snrOK { return }

        // Spectral: excess_k = max(0, |rel_k − template_k| − tolerance_k);
        // error = (mean excess + largest excess) / 2, so one badly wrong band
        // cannot hide behind seven good ones. Bands reading FeatureFrame.floor
        // (inactive at this rate, e.g. 8 kHz at 16 kHz) are skipped, and a band
        // whose template is ≤ −20 dB may be any quieter ("stays quiet").
        var sum: Int32 = 0
        var worst: Int32 = 0
        var checked: Int32 = 0
        for k in 0..<8 where plan.checkedBands[k] != 0 && frame.bandLevel[k] > FeatureFrame.floor {
            checked &+= 1
            var d = Int32(view.relative[k]) &- Int32(s.bandTemplate[k])
            if d < 0 { d = s.bandTemplate[k] <= -20 * 256 ? 0 : 0 &- d }
            let excess = d &- Int32(s.bandTolerance[k])
            if excess > 0 { sum &+= excess; worst = max(worst, excess) }
        }
        bandError = checked > 0 ? (sum / checked &+ worst) / 2 : 0
        spectralOK = bandError <= Int32(s.maxBandError)
        let score = 32_767 &- (bandError &* 32_767) / (12 * 256)
        spectral = max(0, score)

        // Tonality over the entry's bins (smoothed for sustained entries);
        // the dominant bin is the most tonal one.
        let tones = s.kind == .sustained ? view.smoothTonality : view.tonality
        var best: Int16 = Signature.off
        for b in 0..<16 where plan.binMask & (UInt16(1) &<< UInt16(b)) != 0 {
            if tones[b] > best { best = tones[b]; dominantBin = b }
        }
        tonality = best
        tonalOK = (s.minTonality == Signature.off || best >= s.minTonality)
            && (s.maxTonality == Signature.offMax || best <= s.maxTonality)
        if s.pitchMaxHz > 0 {
            tonalOK = tonalOK && frame.pitchHz >= s.pitchMinHz && frame.pitchHz <= s.pitchMaxHz
                && frame.pitchHz > 0 && frame.pitchProminence >= s.minPitchProminence
        }
    }
}
