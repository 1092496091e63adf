// An event found in a file, in report units (seconds, dBFS), independent of
// the detector's fixed-point representation.

/// One detected event of an offline analysis.
public struct OfflineEvent: Sendable, Equatable {
    /// The file as named on the command line (or found in a directory walk).
    public var file: String
    /// Class name as in the signature table (e.g. "gunshot").
    public var className: String
    /// Onset in samples from the file's start.
    public var onsetSample: Int64
    /// Offset (end) in samples from the file's start.
    public var offsetSample: Int64
    /// The file's sample rate in Hz.
    public var sampleRate: Int
    /// Peak level of the event, dBFS.
    public var peakDBFS: Double
    /// Peak level in dB SPL when the analysis was calibrated (`--board`), else nil.
    public var peakDBSPL: Double?
    /// Detector confidence in [0, 1].
    public var confidence: Double

    public init(file: String, className: String, onsetSample: Int64, offsetSample: Int64,
                sampleRate: Int, peakDBFS: Double, peakDBSPL: Double? = nil, confidence: Double) {
        self.file = file
        self.className = className
        self.onsetSample = onsetSample
        self.offsetSample = offsetSample
        self.sampleRate = sampleRate
        self.peakDBFS = peakDBFS
        self.peakDBSPL = peakDBSPL
        self.confidence = confidence
    }

    /// Onset in seconds.
    public var onsetSeconds: Double { Double(onsetSample) / Double(sampleRate) }
    /// Offset in seconds.
    public var offsetSeconds: Double { Double(offsetSample) / Double(sampleRate) }
}
