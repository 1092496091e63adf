// Owns the localiser's storage (allocated once) and runs it on onset windows.
import EarshotDSP

/// GCC-PHAT localiser with its twiddles, workspace and one onset window per
/// channel, all allocated at `init`; `locate` allocates nothing.
public final class EventLocaliser {
    /// The DSP localiser.
    public let localiser: GCCPHATLocaliser
    /// One window per channel, planar: channel c at c·fftSize (Q15 samples).
    /// Fill with `window(channel:)`, then call `locate(frames:)`.
    public let windows: UnsafeMutableBufferPointer<Int16>
    private let twiddles: UnsafeMutableBufferPointer<Int32>
    private let workspace: UnsafeMutableBufferPointer<Int32>

    /// Window length (= FFT size), samples.
    public var windowSamples: Int { localiser.config.fftSize }
    /// Number of channels (microphones).
    public var channels: Int { localiser.geometry.count }

    /// Allocates storage for `geometry.count` channels of `config.fftSize` samples.
    public init(config: LocalisationConfig, geometry: MicArrayGeometry) {
        twiddles = .allocate(capacity: FFTTwiddles.count(size: config.fftSize))
        localiser = GCCPHATLocaliser(config: config, geometry: geometry, twiddleStorage: twiddles)
        workspace = .allocate(capacity: localiser.workspaceCount)
        workspace.initialize(repeating: 0)
        windows = .allocate(capacity: geometry.count * config.fftSize)
        windows.initialize(repeating: 0)
    }

    deinit {
        twiddles.deallocate()
        workspace.deallocate()
        windows.deallocate()
    }

    /// The window of `channel` (fftSize samples) to fill before `locate`.
    public func window(channel: Int) -> UnsafeMutableBufferPointer<Int16> {
        let n = windowSamples
        return UnsafeMutableBufferPointer(rebasing: windows[(channel * n)..<((channel + 1) * n)])
    }

    /// Direction of arrival from the first `frames` samples of every window.
    public func locate(frames: Int? = nil) -> BearingEstimate {
        localiser.locate(windows: UnsafeBufferPointer(windows), stride: windowSamples,
                         frames: min(frames ?? windowSamples, windowSamples), workspace: workspace)
    }
}
