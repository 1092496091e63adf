// The event payload: what the detector saw, when, how loud, how sure.
import EarshotText

/// Where a box read its clock-synchronisation state (`clock.source` in the payloads).
public enum ClockSyncSource: String, Sendable, Equatable {
    /// The kernel's NTP state (`adjtimex`, read only), kept by chrony, timesyncd, ntpd or PTP.
    case adjtimex
    /// systemd-timesyncd's flag file `/run/systemd/timesync/synchronized` (adjtimex blocked,
    /// as by the shipped unit's `ProtectClock=yes`).
    case timesyncd
    /// Nothing readable said the clock is synchronised.
    case none
}

/// Clock-synchronisation state at the time a timestamp was taken, filled by the
/// caller (the agent: `ClockSyncReader`).
public struct ClockSync: Sendable, Equatable {
    /// True when the system clock is disciplined by NTP/PTP/GNSS.
    public var synchronised: Bool
    /// Estimated absolute clock error in µs (nil = unknown).
    public var estimatedErrorMicroseconds: Int64?
    /// What said so (nil: not written, as in payloads from before the field existed).
    public var source: ClockSyncSource?

    /// Builds a clock state; unknown error and source by default.
    public init(synchronised: Bool, estimatedErrorMicroseconds: Int64? = nil, source: ClockSyncSource? = nil) {
        self.synchronised = synchronised
        self.estimatedErrorMicroseconds = estimatedErrorMicroseconds
        self.source = source
    }

    /// Not synchronised, error unknown.
    public static let unknown = ClockSync(synchronised: false)
}

/// Which part of a sound an event message reports (`"phase"` in the payload).
public enum EventMessagePhase: String, Sendable, Equatable {
    /// A complete impulsive sound (gunshot, glass, …): one message per sound.
    case impulse
    /// A sustained sound (siren, horn, power tool, …) was confirmed; an `end` follows.
    case start
    /// A sustained sound ended: same `onset` as its `start`, `duration_ms` spans the
    /// whole sound, `start_id` names the `start` message when this boot published it.
    case end
}

/// One detected acoustic event as published on `…/event` (QoS 1, not retained).
/// Independent of `EarshotDetection`: the integrator converts its detector event
/// into this struct. Identity (`id`, `sequence`) is assigned by `MQTTPublisher`.
/// Schema: `Schemas/event.schema.json`.
public struct EventMessage: Sendable, Equatable {
    /// Class name from the signature table, e.g. "gunshot", "glass_break".
    public var eventClass: String
    /// Onset time, UTC with ns resolution.
    public var onset: UTCTimestamp
    /// State of the clock that produced `onset`.
    public var clock: ClockSync
    /// Duration of the event in ms.
    public var durationMs: Double
    /// Peak level in dBFS (AES17: 0 dBFS = full-scale sine).
    public var peakDBFS: Double
    /// Peak level in dB SPL when the microphone is calibrated, else nil (omitted).
    public var peakDBSPL: Double?
    /// Detector confidence, 0…1.
    public var confidence: Double
    /// Estimated bearing (azimuth) in degrees from the array's reference, 0 ≤ b < 360 (as the
    /// board's geometry defines it, see Schemas/event.schema.json); nil when unknown.
    public var bearingDegrees: Double?
    /// Elevation of the source in degrees (−90…90); nil when unknown (planar array).
    public var elevationDegrees: Double?
    /// Confidence of `bearingDegrees`, 0…1; nil when unknown.
    public var bearingConfidence: Double?
    /// Camera sector/preset index chosen for this event (0-based); nil when none.
    public var sector: Int?
    /// Per-octave-band peak levels of the event, dBFS.
    public var bands: OctaveBandLevels
    /// impulse, start or end (payload `"phase"`; absent in payloads before session 2 = impulse/start).
    public var phase: EventMessagePhase
    /// For `phase == .end`: the id of the matching `start` message (nil when unknown, e.g. across a restart).
    public var startID: String?
    /// For `phase == .end`: the sequence number of the matching `start` published by this
    /// publisher in this boot; encoded as `start_id` = `{sensor}-{boot_id}-{seq}` when `startID`
    /// is nil (the allocation-free way to name the start: no String is built).
    public var startSequence: UInt64?

