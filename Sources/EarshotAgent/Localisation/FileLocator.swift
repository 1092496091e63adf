// `earshot locate`: finds the first sound event's onset in a multichannel WAV
// file (on the mean of the channels, with the product's AnalysisChain) and
// localises it from every channel's onset window.
import EarshotOffline
import EarshotAudio
import EarshotDSP
import EarshotPlatform

/// Options of `FileLocator`.
public struct LocateOptions: Sendable, Equatable {
    /// FFT/window length, samples (power of two ≤ 4096).
    public var fftSize: Int = 2048
    /// PHAT band, Hz.
    public var bandLowHz: Double = 300
    public var bandHighHz: Double = 8000
    /// Samples of the window before the detected onset, ms.
    public var preRollMs: Double = 2
    /// Hops skipped at the start while the background tracker settles, ms.
    public var warmUpMs: Double = 300
    /// An onset counts when the hop level (or the next hop's) is this far above the background, dB.
    public var minRiseDB: Double = 3
    /// Fallback when no onset qualifies: the largest step of the 100 ms mean
    /// level (after vs before a hop) must reach this, dB.
    public var fallbackRiseDB: Double = 3
    /// Second fallback: the largest step of one octave band's 100 ms mean level
    /// (bands whose centre lies in the PHAT band), dB. A horn or grinder 0 dB
    /// above broadband traffic noise stands 5-12 dB above it in its own band.
    public var bandFallbackRiseDB: Double = 3
    /// Most short windows (`segmentSamples` long, half of that apart, from the
    /// window start on) whose PHAT cross-spectra are averaged for a sustained
    /// sound; 1 = the onset window only. 16 windows of 512 samples span 91 ms at 48 kHz.
    public var segments: Int = 16
    /// Short-window length, samples (power of two; 0: fftSize / 4).
    public var segmentSamples: Int = 0
    /// Impulsive when the first short window is this far above the onset window's mean (energy, dB).
    public var attackDB: Double = 0.3
    /// Impulsive when a short window falls this far below the onset window's mean (energy, dB).
    public var sustainedGateDB: Double = 6
    /// Sustained sounds: FFT bins whose power over the short windows is less
    /// than this far above the background before the window (dB) are left out
    /// of the PHAT average; nil: every bin of the band.
    public var binMaskDB: Double? = 10

    public init() {}

    /// An `EventLocaliser` with these settings for audio at `sampleRate` Hz.
    public func makeLocaliser(sampleRate: Int, geometry: MicArrayGeometry) -> EventLocaliser {
        EventLocaliser(config: localisationConfig(sampleRate: sampleRate), geometry: geometry,
                       maxSegments: segments, segmentSamples: segmentSamples > 0 ? segmentSamples : nil,
                       attackDB: attackDB, sustainedGateDB: sustainedGateDB, binMaskDB: binMaskDB)
    }

    /// The GCC-PHAT configuration for audio at `sampleRate` Hz (band capped at Nyquist).
    public func localisationConfig(sampleRate: Int) -> LocalisationConfig {
        var config = LocalisationConfig(sampleRate: Int32(sampleRate), fftSize: fftSize)
        config.bandLowHz = bandLowHz
        config.bandHighHz = min(bandHighHz, Double(sampleRate) / 2)
        return config
    }

    /// `preRollMs` in samples at `sampleRate` Hz.
    public func preRollSamples(sampleRate: Int) -> Int { Int(preRollMs * Double(sampleRate) / 1000) }
}

/// One localised event of a file.
public struct LocatedEvent: Sendable, Equatable {
    /// The file.
    public var file: String
    /// First sample of the event (onset), samples from the file's start.
    public var onsetSample: Int
    /// Onset, seconds from the file's start.
    public var onsetSeconds: Double
    /// "onset" (the onset detector fired), "level" (fallback: level rise) or
    /// "band" (second fallback: level rise in one octave band).
    public var trigger: String
    /// The direction estimate (`bearing.segments` > 1: sustained, windows averaged).
    public var bearing: BearingEstimate

    /// "onset" (the onset window alone) or "sustained" (several windows averaged).
    public var method: String { bearing.segments > 1 ? "sustained" : "onset" }
}

