// Read-only "why did (or didn't) this entry fire" view of the detector, for
// `earshot listen`. Recomputes the per-hop match of one entry from the frame
// just processed and reads the entry's state; changes nothing. Embedded-clean:
// fixed-size values only, no allocation.
import EarshotDSP

/// The per-hop verdict of one table entry on the last processed frame.
/// Levels and margins are Q8.8 dB; scores Q15 (32 767 = 1.0).
public struct EntryExplanation: Sendable, Equatable {
    /// State-machine phase of the entry.
    public enum State: UInt8, Sendable {
        /// Waiting for a matching hop (impulsive: a rise; sustained: a match).
        case idle
        /// Sustained: matching, not yet confirmed (min duration / sweep / repetition).
        case pending
        /// Sustained: confirmed and reported (`.start` sent).
        case active
        /// Sustained: outlasted max duration unconfirmed; waits until it stops.
        case rejected
        /// Impulsive: tracking a candidate until its level decays.
        case tracking
        /// In its cooldown after an event.
        case cooldown
        /// Not usable at this sample rate (its tonal bins have no Goertzel bin).
        case inactive
    }
    /// Entry index in the table.
    public var entryIndex = 0
    public var state = State.inactive
    /// Spectral score, Q15 (1 − excess band deviation / 12 dB, clamped).
    public var spectral: Int32 = 0
    /// Excess band deviation, Q8.8 dB, and the entry's limit (`max_band_error_db`).
    public var bandError: Int32 = 0
    public var maxBandError: Int16 = 0
    /// Largest band SNR over the entry's main bands, and its threshold (`min_snr_db`), Q8.8 dB.
    public var snr: Int16 = 0
    public var minSNR: Int16 = 0
    /// Largest tonality over the entry's bins, Q8.8 dB (`Signature.off` when none), and its gate.
    public var tonality: Int16 = Signature.off
    public var minTonality: Int16 = Signature.off
    /// Unweighted level of the hop and the entry's level gate (`Signature.off`: none), Q8.8 dBFS.
    public var level: Int16 = FeatureFrame.floor
    public var minLevel: Int16 = Signature.off
    /// Per-hop gates.
    public var spectralOK = false
    public var snrOK = false
    public var tonalOK = false
    public var levelOK = false
    /// Impulsive entries: the hop's envelope rise and the entry's `min_rise_db_per_ms`
    /// (`Signature.off`: an onset is enough), Q8.8 dB/ms. A sound starts a candidate only
    /// on a hop that rises this fast.
    public var rise: Int16 = 0
    public var minRise: Int16 = Signature.off
    public var isImpulsive = false
    /// The rule that last turned a candidate of this entry down, and how many hops
    /// before this frame (−1 = never).
    public var lastRejection = Rejection()
    public var hopsSinceRejection: Int64 = -1
    /// Every per-hop gate passes (the temporal rules decide the rest).
    public var matches: Bool { spectralOK && snrOK && tonalOK && levelOK }

    public init() {}
}

extension DetectionEngine {
    /// The verdict of entry `index` on `frame`, which must be the frame last given to
    /// `process` (the smoothed tonality used by sustained entries is the engine's
    /// current one). Does not change the engine.
    public func explain(_ frame: FeatureFrame, entry index: Int) -> EntryExplanation {
        var x = EntryExplanation()
        x.entryIndex = index
        guard index >= 0 && index < table.count else { return x }
        let s = table[index]
        let p = plans[index]
        x.maxBandError = s.maxBandError
        x.minSNR = s.minSNR
        x.minTonality = s.minTonality
        x.minLevel = p.minLevel
        x.level = frame.levelZ
        x.isImpulsive = s.kind == .impulsive
        x.rise = frame.riseRate
        x.minRise = s.minRise
        guard p.isActive else { return x }
        var view = FrameView(frame, binBand: binBand)
        for b in 0..<16 { view.smoothTonality[b] = Saturate.toInt16(smoothTonality[b]) }
        let m = FrameMatch(frame, view: view, signature: s, plan: p)
        x.spectral = m.spectral
        x.bandError = m.bandError
        x.snr = m.snr
        x.tonality = m.tonality
        x.spectralOK = m.spectralOK
        x.snrOK = m.snrOK
        x.tonalOK = m.tonalOK
        x.levelOK = p.minLevel == Signature.off || frame.levelZ >= p.minLevel
        let st = states[index]
        let r = rejections[index]
        if r.rule != .none {
            x.lastRejection = r
            x.hopsSinceRejection = frame.hopIndex &- r.hop
        }
        switch st.phase {
        case .idle: x.state = frame.hopIndex < st.cooldownUntil ? .cooldown : .idle
        case .pending: x.state = .pending
        case .active: x.state = .active
        case .rejected: x.state = .rejected
        case .tracking: x.state = .tracking
        }
        return x
    }
}
