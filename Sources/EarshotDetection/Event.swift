// What the detector reports. Fixed size, no references.

/// Phase of an event.
public enum EventPhase: UInt8, Sendable {
    /// A sustained sound was confirmed (it has lasted `min_duration_ms`);
    /// `offsetSample` is the end of the hop where it was confirmed. An `.end`
    /// with the same `soundClass` always follows (at the latest after
    /// `max_duration_ms`, or at `DetectionEngine.finish`).
    case start = 0
    /// A sustained sound ended; `onsetSample`…`offsetSample` span the whole
    /// sound. Carries the same onset as its `.start`.
    case end = 1
    /// A complete impulsive sound (gunshot, explosion, glass, loud impulse):
    /// a single event with onset and offset.
    case impulse = 2
}

/// One detection. Levels are Q8.8 dB (1 LSB = 1/256 dB); times are sample
/// indices since the analysis chain started (`FeatureFrame.firstSample` units).
public struct Event: Equatable, Sendable {
    /// The class recognised.
    public var soundClass: SoundClass
    /// Index of the matching entry in the engine's `SignatureTable`, or
    /// `Event.classifierEntry` when the table's learned classifier decided.
    public var entryIndex: UInt8
    /// start / end (sustained classes) or impulse (impulsive classes).
    public var phase: EventPhase
    /// Monotonically increasing per engine, starting at 1; an `.end` gets its own number.
    public var sequence: UInt64
    /// First sample of the sound: hop `firstSample` + `onsetOffset` of the
    /// hop where it began (hop start when the onset detector did not fire).
    public var onsetSample: Int64
    /// One past the last sample of the sound (`.end`, `.impulse`), or the end
    /// of the confirming hop (`.start`).
    public var offsetSample: Int64
    /// Largest 10 ms Leq (FeatureFrame.levelZ) within the sound, Q8.8 dBFS.
    public var peakLevel: Int16
    /// `peakLevel` + calibration offset, Q8.8 dB SPL; valid when `isCalibrated`.
    public var peakLevelSPL: Int16
    /// True when the engine was given a dBFS → dB SPL offset.
    public var isCalibrated: Bool
    /// Confidence in [0, 1] as UInt16: 65 535 = 1.0 (see DetectionEngine).
    public var confidence: UInt16
    /// Octave band levels (63 Hz … 8 kHz) of the loudest hop, Q8.8 dBFS.
    public var bandProfile: SIMD8<Int16>
    /// Onset sample per microphone channel, filled by direction finding;
    /// −1 = unknown. The detector leaves every lane at −1.
    public var channelOnsets: SIMD8<Int64>

    /// `entryIndex` of events decided by the table's learned classifier.
    public static let classifierEntry: UInt8 = 255

    /// An empty event (class gunshot, sequence 0); the engine fills every field.
    public init() {
        soundClass = .gunshot
        entryIndex = 0
        phase = .impulse
        sequence = 0
        onsetSample = 0
        offsetSample = 0
        peakLevel = -120 * 256
        peakLevelSPL = -120 * 256
        isCalibrated = false
        confidence = 0
        bandProfile = SIMD8(repeating: -120 * 256)
        channelOnsets = SIMD8(repeating: -1)
    }

    /// offsetSample − onsetSample, in samples.
    public var durationSamples: Int64 { offsetSample &- onsetSample }
}

/// A fixed-capacity list of events for callers that prefer not to pass a
/// closure (Embedded targets). Holds up to `EventBatch.capacity` events;
/// further events in the same hop are counted in `dropped`.
public struct EventBatch: Sendable {
    /// Maximum events held.
    public static let capacity = 8
    @usableFromInline var storage: InlineArray<8, Event> = InlineArray(repeating: Event())
    /// Number of valid events (0…capacity).
    public private(set) var count: Int = 0
    /// Events that did not fit since the last `removeAll()`.
    public private(set) var dropped: Int = 0

    public init() {}

    /// The i-th event, i in 0 ..< count.
    public subscript(i: Int) -> Event { storage[i] }

    /// Appends `event`, or counts it in `dropped` when full.
    public mutating func append(_ event: Event) {
        if count < 8 { storage[count] = event; count += 1 } else { dropped += 1 }
    }

    /// Empties the batch (call before each hop).
    public mutating func removeAll() { count = 0; dropped = 0 }
}
