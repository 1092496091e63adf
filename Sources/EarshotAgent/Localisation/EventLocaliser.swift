// Owns the localiser's storage (allocated once) and runs it on onset windows:
// the onset window alone for an impulsive sound, short windows averaged over
// the first ~90 ms for a sound that builds up or holds (sustained).
import EarshotDSP
import EarshotPlatform

/// GCC-PHAT localisers (one on the onset window, one on short windows for
/// sustained sounds) with their twiddles, workspace and one span of audio per
/// channel, all allocated at `init`; `locate`/`locateEvent` allocate nothing.
public final class EventLocaliser {
    /// The DSP localiser on the onset window (fftSize samples).
    public let localiser: GCCPHATLocaliser
    /// The DSP localiser on the short windows averaged for a sustained sound
    /// (nil when `maxSegments` is 1).
    public let sustainedLocaliser: GCCPHATLocaliser?
    /// One span per channel, planar: channel c at c·spanSamples (Q15 samples).
    /// Fill channel c from `windowOffset(channel: c)`, then call `locate(frames:)` or `locateEvent(available:)`.
    public let windows: FixedBuffer<Int16>
    /// Most short windows averaged for a sustained sound (1 … GCCPHATLocaliser.maxSegments).
    public let maxSegments: Int
    /// Short-window length for sustained sounds, samples.
    public let segmentSamples: Int
    /// Distance between averaged windows (half a short window), samples.
    public let segmentHop: Int
    /// Sustained when the first short window's energy, scaled to the onset
    /// window's length, stays below this multiple of the onset window's energy
    /// (the sound does not start with its loudest part).
    public let attackRatio: Double
    /// …and every short window reaching past the onset window keeps at least
    /// this fraction of the onset window's mean energy per short window (the
    /// sound is still there).
    public let sustainedEnergyRatio: Double
    /// Background before the window start, planar: channel c at c·spanSamples
    /// (Q15), the same layout as `windows`, ending where the onset span starts.
    /// Fill channel c from `windowOffset(channel: c)`; all zero leaves every bin in.
    public let noiseWindows: FixedBuffer<Int16>
    /// Power ratio (sound ÷ background) an FFT bin needs to take part in the
    /// sustained estimate; nil: every bin of the band.
    public let binMaskRatio: Double?
    private let binPower: FixedBuffer<Double>
    /// Kept by `localiser` / `sustainedLocaliser` (designed at init, read-only after).
    private let twiddles: FixedBuffer<Int32>
    private let sustainedTwiddles: FixedBuffer<Int32>?
    private let workspace: FixedBuffer<Int32>

    /// Onset window length (= FFT size), samples.
    public var windowSamples: Int { localiser.config.fftSize }
    /// Samples per channel held: the onset window or the short windows, whichever is longer.
    public let spanSamples: Int
    /// Number of channels (microphones).
    public var channels: Int { localiser.geometry.count }

    /// Allocates storage for `geometry.count` channels of `spanSamples` samples.
    /// - Parameters:
    ///   - maxSegments: short windows averaged for a sustained sound (1: onset window only).
    ///   - segmentSamples: their length (power of two; nil: fftSize / 4, at least 64).
    ///   - attackDB: the first short window at least this far above the onset
    ///     window's mean (energy, dB) makes the sound impulsive.
    ///   - sustainedGateDB: a short window more than this far below the onset
    ///     window's mean (energy, dB) makes the sound impulsive.
    ///   - binMaskDB: a bin of a sustained sound takes part only when its power
    ///     over the short windows is this far above the background's (dB); nil: all bins.
    public init(config: LocalisationConfig, geometry: MicArrayGeometry, maxSegments: Int = 1,
                segmentSamples: Int? = nil, attackDB: Double = 0.3, sustainedGateDB: Double = 6,
                binMaskDB: Double? = 10) {
        twiddles = FixedBuffer(count: FFTTwiddles.count(size: config.fftSize), repeating: 0)
        localiser = GCCPHATLocaliser(config: config, geometry: geometry, twiddleStorage: twiddles.kernelStorage)
        self.maxSegments = max(1, min(maxSegments, GCCPHATLocaliser.maxSegments))
        let short = segmentSamples ?? max(64, config.fftSize / 4)
        self.segmentSamples = short
        segmentHop = max(1, short / 2)
        attackRatio = DesignMath.pow(10, attackDB / 10)
        sustainedEnergyRatio = DesignMath.pow(10, -sustainedGateDB / 10)
        binMaskRatio = binMaskDB.map { DesignMath.pow(10, $0 / 10) }
        var count = localiser.workspaceCount
        if self.maxSegments > 1 {
            var c = config
            c.fftSize = short
            let tw = FixedBuffer<Int32>(count: FFTTwiddles.count(size: short), repeating: 0)
            let s = GCCPHATLocaliser(config: c, geometry: geometry, twiddleStorage: tw.kernelStorage)
            sustainedTwiddles = tw
            sustainedLocaliser = s
            count = max(count, s.averagedWorkspaceCount)
        } else {
            sustainedTwiddles = nil
            sustainedLocaliser = nil
        }
        workspace = FixedBuffer(count: count, repeating: 0)
        spanSamples = max(config.fftSize, (self.maxSegments - 1) * segmentHop + short)
        windows = FixedBuffer(count: geometry.count * spanSamples, repeating: 0)
        noiseWindows = FixedBuffer(count: geometry.count * spanSamples, repeating: 0)
        binPower = FixedBuffer(count: short, repeating: 0)
    }

