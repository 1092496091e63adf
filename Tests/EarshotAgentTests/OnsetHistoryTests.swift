// The per-channel history the live localiser takes onset windows from.
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
            var hop = [Int16](repeating: 0, count: n * 3)
            for i in 0..<n { for c in 0..<3 { hop[i * 3 + c] = Int16((c + 1) * 1000 + (next + i) % 997) } }
            hop.withUnsafeBufferPointer { h.append($0, frames: n) }
            next += n
        }
        #expect(h.endSample == 518 && h.startSample == 518 - 128)
        var w = [Int16](repeating: -1, count: 64)
        for c in 0..<3 {
            let complete = w.withUnsafeMutableBufferPointer { h.copy(channel: c, from: 450, into: $0) }
            #expect(complete)
            #expect(w == (450..<514).map { Int16((c + 1) * 1000 + $0 % 997) }, "channel \(c)")
        }
        // Partly overwritten (starts before the oldest frame held) and partly in the future.
        let early = w.withUnsafeMutableBufferPointer { h.copy(channel: 0, from: 360, into: $0) }
        #expect(!early && w[0] == 0 && w[63] == Int16(1000 + 423))
        let late = w.withUnsafeMutableBufferPointer { h.copy(channel: 1, from: 500, into: $0) }
        #expect(!late && w[17] == Int16(2000 + 517) && w[18] == 0)
    }
}
