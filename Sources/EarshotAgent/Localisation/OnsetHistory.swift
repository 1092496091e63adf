// The last few seconds of every channel, kept so an event's onset window can be
// localised after the detector has confirmed the event.
import EarshotPlatform

/// Planar per-channel history of the most recent Q15 samples, allocated once.
///
/// The analysis thread appends every hop (interleaved frames); a window of any
/// channel starting at an absolute sample index (samples since the stream began,
/// as `FeatureFrame.firstSample`) can be copied out while it is still held.
/// Capacity is a power of two in frames; nothing allocates after `init`.
public final class OnsetHistory {
    /// Channels kept (1–8).
    public let channels: Int
    /// Frames held per channel (a power of two).
    public let capacityFrames: Int
    private let mask: Int
    private let storage: FixedBuffer<Int16>
    /// Absolute index of the next frame to be appended.
    public private(set) var endSample: Int64 = 0

    /// Keeps at least `minimumFrames` frames of `channels` channels.
    public init(channels: Int, minimumFrames: Int) {
        precondition((1...8).contains(channels) && minimumFrames >= 1)
        var capacity = 1
        while capacity < minimumFrames { capacity <<= 1 }
        self.channels = channels
        capacityFrames = capacity
        mask = capacity - 1
        storage = FixedBuffer(count: capacity * channels, repeating: 0)
    }

    /// Oldest absolute sample index still held.
    public var startSample: Int64 { max(0, endSample - Int64(capacityFrames)) }

    /// Appends `frames` interleaved frames (`channels` samples each) from `interleaved`.
    public func append(_ interleaved: FixedBuffer<Int16>, frames: Int) {
        precondition(frames * channels <= interleaved.count, "OnsetHistory.append: fewer samples than frames × channels")
        let base = Int(endSample & Int64(mask))
        for i in 0..<frames {
            let slot = (base + i) & mask
            for c in 0..<channels { storage[c * capacityFrames + slot] = interleaved[i * channels + c] }
        }
        endSample += Int64(frames)
    }

    /// Copies `count` samples of `channel` starting at absolute sample `from` into
    /// `into[at ..< at + count]`; samples not (or no longer) held read as 0. Returns false
    /// when any were missing.
    @discardableResult
    public func copy(channel: Int, from: Int64, into: FixedBuffer<Int16>, at: Int = 0, count: Int) -> Bool {
        precondition((0..<channels).contains(channel), "OnsetHistory.copy: no channel \(channel)")
        let lo = startSample, hi = endSample
        var complete = true
        for i in 0..<count {
            let s = from + Int64(i)
            if s < lo || s >= hi { into[at + i] = 0; complete = false; continue }
            into[at + i] = storage[channel * capacityFrames + Int(s & Int64(mask))]
        }
        return complete
    }
}
