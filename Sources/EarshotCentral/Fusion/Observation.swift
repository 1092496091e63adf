// One contributing event turned into numbers the solver uses (seconds, metres, degrees).

/// A box's event prepared for the solver. Onsets are relative to a reference onset so that
/// Double keeps sub-ns resolution.
struct Observation {
    /// Where the box stands.
    let box: RegisteredBox
    /// The event.
    let event: FusionEvent
    /// Onset − reference, s; nil when the box's clock is too uncertain for timing.
    let tauS: Double?
    /// 1σ onset uncertainty, s.
    let sigmaS: Double
    /// Bearing in site angles (degrees CCW from east); nil when not reported or too unsure.
    let bearingSiteDeg: Double?
    /// 1σ of the bearing, degrees.
    let bearingSigmaDeg: Double

    init(box: RegisteredBox, event: FusionEvent, referenceNs: Int64, settings: FusionSettings) {
        self.box = box
        self.event = event
        sigmaS = settings.timingSigmaS(event.clock)
        tauS = sigmaS <= settings.timingUsableS ? Double(event.onsetNs &- referenceNs) * 1e-9 : nil
        if let b = event.bearingDeg, b.isFinite, (event.bearingConfidence ?? 0.5) >= settings.minBearingConfidence {
            bearingSiteDeg = wrapDegrees360(box.orientationDeg + b)
        } else {
            bearingSiteDeg = nil
        }
        bearingSigmaDeg = settings.bearingSigmaDeg(confidence: event.bearingConfidence)
    }
}
