// Tunables of the fusion, with their units; defaults suit a street deployment.

/// Parameters of `FusionEngine` and `Localiser`. Times in seconds, distances in metres.
public struct FusionSettings: Sendable, Equatable {
    /// Speed of sound, m/s (the registry's value replaces this default).
    public var speedOfSoundMPerS = 343.0
    /// Onset picking jitter of a box's detector, s (1σ), added to the clock error.
    public var onsetJitterS = 0.0003
    /// Clock error assumed when a synchronised box reports `error_us: null`, s (1σ).
    public var unknownSyncErrorS = 0.005
    /// Clock error assumed for an unsynchronised box, s (1σ): its onset carries no timing.
    public var unsynchronisedErrorS = 1.0
    /// Onsets with a 1σ uncertainty above this are not used for TDOA (bearing/presence only), s.
    public var timingUsableS = 0.05
    /// Gate width: two onsets belong to one source when their difference is within the
    /// boxes' distance / c plus this many σ of the combined uncertainty.
    public var gateSigmas = 4.0
    /// Extra gate slack, s.
    public var gateSlackS = 0.002
    /// An incident closes after this long without a new contributing event (receive time), s.
    public var closeAfterS = 10.0
    /// Closed incidents are remembered this long, s: late events consistent with one are
    /// absorbed (no second incident).
    public var rememberClosedS = 600.0
    /// Onsets later than the receive time by more than this are impossible, s.
    public var maxFutureS = 5.0
    /// Onsets before this instant (ns since 1970, UTC) are impossible: a clock never set.
    public var earliestOnsetNs: Int64 = 1_577_836_800_000_000_000  // 2020-01-01T00:00:00Z
    /// Bearing 1σ at bearing confidence 1, degrees.
    public var bearingSigmaBestDeg = 3.0
    /// Bearing 1σ at bearing confidence 0, degrees (interpolated linearly in between).
    public var bearingSigmaWorstDeg = 30.0
    /// Bearings with a confidence below this are ignored (the agent's own camera threshold).
    public var minBearingConfidence = 0.3
    /// Typical source level of a class at 1 m, dB SPL, for the 1-box range band (optional).
    public var sourceLevelDbSplAt1m: [String: Double] = [:]
    /// Event ids remembered for de-duplication (oldest forgotten first).
    public var seenEventCapacity = 200_000

    /// Defaults.
    public init() {}

    /// 1σ timing uncertainty of an event's onset, s: clock error (reported, assumed, or
    /// `unsynchronisedErrorS`) and onset jitter added in quadrature.
    public func timingSigmaS(_ clock: EventClock) -> Double {
        let clockS: Double
        if !clock.synchronised { clockS = unsynchronisedErrorS }
        else if let e = clock.errorUs { clockS = Double(e) * 1e-6 }
        else { clockS = unknownSyncErrorS }
        return (clockS * clockS + onsetJitterS * onsetJitterS).squareRoot()
    }

    /// 1σ of a bearing of this confidence, degrees (nil confidence counts as 0.5).
    public func bearingSigmaDeg(confidence: Double?) -> Double {
        let c = min(max(confidence ?? 0.5, 0), 1)
        return bearingSigmaWorstDeg + (bearingSigmaBestDeg - bearingSigmaWorstDeg) * c
    }
}
