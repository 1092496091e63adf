// FixedBuffer: the owned, bounds-checked storage the agent's workspaces hand to DSP kernels.
import EarshotPlatform
import Testing

@Suite("FixedBuffer")
struct FixedBufferTests {
    @Test("filled at init; indexing, fill, copy and sub-ranges see the same memory")
    func elementsAndRanges() {
        let a = FixedBuffer<Int16>(count: 6, repeating: 7)
        #expect(Array(a) == [7, 7, 7, 7, 7, 7])
        for i in 0..<6 { a[i] = Int16(i * 10) }
        let b = FixedBuffer<Int16>(count: 4, repeating: -1)
        b.copy(from: a, sourceStart: 2, to: 1, count: 3)
        #expect(Array(b) == [-1, 20, 30, 40])
        // A sub-range handed out for writing starts at its own index 0.
        b.withMutableElements(from: 2, count: 2) { p in p[0] = 99; p[1] = 98 }
        #expect(Array(b) == [-1, 20, 99, 98])
        let sum = a.withElements(from: 1, count: 3) { p in p.reduce(0) { $0 + Int($1) } }
        #expect(sum == 10 + 20 + 30)
        b.fill(5)
        #expect(Array(b) == [5, 5, 5, 5])
        b.fill(0, from: 1, count: 2)
        #expect(Array(b) == [5, 0, 0, 5])
        b.fill(9, from: 3)
        #expect(Array(b) == [5, 0, 0, 9])
        #expect(FixedBuffer<Double>(count: 0, repeating: 0).isEmpty)
    }

    @Test("non-trivial elements are released with the buffer")
    func releasesElements() {
        final class Token {}
        weak var weakToken: Token?
        do {
            let t = Token()
            weakToken = t
            let buffer = FixedBuffer<Token?>(count: 3, repeating: nil)
            buffer[1] = t
            #expect(buffer[1] === t)
        }
        #expect(weakToken == nil)
    }

    @Test("an index or range outside the buffer stops the process")
    func outOfBounds() async {
        await #expect(processExitsWith: .failure) {
            let b = FixedBuffer<Int16>(count: 4, repeating: 0)
            b[4] = 1
        }
        await #expect(processExitsWith: .failure) {
            let b = FixedBuffer<Int16>(count: 4, repeating: 0)
            _ = b.withElements(from: 2, count: 3) { $0.count }
        }
    }
}