    /// Builds an event; optional fields default to "unknown".
    public init(eventClass: String, onset: UTCTimestamp, clock: ClockSync = .unknown, durationMs: Double,
                peakDBFS: Double, peakDBSPL: Double? = nil, confidence: Double,
                bearingDegrees: Double? = nil, sector: Int? = nil, bands: OctaveBandLevels = OctaveBandLevels(),
                phase: EventMessagePhase = .impulse, startID: String? = nil,
                elevationDegrees: Double? = nil, bearingConfidence: Double? = nil) {
        self.eventClass = eventClass; self.onset = onset; self.clock = clock; self.durationMs = durationMs
        self.peakDBFS = peakDBFS; self.peakDBSPL = peakDBSPL; self.confidence = confidence
        self.bearingDegrees = bearingDegrees; self.sector = sector; self.bands = bands
        self.phase = phase; self.startID = startID
        self.elevationDegrees = elevationDegrees; self.bearingConfidence = bearingConfidence
    }
}

/// Version of every payload's layout (`"schema"` field); bumped on incompatible changes.
public let earshotPayloadSchemaVersion = 1

extension EventMessage {
    /// Encodes the payload into `w` (reset first). `id` and `sequence` come from the publisher.
    func encode(into w: JSONWriter, id: String, sequence: UInt64, site: String, sensor: String) {
        encode(into: w, sequence: sequence, site: site, sensor: sensor) { $0.string(id) }
    }

    /// Encodes the payload into `w` (reset first) with the id `{sensor}-{bootID}-{sequence}`
    /// written piecewise: no String is built, nothing is allocated.
    func encode(into w: JSONWriter, sequence: UInt64, bootID: String, site: String, sensor: String) {
        encode(into: w, sequence: sequence, site: site, sensor: sensor, startIDPrefix: bootID) {
            $0.eventID(sensor: sensor, bootID: bootID, sequence: sequence)
        }
    }

    private func encode(into w: JSONWriter, sequence: UInt64, site: String, sensor: String, startIDPrefix bootID: String? = nil,
                        id writeID: (JSONWriter) -> Void) {
        w.reset()
        w.beginObject()
        w.key("schema"); w.int(earshotPayloadSchemaVersion)
        w.key("id"); writeID(w)
        w.key("seq"); w.uint(sequence)
        w.key("site"); w.string(site)
        w.key("sensor"); w.string(sensor)
        w.key("class"); w.string(eventClass)
        w.key("phase"); w.string(phase.rawValue)
        if phase == .end {
            if let s = startID { w.key("start_id"); w.string(s) }
            else if let s = startSequence, let bootID { w.key("start_id"); w.eventID(sensor: sensor, bootID: bootID, sequence: s) }
        }
        w.key("onset"); w.timestamp(onset)
        w.key("onset_ns"); w.int(onset.nanosecondsSinceEpoch)
        w.key("clock"); w.clockSync(clock)
        w.key("duration_ms"); w.number(durationMs, decimals: 1)
        w.key("peak_dbfs"); w.number(peakDBFS, decimals: 2)
        if let spl = peakDBSPL, spl.isFinite { w.key("peak_db_spl"); w.number(spl, decimals: 2) }
        w.key("confidence"); w.number(min(max(confidence, 0), 1), decimals: 3)
        if let b = bearingDegrees, b.isFinite {
            // [0, 360) after rounding to the published 0.1°.
            var deg = b.truncatingRemainder(dividingBy: 360)
            if deg < 0 { deg += 360 }
            if (deg * 10).rounded() >= 3600 { deg = 0 }
            w.key("bearing_deg"); w.number(deg, decimals: 1)
            if let e = elevationDegrees, e.isFinite { w.key("elevation_deg"); w.number(min(max(e, -90), 90), decimals: 1) }
            if let c = bearingConfidence, c.isFinite { w.key("bearing_confidence"); w.number(min(max(c, 0), 1), decimals: 3) }
        }
        if let s = sector { w.key("sector"); w.int(s) }
        w.key("band_centres_hz"); w.bandCentres()
        w.key("bands_dbfs"); w.bandArray(bands)
        w.endObject()
    }
}

extension JSONWriter {
    /// Writes the string `"{sensor}-{bootID}-{sequence}"` (an event id) without building it.
    func eventID(sensor: String, bootID: String, sequence: UInt64) {
        stringPieces { w in
            w.appendEscaped(sensor); w.appendRaw(0x2D); w.appendEscaped(bootID); w.appendRaw(0x2D); w.appendDecimal(sequence)
        }
    }

    /// Writes `{"synchronised":…,"error_us":…|null[,"source":"adjtimex"|"timesyncd"|"none"]}`.
    func clockSync(_ c: ClockSync) {
        beginObject()
        key("synchronised"); bool(c.synchronised)
        key("error_us")
        if let e = c.estimatedErrorMicroseconds { int(e) } else { null() }
        if let s = c.source {
            key("source")
            switch s {
            case .adjtimex: string("adjtimex" as StaticString)
            case .timesyncd: string("timesyncd" as StaticString)
            case .none: string("none" as StaticString)
            }
        }
        endObject()
    }
}
