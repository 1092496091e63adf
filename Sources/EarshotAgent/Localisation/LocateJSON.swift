// One JSON object per localised file (`earshot locate`).
import EarshotText

/// JSON lines of `earshot locate`.
public enum LocateJSON {
    /// `{"file":…, "onset_s":…, "onset_sample":…, "trigger":…, "bearing_deg":…,
    /// "elevation_deg":…|null, "bearing_confidence":…, "coherence":…,
    /// "residual_samples":…, "pairs":…, "method":"onset"|"sustained", "segments":…}`; angles in degrees, onset in seconds.
    public static func line(_ e: LocatedEvent) -> String {
        let b = e.bearing
        let elevation = b.elevationDeg.map { FixedDecimal.string($0, 3) } ?? "null"
        return "{\"file\":\(JSONEscaping.quoted(e.file)),\"onset_s\":\(FixedDecimal.string(e.onsetSeconds, 6)),\"onset_sample\":\(e.onsetSample),"
            + "\"trigger\":\"\(e.trigger)\",\"valid\":\(b.valid),\"bearing_deg\":\(FixedDecimal.string(b.azimuthDeg, 3)),"
            + "\"elevation_deg\":\(elevation),\"bearing_confidence\":\(FixedDecimal.string(b.confidence, 4)),"
            + "\"coherence\":\(FixedDecimal.string(b.coherence, 4)),\"residual_samples\":\(FixedDecimal.string(b.residualSamples, 4)),\"pairs\":\(b.pairs),"
            + "\"method\":\"\(e.method)\",\"segments\":\(b.segments)}"
    }
}