    /// Index in `windows` (and `noiseWindows`) where `channel`'s spanSamples samples start:
    /// the onset span from the window start (the background: the span before it).
    public func windowOffset(channel: Int) -> Int {
        precondition((0..<channels).contains(channel), "EventLocaliser: no channel \(channel)")
        return channel * spanSamples
    }

    /// Direction of arrival from the first `frames` samples of every channel's onset window.
    public func locate(frames: Int? = nil) -> BearingEstimate {
        windows.withElements { w in
            workspace.withMutableElements { ws in
                localiser.locate(windows: w, stride: spanSamples, frames: min(frames ?? windowSamples, windowSamples), workspace: ws)
            }
        }
    }

    /// Short windows to average when the first `available` samples of every
    /// span hold audio: 1 (the onset window alone, impulsive) unless at least
    /// 4 short windows fit, the first is not louder than the onset window's
    /// mean by `attackRatio`, and none of those reaching past the onset window
    /// falls below that mean by `sustainedEnergyRatio`.
    public func sustainedSegments(available: Int) -> Int {
        guard maxSegments > 1, available >= windowSamples else { return 1 }
        let fit = available < segmentSamples ? 0 : min(maxSegments, (available - segmentSamples) / segmentHop + 1)
        guard fit >= 4 else { return 1 }
        let mean = Double(energy(from: 0, count: windowSamples)) * Double(segmentSamples) / Double(windowSamples)
        guard Double(energy(from: 0, count: segmentSamples)) < mean * attackRatio else { return 1 }
        // Short windows reaching past the onset window must keep the level (the
        // sound goes on); earlier ones may still be rising.
        let gate = mean * sustainedEnergyRatio
        for s in 1..<fit where s * segmentHop + segmentSamples > windowSamples
            && Double(energy(from: s * segmentHop, count: segmentSamples)) < gate { return 1 }
        return fit
    }

    /// Σx² over every channel of `count` samples from `from` (Q15 integers squared).
    func energy(from: Int, count: Int) -> Int64 {
        let span = spanSamples
        var sum: Int64 = 0
        for c in 0..<channels {
            let base = c * span + from
            for i in base..<(base + count) {
                let v = Int64(windows[i])
                sum &+= v &* v
            }
        }
        return sum
    }

    /// The event's direction: the onset window alone for an impulsive sound,
    /// the PHAT cross-spectra averaged over `sustainedSegments(available:)`
    /// short windows for a sustained one (`BearingEstimate.segments` says which).
    public func locateEvent(available: Int? = nil) -> BearingEstimate {
        let segments = sustainedSegments(available: available ?? spanSamples)
        guard segments > 1, let s = sustainedLocaliser else { return locate() }
        let noiseSegments = (spanSamples - segmentSamples) / segmentHop + 1
        return windows.withElements { w in
            workspace.withMutableElements { ws in
                guard let ratio = binMaskRatio else {
                    return s.locateAveraged(windows: w, stride: spanSamples, segments: segments, hop: segmentHop, workspace: ws)
                }
                return noiseWindows.withElements { noise in
                    binPower.withMutableElements { power in
                        s.locateAveraged(windows: w, stride: spanSamples, segments: segments, hop: segmentHop,
                                         noise: noise, noiseStride: spanSamples,
                                         noiseSegments: min(noiseSegments, GCCPHATLocaliser.maxSegments),
                                         binPower: power, maskRatio: ratio, workspace: ws)
                    }
                }
            }
        }
    }
}
