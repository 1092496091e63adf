// The periodic noise-level payload (noise observatory).
import EarshotText

/// Unit of the levels in a telemetry payload.
public enum LevelUnit: String, Sendable {
    /// Calibrated microphone: dB re 20 µPa.
    case dBSPL = "dB SPL"
    /// Uncalibrated: dB re full scale (AES17).
    case dBFS = "dBFS"
}

/// Noise levels over one interval as published on `…/telemetry` (QoS 0). The
/// caller computes the numbers; this only carries them. Fixed-size: encoding it
/// allocates nothing. Schema: `Schemas/telemetry.schema.json`.
public struct TelemetryMessage: Sendable, Equatable {
    /// Start of the interval (UTC).
    public var intervalStart: UTCTimestamp
    /// Interval length in seconds.
    public var intervalSeconds: Double
    /// Unit of every level below.
    public var unit: LevelUnit
    /// A-weighted equivalent level over the interval, dB.
    public var laeq: Double
    /// Maximum A-weighted level (fast time weighting or per hop), dB.
    public var lamax: Double
    /// Minimum A-weighted level, dB.
    public var lamin: Double
    /// Level exceeded 90 % of the interval (background), dB(A).
    public var la90: Double
    /// Per-octave-band Leq over the interval, dB (unweighted).
    public var bands: OctaveBandLevels

    /// Builds a telemetry sample.
    public init(intervalStart: UTCTimestamp, intervalSeconds: Double, unit: LevelUnit, laeq: Double,
                lamax: Double, lamin: Double, la90: Double, bands: OctaveBandLevels = OctaveBandLevels()) {
        self.intervalStart = intervalStart; self.intervalSeconds = intervalSeconds; self.unit = unit
        self.laeq = laeq; self.lamax = lamax; self.lamin = lamin; self.la90 = la90; self.bands = bands
    }
}

extension TelemetryMessage {
    func encode(into w: JSONWriter, sequence: UInt64, site: String, sensor: String) {
        w.reset()
        w.beginObject()
        w.key("schema"); w.int(earshotPayloadSchemaVersion)
        w.key("seq"); w.uint(sequence)
        w.key("site"); w.string(site)
        w.key("sensor"); w.string(sensor)
        w.key("interval_start"); w.timestamp(intervalStart)
        w.key("interval_start_ns"); w.int(intervalStart.nanosecondsSinceEpoch)
        w.key("interval_s"); w.number(intervalSeconds, decimals: 3)
        w.key("unit"); switch unit { case .dBSPL: w.string("dB SPL"); case .dBFS: w.string("dBFS") }
        w.key("laeq"); w.number(laeq, decimals: 1)
        w.key("lamax"); w.number(lamax, decimals: 1)
        w.key("lamin"); w.number(lamin, decimals: 1)
        w.key("la90"); w.number(la90, decimals: 1)
        w.key("band_centres_hz"); w.bandCentres()
        w.key("bands_leq"); w.bandArray(bands)
        w.endObject()
    }
}
