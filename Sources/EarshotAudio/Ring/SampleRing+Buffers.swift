// SampleRing with a workspace's FixedBuffer: a feeder writes a period from one, the
// analysis thread reads a hop into one, and neither handles the raw pointer.
import EarshotPlatform

extension SampleRing {
    /// `write(_:frameCount:)` from `source` (`source.count >= frameCount * channels`).
    /// Never blocks, never allocates. Returns the frames stored.
    @discardableResult
    public func write(_ source: FixedBuffer<Int16>, frameCount: Int) -> Int {
        precondition(source.count >= frameCount * channels, "SampleRing: source too small")
        return source.withElements { write($0.baseAddress!, frameCount: frameCount) }
    }

    /// `read(into:frameCount:layout:timeoutNanoseconds:)` into `destination`.
    public func read(into destination: FixedBuffer<Int16>, frameCount: Int, layout: Layout = .interleaved,
                     timeoutNanoseconds: UInt64) -> Bool {
        destination.withMutableElements { read(into: $0, frameCount: frameCount, layout: layout, timeoutNanoseconds: timeoutNanoseconds) }
    }
}
