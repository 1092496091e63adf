// The per-channel history the live localiser takes onset windows from.
import EarshotPlatform
import Testing
@testable import EarshotAgent

@Suite("Onset history of every channel")
struct OnsetHistoryTests {
    @Test("windows come back per channel across the wrap; samples not held read 0")
    func windowsAcrossTheWrap() {
        let h = OnsetHistory(channels: 3, minimumFrames: 100)   // 128 frames
        #expect(h.capacityFrames == 128)
        // Frame i of channel c holds (c + 1) * 1000 + i % 997, appended in hops of 37 frames.
        var next = 0
        while next < 500 {
            let n = 37
            let hop = FixedBuffer<Int16>(count: n * 3, repeating: 0)
            for i in 0..<n { for c in 0..<3 { hop[i * 3 + c] = Int16((c + 1) * 1000 + (next + i) % 997) } }
            h.append(hop, frames: n)
            next += n
        }
        #expect(h.endSample == 518 && h.startSample == 518 - 128)
        // Copied from offset 8 of a 72-sample buffer: the 8 before stay untouched.
        let w = FixedBuffer<Int16>(count: 72, repeating: -1)
        for c in 0..<3 {
            let complete = h.copy(channel: c, from: 450, into: w, at: 8, count: 64)
            #expect(complete)
            #expect(Array(w[8...]) == (450..<514).map { Int16((c + 1) * 1000 + $0 % 997) }, "channel \(c)")
            #expect(Array(w[..<8]) == [Int16](repeating: -1, count: 8))
        }
        // Partly overwritten (starts before the oldest frame held) and partly in the future.
        let early = h.copy(channel: 0, from: 360, into: w, at: 8, count: 64)
        #expect(!early && w[8] == 0 && w[71] == Int16(1000 + 423))
        let late = h.copy(channel: 1, from: 500, into: w, at: 8, count: 64)
        #expect(!late && w[8 + 17] == Int16(2000 + 517) && w[8 + 18] == 0)
    }
}
