// The result of one localisation.

/// Direction of arrival of one event, in the array frame (azimuth 0° = +x
/// forward, 90° = +y left, counter-clockwise seen from above).
public struct BearingEstimate: Equatable, Sendable {
    /// Azimuth of the source, degrees in [0, 360). For a `.line` array the
    /// bearing is folded onto the front half-plane (see `MicArrayGeometry`).
    public var azimuthDeg: Double = 0
    /// Elevation above the array plane, degrees in [−90, 90]; nil unless the
    /// geometry is `.volume`.
    public var elevationDeg: Double? = nil
    /// 0 … 1: mean normalised GCC-PHAT peak height (1 = the channels are
    /// delayed copies of each other in the band) reduced by the misfit of the
    /// least-squares solution.
    public var confidence: Double = 0
    /// Mean normalised GCC-PHAT peak height over the pairs, 0 … 1.
    public var coherence: Double = 0
    /// RMS misfit between measured and fitted pair delays, samples.
    public var residualSamples: Double = 0
    /// Number of microphone pairs used.
    public var pairs: Int = 0
    /// Windows whose PHAT cross-spectra were averaged: 1 for the onset
    /// window alone (impulsive path), more for a sustained sound.
    public var segments: Int = 1
    /// FFT bins of the PHAT band that took part (fewer than the band when
    /// bins the sound did not raise above the background were left out).
    public var bins: Int = 0
    /// False when no bin of the band carried energy (silent windows).
    public var valid: Bool = false

    public init() {}
}
