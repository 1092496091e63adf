import Foundation
import Testing
@testable import EarshotAudio

@Suite("SampleRing")
struct RingSampleRingTests {
    /// Writes a counting sequence in chunks of `chunk` frames and reads it back in
    /// hops of `hop` frames across many wrap-arounds; every frame must come back in order.
    @Test(arguments: [(1, 7, 5), (2, 160, 100), (4, 33, 64), (3, 64, 64)])
    func splitReadsAcrossWrapReturnEveryFrameInOrder(channels: Int, chunk: Int, hop: Int) {
        let ring = SampleRing(channels: channels, minimumFrames: 200)
        #expect(ring.capacityFrames == 256)
        var next: Int16 = 0, expected: Int16 = 0
        let src = UnsafeMutablePointer<Int16>.allocate(capacity: chunk * channels)
        defer { src.deallocate() }
        var dst = [Int16](repeating: 0, count: hop * channels)
        var readFrames = 0
        for _ in 0..<300 {
            if ring.availableFrames + chunk <= ring.capacityFrames {
                for i in 0..<(chunk * channels) { src[i] = next; next &+= 1 }
                #expect(ring.write(src, frameCount: chunk) == chunk)
            }
            while dst.withUnsafeMutableBufferPointer({ ring.tryRead(into: $0, frameCount: hop) }) {
                for v in dst { #expect(v == expected); expected &+= 1 }
                readFrames += hop
            }
        }
        #expect(readFrames > 3 * ring.capacityFrames, "wrapped several times")
        #expect(ring.framesDropped == 0 && ring.overflowCount == 0)
    }

    @Test func planarLayoutGroupsEachChannel() {
        let ring = SampleRing(channels: 3, minimumFrames: 8)
        let frames: [Int16] = [10, 20, 30, 11, 21, 31, 12, 22, 32, 13, 23, 33, 14, 24, 34, 15, 25, 35]
        frames.withUnsafeBufferPointer { _ = ring.write($0.baseAddress!, frameCount: 6) }
        var out = [Int16](repeating: 0, count: 9)
        #expect(out.withUnsafeMutableBufferPointer { ring.tryRead(into: $0, frameCount: 3) })   // move the read index
        #expect(out == [10, 20, 30, 11, 21, 31, 12, 22, 32])
        frames.withUnsafeBufferPointer { _ = ring.write($0.baseAddress!, frameCount: 5) }        // wraps at 8 frames
        var planar = [Int16](repeating: 0, count: 3 * 8)
        #expect(planar.withUnsafeMutableBufferPointer { ring.tryRead(into: $0, frameCount: 8, layout: .planar) })
        #expect(Array(planar[0..<8]) == [13, 14, 15, 10, 11, 12, 13, 14])
        #expect(Array(planar[8..<16]) == [23, 24, 25, 20, 21, 22, 23, 24])
        #expect(Array(planar[16..<24]) == [33, 34, 35, 30, 31, 32, 33, 34])
    }

    @Test func overflowDropsTheNewestFramesAndCountsThem() {
        let ring = SampleRing(channels: 2, minimumFrames: 16)
        let block = (0..<20).map { Int16($0) }   // 10 frames
        #expect(block.withUnsafeBufferPointer { ring.write($0.baseAddress!, frameCount: 10) } == 10)
        #expect(block.withUnsafeBufferPointer { ring.write($0.baseAddress!, frameCount: 10) } == 6)   // 4 newest dropped
        #expect(block.withUnsafeBufferPointer { ring.write($0.baseAddress!, frameCount: 10) } == 0)   // all 10 dropped
        #expect(ring.framesDropped == 14 && ring.overflowCount == 2 && ring.framesWritten == 16)
        var out = [Int16](repeating: 0, count: 32)
        #expect(out.withUnsafeMutableBufferPointer { ring.tryRead(into: $0, frameCount: 16) })
        #expect(out == block + Array(block[0..<12]), "the oldest data survives; the stream resumes after the gap")
        #expect(!out.withUnsafeMutableBufferPointer { ring.tryRead(into: $0, frameCount: 1) })
    }

    @Test func blockingReadTimesOutThenWakesOnWrite() {
        let ring = SampleRing(channels: 1, minimumFrames: 64)
        var out = [Int16](repeating: 0, count: 32)
        let t0 = DispatchTime.now().uptimeNanoseconds
        #expect(!out.withUnsafeMutableBufferPointer { ring.read(into: $0, frameCount: 32, timeoutNanoseconds: 50_000_000) })
        let waitedMs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
        #expect(waitedMs >= 50 && waitedMs < 150, "timed out after \(waitedMs) ms")
        let producer = Thread {
            usleep(20_000)
            let data = [Int16](repeating: 7, count: 32)
            data.withUnsafeBufferPointer { _ = ring.write($0.baseAddress!, frameCount: 32) }
        }
        producer.start()
        let t1 = DispatchTime.now().uptimeNanoseconds
        #expect(out.withUnsafeMutableBufferPointer { ring.read(into: $0, frameCount: 32, timeoutNanoseconds: 2_000_000_000) })
        let wokeMs = Double(DispatchTime.now().uptimeNanoseconds - t1) / 1e6
        #expect(out == [Int16](repeating: 7, count: 32))
        #expect(wokeMs >= 15 && wokeMs < 200, "woke after \(wokeMs) ms for data written at 20 ms")
    }

    /// Producer and consumer threads at full speed: checks order and measures
    /// throughput and the latency from each write to the read that returns it.
    @Test func concurrentProducerConsumerKeepsOrderAndReportsLatency() {
        let blocks = 20_000, frames = 160
        let ring = SampleRing(channels: 1, minimumFrames: 16_384)
        nonisolated(unsafe) let writtenAt = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: blocks)
        writtenAt.initialize(repeating: 0)
        defer { writtenAt.deallocate() }
        let producer = Thread {
            var block = [Int16](repeating: 0, count: frames)
            for b in 0..<blocks {
                for i in 0..<frames { block[i] = Int16(truncatingIfNeeded: b &* frames &+ i) }
                while ring.availableFrames > ring.capacityFrames - frames { sched_yield() }   // keep it lossless for the order check
                writtenAt[b] = DispatchTime.now().uptimeNanoseconds
                block.withUnsafeBufferPointer { _ = ring.write($0.baseAddress!, frameCount: frames) }
            }
        }
        let t0 = DispatchTime.now().uptimeNanoseconds
        producer.start()
        var hop = [Int16](repeating: 0, count: frames)
        var maxLatency: UInt64 = 0, mismatches = 0
        for b in 0..<blocks {
            let ok = hop.withUnsafeMutableBufferPointer { ring.read(into: $0, frameCount: frames, timeoutNanoseconds: 2_000_000_000) }
            if !ok { Issue.record("timeout at block \(b)"); return }
            maxLatency = max(maxLatency, DispatchTime.now().uptimeNanoseconds - writtenAt[b])
            if hop[0] != Int16(truncatingIfNeeded: b * frames) || hop[frames - 1] != Int16(truncatingIfNeeded: b * frames + frames - 1) { mismatches += 1 }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let mframes = Double(blocks * frames) / seconds / 1e6
        print("ring_throughput_mframes_per_s=\(String(format: "%.1f", mframes)) ring_max_latency_us=\(maxLatency / 1000) (\(blocks) hops of \(frames), debug build)")
        #expect(mismatches == 0)
        #expect(ring.framesDropped == 0)
        #expect(mframes > 0.16, "≥ 10× real time at 16 kHz")
    }

    /// Dated writes of odd sizes, read in hops across wrap-arounds: each read reports
    /// the capture time of one of its frames, equal (±2 ns of rounding) to the writer's clock.
    @Test(arguments: [(1, 100, 160), (2, 37, 64), (4, 256, 32)])
    func captureTimesFollowTheFrames(channels: Int, chunk: Int, hop: Int) {
        let ring = SampleRing(channels: channels, minimumFrames: 1_000)
        let nsPerFrame = 1e9 / 48_000
        let base: Int64 = 5_000_000_000
        let src = UnsafeMutablePointer<Int16>.allocate(capacity: chunk * channels)
        src.initialize(repeating: 0, count: chunk * channels)
        defer { src.deallocate() }
        var dst = [Int16](repeating: 0, count: hop * channels)
        var written = 0, readFrames = 0, checked = 0
        for _ in 0..<400 {
            if ring.availableFrames + chunk <= ring.capacityFrames {
                let t0 = base + Int64((Double(written) * nsPerFrame).rounded())
                ring.write(src, frameCount: chunk, firstFrameNanoseconds: t0, nanosecondsPerFrame: nsPerFrame)
                written += chunk
            }
            while dst.withUnsafeMutableBufferPointer({ ring.tryRead(into: $0, frameCount: hop) }) {
                let stamp = ring.lastReadTimestamp
                #expect(stamp.isKnown && stamp.frameOffset < hop)
                let expected = Double(base) + Double(readFrames + stamp.frameOffset) * nsPerFrame
                #expect(abs(Double(stamp.nanoseconds) - expected) <= 2, "frame \(readFrames + stamp.frameOffset)")
                readFrames += hop
                checked += 1
            }
        }
        #expect(readFrames > 3 * ring.capacityFrames && checked > 50)
    }

    @Test func undatedWritesAndShortReadsReportUnknownTimes() {
        let ring = SampleRing(channels: 1, minimumFrames: 256)
        let src = UnsafeMutablePointer<Int16>.allocate(capacity: 256)
        src.initialize(repeating: 0, count: 256)
        defer { src.deallocate() }
        var dst = [Int16](repeating: 0, count: 256)
        ring.write(src, frameCount: 100)
        #expect(dst.withUnsafeMutableBufferPointer { ring.tryRead(into: $0, frameCount: 64) })
        #expect(!ring.lastReadTimestamp.isKnown)
        ring.write(src, frameCount: 100, firstFrameNanoseconds: 7_000, nanosecondsPerFrame: 1_000)
        // Frames 64…99 (undated) and 100…163 (dated, frame 100 at 7000 ns): the first boundary read is 64 → unknown.
        #expect(dst.withUnsafeMutableBufferPointer { ring.tryRead(into: $0, frameCount: 36) })
        #expect(!ring.lastReadTimestamp.isKnown)
        // Frames 100…163: boundary 128 is dated 7000 + 28 µs.
        #expect(dst.withUnsafeMutableBufferPointer { ring.tryRead(into: $0, frameCount: 64) })
        #expect(ring.lastReadTimestamp == RingTimestamp(frameOffset: 28, nanoseconds: 35_000))
        // 8 frames with no 32-frame boundary inside: unknown.
        #expect(dst.withUnsafeMutableBufferPointer { ring.tryRead(into: $0, frameCount: 8) })
        #expect(!ring.lastReadTimestamp.isKnown)
    }
}
