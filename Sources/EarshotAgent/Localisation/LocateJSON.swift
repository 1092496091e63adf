// One JSON object per localised file (`earshot locate`).
import EarshotText

/// JSON lines of `earshot locate`.
public enum LocateJSON {
    /// `{"file":…, "onset_s":…, "onset_sample":…, "trigger":…, "valid":…, "bearing_deg":…,
    /// "elevation_deg":…|null, "bearing_confidence":…, "coherence":…,
    /// "residual_samples":…, "pairs":…, "method":"onset"|"sustained", "segments":…}`; angles in degrees
    /// (3 decimals), onset in seconds (6), confidence, coherence and residual (samples) with 4.
    /// A NaN or infinite number is written as null.
    public static func line(_ e: LocatedEvent) -> String {
        let b = e.bearing
        let capacity = 768 + JSONWriter.maxStringBytes(e.file) + JSONWriter.maxStringBytes(e.trigger)
        return JSONWriter.document(capacity: capacity) { w in
            w.beginObject()
            w.key("file"); w.string(e.file)
            w.key("onset_s"); w.number(e.onsetSeconds, decimals: 6)
            w.key("onset_sample"); w.int(e.onsetSample)
            w.key("trigger"); w.string(e.trigger)
            w.key("valid"); w.bool(b.valid)
            w.key("bearing_deg"); w.number(b.azimuthDeg, decimals: 3)
            w.key("elevation_deg"); w.number(b.elevationDeg, decimals: 3)
            w.key("bearing_confidence"); w.number(b.confidence, decimals: 4)
            w.key("coherence"); w.number(b.coherence, decimals: 4)
            w.key("residual_samples"); w.number(b.residualSamples, decimals: 4)
            w.key("pairs"); w.int(b.pairs)
            w.key("method"); w.string(e.method)
            w.key("segments"); w.int(b.segments)
            w.endObject()
        }
    }
}
