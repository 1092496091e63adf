// WAVReader into owned buffers: a workspace's FixedBuffer (allocation-free) or a new
// array of a whole file (offline commands), so callers never handle the raw pointer.
import EarshotPlatform

extension WAVReader {
    /// Fills `buffer[start ..< start + count]` with up to `count` Q15 samples of the
    /// selected channel; returns how many were written (0 at the end of the data).
    /// Allocation-free. - Throws: as `read(into:)`.
    public func read(into buffer: FixedBuffer<Int16>, from start: Int = 0, count: Int) throws(WAVError) -> Int {
        try buffer.withMutableElements(from: start, count: count) { (p) throws(WAVError) -> Int in try read(into: p) }
    }

    /// The next `frames` samples as a new array of exactly `frames` elements, 0 past the
    /// end of the data (allocates; for offline commands). - Throws: as `read(into:)`.
    public func readAll(frames: Int) throws(WAVError) -> [Int16] {
        let buffer = FixedBuffer<Int16>(count: max(0, frames), repeating: 0)
        var done = 0
        while done < buffer.count {
            let n = try read(into: buffer, from: done, count: buffer.count - done)
            if n == 0 { break }
            done += n
        }
        return Array(buffer)
    }
}
