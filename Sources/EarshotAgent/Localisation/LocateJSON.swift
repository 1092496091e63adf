// One JSON object per localised file (`earshot locate`).

/// JSON lines of `earshot locate`.
public enum LocateJSON {
    /// `{"file":…, "onset_s":…, "onset_sample":…, "trigger":…, "bearing_deg":…,
    /// "elevation_deg":…|null, "bearing_confidence":…, "coherence":…,
    /// "residual_samples":…, "pairs":…, "method":"onset"|"sustained", "segments":…}`; angles in degrees, onset in seconds.
    public static func line(_ e: LocatedEvent) -> String {
        let b = e.bearing
        let elevation = b.elevationDeg.map { fixed($0, 3) } ?? "null"
        return "{\"file\":\(jsonString(e.file)),\"onset_s\":\(fixed(e.onsetSeconds, 6)),\"onset_sample\":\(e.onsetSample),"
            + "\"trigger\":\"\(e.trigger)\",\"valid\":\(b.valid),\"bearing_deg\":\(fixed(b.azimuthDeg, 3)),"
            + "\"elevation_deg\":\(elevation),\"bearing_confidence\":\(fixed(b.confidence, 4)),"
            + "\"coherence\":\(fixed(b.coherence, 4)),\"residual_samples\":\(fixed(b.residualSamples, 4)),\"pairs\":\(b.pairs),"
            + "\"method\":\"\(e.method)\",\"segments\":\(b.segments)}"
    }
}