/// Offline localisation of WAV files.
public enum FileLocator {
    /// Finds the first event of `path` and localises it with `geometry`.
    /// - Throws: `WAVError` naming the file; `LocateError` when the channel
    ///   count does not match the geometry or no event is found.
    public static func locate(path: String, geometry: MicArrayGeometry, options: LocateOptions = LocateOptions()) throws -> LocatedEvent {
        let probe = try WAVReader(path: path, selection: .mean)
        let format = probe.format
        guard format.channels == geometry.count else {
            throw LocateError(message: "\(path): \(format.channels) channels but the board lists \(geometry.count) microphone positions; record all microphones or fix [microphone] positions_m")
        }
        let frames = Int(format.frameCount)
        let mix = try probe.readAll(frames: frames)
        let rate = format.sampleRate
        // Onset on the mix through the product's analysis chain.
        let source = try OfflineFrameSource(path: path, options: OfflineFrameOptions(selection: .mean))
        var levels: [(onset: Int, level: Int16, background: Int16, first: Int)] = []
        var bands: [SIMD8<Int16>] = []
        try source.forEachFrame { frame in
            let onset = frame.onsetOffset >= 0 ? Int(frame.firstSample) + Int(frame.onsetOffset) : -1
            levels.append((onset, frame.levelZ, frame.backgroundZ, Int(frame.firstSample)))
            bands.append(frame.bandLevel)
        }
        let warm = Int(options.warmUpMs / 10)
        let minRise = Int16(options.minRiseDB * 256), fallbackRise = Int16(options.fallbackRiseDB * 256)
        var onsetSample = -1
        var trigger = "onset"
        // Pass 1: an onset after which the level stays up (mean of the next
        // 100 ms ≥ minRise above the background): brief traffic bumps before
        // a sustained event do not qualify. Pass 2: the first onset whose hop
        // (or the next) rises minRise above the background.
        for pass in 0..<2 where onsetSample < 0 {
            for h in warm..<levels.count where levels[h].onset >= 0 {
                let next = h + 1 < levels.count ? levels[h + 1].level : levels[h].level
                guard max(levels[h].level, next) &- levels[h].background >= minRise else { continue }
                if pass == 0 {
                    let end = min(levels.count, h + 10)
                    var sum = 0
                    for k in h..<end { sum += Int(levels[k].level) - Int(levels[h].background) }
                    guard sum / max(1, end - h) >= Int(minRise) else { continue }
                }
                onsetSample = levels[h].onset
                break
            }
        }
        if onsetSample < 0 {
            trigger = "level"
            // The hop with the largest step of the mean level (next 100 ms vs
            // previous 100 ms), if that step reaches fallbackRise.
            var bestStep = Int(fallbackRise) - 1
            var bestHop = -1
            if levels.count > 20 {
                for h in max(warm, 10)..<(levels.count - 10) {
                    var before = 0, after = 0
                    for k in (h - 10)..<h { before += Int(levels[k].level) }
                    for k in h..<(h + 10) { after += Int(levels[k].level) }
                    let step = (after - before) / 10
                    if step > bestStep { bestStep = step; bestHop = h }
                }
            }
            if bestHop >= 0 { onsetSample = refineOnset(mix, hopStart: levels[bestHop].first, hop: rate / 100) }
        }
        if onsetSample < 0 {
            trigger = "band"
            let hop = bandFallbackHop(bands, from: max(warm, 10), minStep: Int(options.bandFallbackRiseDB * 256),
                                      lanes: bandLanes(lowHz: options.bandLowHz, highHz: min(options.bandHighHz, Double(rate) / 2)))
            if hop >= 0 { onsetSample = refineOnset(mix, hopStart: levels[hop].first, hop: rate / 100) }
        }
        guard onsetSample >= 0 else {
            throw LocateError(message: "\(path): no sound event found (no onset, no level step of \(options.fallbackRiseDB) dB, no octave-band step of \(options.bandFallbackRiseDB) dB)")
        }
        let localiser = options.makeLocaliser(sampleRate: rate, geometry: geometry)
        let start = max(0, onsetSample - options.preRollSamples(sampleRate: rate))
        for c in 0..<geometry.count {
            let reader = try WAVReader(path: path, selection: .channel(c))
            let samples = try reader.readAll(frames: frames)
            let at = localiser.windowOffset(channel: c), n = localiser.spanSamples
            for i in 0..<n { localiser.windows[at + i] = start + i < samples.count ? samples[start + i] : 0 }
            let from = start - n
            for i in 0..<n { localiser.noiseWindows[at + i] = from + i >= 0 ? samples[from + i] : 0 }
        }
        let bearing = localiser.locateEvent(available: max(0, frames - start))
        return LocatedEvent(file: path, onsetSample: onsetSample, onsetSeconds: Double(onsetSample) / Double(rate),
                            trigger: trigger, bearing: bearing)
    }

    /// Octave-band lanes (centre 62.5·2^k Hz, `FeatureFrame.bandLevel`) whose centre lies in lowHz … highHz.
    static func bandLanes(lowHz: Double, highHz: Double) -> Range<Int> {
        var lo = FeatureFrame.bandCount, hi = 0
        for k in 0..<FeatureFrame.bandCount {
            var centre = 62.5
            for _ in 0..<k { centre *= 2 }
            if centre >= lowHz && centre <= highHz { lo = min(lo, k); hi = max(hi, k + 1) }
        }
        return lo < hi ? lo..<hi : 0..<0
    }

    /// The hop h (≥ `from`) with the largest step of one band's mean level,
    /// hops h…h+9 vs h−10…h−1 (Q8.8 dB), over `lanes`; −1 when no step reaches `minStep`.
    static func bandFallbackHop(_ bands: [SIMD8<Int16>], from: Int, minStep: Int, lanes: Range<Int>) -> Int {
        guard bands.count > 20, !lanes.isEmpty else { return -1 }
        var best = minStep * 10 - 1, bestHop = -1
        for h in max(from, 10)..<(bands.count - 10) {
            for b in lanes {
                var step = 0
                for k in (h - 10)..<h { step -= Int(bands[k][b]) }
                for k in h..<(h + 10) { step += Int(bands[k][b]) }
                if step > best { best = step; bestHop = h }
            }
        }
        return bestHop
    }

    /// First sample of the hop (or the one before) whose |x| exceeds 4× the
    /// mean |x| of the preceding 10 ms: the level fallback's onset.
    static func refineOnset(_ x: [Int16], hopStart: Int, hop: Int) -> Int {
        let from = max(0, hopStart - hop)
        var sum = 0
        let refStart = max(0, from - hop)
        for i in refStart..<from { sum += abs(Int(x[i])) }
        let mean = max(1, sum / max(1, from - refStart))
        for i in from..<min(x.count, hopStart + hop) where abs(Int(x[i])) > 4 * mean { return i }
        return hopStart
    }
}

/// A localisation failure a user can act on.
public struct LocateError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
