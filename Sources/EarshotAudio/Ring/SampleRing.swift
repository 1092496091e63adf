// Lock-free single-producer / single-consumer ring of interleaved Q15 frames.
import Dispatch
import Synchronization

/// A preallocated, lock-free single-producer / single-consumer ring of interleaved
/// Q15 (`Int16`) audio frames, carrying samples from the capture thread to the
/// analysis thread.
///
/// - Capacity is a power of two, in frames (one frame = `channels` samples).
/// - Nothing on `write` or `read` locks or allocates; all memory is taken in `init`.
/// - Exactly one thread may call `write` (the producer) and exactly one thread may
///   call the `read` / `tryRead` / `discardAll` family (the consumer).
/// - **Overflow drops the newest frames.** When the consumer falls behind and the
///   ring is full, the frames that do not fit are discarded and counted in
///   `framesDropped` / `overflowCount`. Dropping the *oldest* frames instead would
///   mean the producer moving the consumer's read index while the consumer may be
///   copying from it: that needs a lock or a compare-and-swap retry protocol on
///   the read side. Dropping the newest keeps both sides wait-free and the
///   capture thread never waits; the consumer sees one gap per overflow episode
///   (`overflowCount` tells it the stream was discontinuous).
/// - Indices are free-running `UInt` frame counters compared with wrapping
///   arithmetic, so they stay correct on 32-bit targets after they wrap
///   (2³² frames is 24.8 h at 48 kHz).
/// - Capture times travel with the frames: a write may carry the CLOCK_MONOTONIC
///   time of its first frame; the ring keeps one stamp per `timestampGranule`
///   frames (in the same producer-owned region as the samples) and a read reports
///   the capture time of one of the frames it copied (`lastReadTimestamp`).
public final class SampleRing: @unchecked Sendable {
    // @unchecked Sendable: the storage is only written by the single producer in
    // the region [write, read + capacity) and only read by the single consumer in
    // [read, write); the atomics below publish each region with acquire/release.

    /// Samples per frame (1–8).
    public let channels: Int
    /// Capacity in frames (a power of two).
    public let capacityFrames: Int

    private let mask: UInt
    private let storage: UnsafeMutablePointer<Int16>
    /// Total frames ever written (producer-owned; wraps).
    private let writeIndex = Atomic<UInt>(0)
    /// Total frames ever consumed (consumer-owned; wraps).
    private let readIndex = Atomic<UInt>(0)
    private let dropped = Atomic<UInt64>(0)
    private let written = Atomic<UInt64>(0)
    private let overflows = Atomic<UInt64>(0)
    /// Eventcount flag: set by a consumer about to sleep; the producer wakes it.
    private let consumerWaiting = Atomic<Bool>(false)
    /// Frames the waiting consumer needs before the producer wakes it.
    private let wakeAt = Atomic<Int>(1)
    private let wakeup = DispatchSemaphore(value: 0)
    /// Capture time (CLOCK_MONOTONIC ns, 0 = unknown) of every frame whose index is a
    /// multiple of `timestampGranule`, slot `(index / granule) & stampMask`.
    private let stamps: UnsafeMutablePointer<Int64>
    private let stampMask: UInt
    /// Consumer-owned: the stamp found by the last successful read.
    public private(set) var lastReadTimestamp = RingTimestamp()

    /// Frames between two capture-time stamps (a power of two; reads of at least
    /// this many frames always report a stamp).
    public static let timestampGranule = 32
    private static let granuleShift: UInt = 5

    /// Creates a ring holding at least `minimumFrames` frames of `channels` samples
    /// (rounded up to a power of two). Allocates once, here.
    public init(channels: Int, minimumFrames: Int) {
        precondition((1...8).contains(channels), "SampleRing: channels must be 1...8, got \(channels)")
        precondition(minimumFrames >= 1 && minimumFrames <= 1 << 24,
                     "SampleRing: capacity must be 1...16777216 frames, got \(minimumFrames)")
        var capacity = 1
        while capacity < minimumFrames { capacity <<= 1 }
        self.channels = channels
        self.capacityFrames = capacity
        self.mask = UInt(capacity - 1)
        self.storage = .allocate(capacity: capacity * channels)
        self.storage.initialize(repeating: 0, count: capacity * channels)
        let stampCount = max(1, capacity / Self.timestampGranule)
        self.stampMask = UInt(stampCount - 1)
        self.stamps = .allocate(capacity: stampCount)
        self.stamps.initialize(repeating: 0, count: stampCount)
    }

    deinit {
        storage.deallocate()
        stamps.deallocate()
    }

    // MARK: Observation (any thread)

    /// Frames currently readable (a snapshot; exact when called by the consumer).
    public var availableFrames: Int {
        let w = writeIndex.load(ordering: .acquiring)
        let r = readIndex.load(ordering: .acquiring)
        return Int(w &- r)
    }
    /// Frames accepted into the ring since creation.
    public var framesWritten: UInt64 { written.load(ordering: .relaxed) }
    /// Frames discarded because the ring was full (the newest frames of each overflowing write).
    public var framesDropped: UInt64 { dropped.load(ordering: .relaxed) }
    /// Number of `write` calls that could not store all their frames (gaps in the stream).
    public var overflowCount: UInt64 { overflows.load(ordering: .relaxed) }

    // MARK: Producer

    /// Appends up to `frameCount` interleaved frames from `source`
    /// (`source.count >= frameCount * channels`). Never blocks. Returns the frames
    /// stored; the rest (the newest) are dropped and counted.
    @discardableResult
    public func write(_ source: UnsafePointer<Int16>, frameCount: Int) -> Int {
        write(source, frameCount: frameCount, firstFrameNanoseconds: 0, nanosecondsPerFrame: 0)
    }

    /// Appends frames like `write(_:frameCount:)`, dated: `firstFrameNanoseconds` is
    /// the CLOCK_MONOTONIC capture time of `source`'s first frame (0 = unknown) and
    /// `nanosecondsPerFrame` = 1e9 / sample rate. Never blocks, never allocates.
    @discardableResult
    public func write(_ source: UnsafePointer<Int16>, frameCount: Int, firstFrameNanoseconds: Int64,
                      nanosecondsPerFrame: Double) -> Int {
        let w = writeIndex.load(ordering: .relaxed)
        let r = readIndex.load(ordering: .acquiring)
        let free = capacityFrames - Int(w &- r)
        let n = min(frameCount, free)
        if n > 0 {
            let start = Int(w & mask)
            let first = min(n, capacityFrames - start)
            (storage + start * channels).update(from: source, count: first * channels)
            if n > first {
                storage.update(from: source + first * channels, count: (n - first) * channels)
            }
            // One stamp at every granule boundary among the stored frames.
            let granule = UInt(Self.timestampGranule)
            var g = (w &+ granule &- 1) & ~(granule &- 1)
            while g &- w < UInt(n) {
                let offset = Double(g &- w) * nanosecondsPerFrame
                stamps[Int((g >> Self.granuleShift) & stampMask)] =
                    firstFrameNanoseconds == 0 ? 0 : firstFrameNanoseconds &+ Int64(offset)
                g &+= granule
            }
            // Sequentially consistent so that, paired with the consumer's
            // flag-then-index sequence, one of the two sides always sees the other.
            writeIndex.store(w &+ UInt(n), ordering: .sequentiallyConsistent)
            written.add(UInt64(n), ordering: .relaxed)
        }
        if n < frameCount {
            dropped.add(UInt64(frameCount - n), ordering: .relaxed)
            overflows.add(1, ordering: .relaxed)
        }
        // Wake a waiting consumer only once it has what it asked for (a consumer that
        // batches hops is not woken for every period).
        if consumerWaiting.load(ordering: .sequentiallyConsistent),
           Int(w &+ UInt(n) &- r) >= wakeAt.load(ordering: .relaxed),
           consumerWaiting.exchange(false, ordering: .sequentiallyConsistent) {
            wakeup.signal()
        }
        return n
    }

    // MARK: Consumer

    /// Layout of frames copied out by `read`.
    public enum Layout: Sendable {
        /// `frame0ch0, frame0ch1, …, frame1ch0, …` (as captured).
        case interleaved
        /// All of channel 0's samples, then all of channel 1's, … (`destination[c * frames + i]`).
        case planar
    }

    /// Copies exactly `frameCount` frames into `destination` if that many are
    /// available, else copies nothing and returns false. Never blocks.
    /// `destination.count` must be at least `frameCount * channels` samples.
    public func tryRead(into destination: UnsafeMutableBufferPointer<Int16>, frameCount: Int,
                        layout: Layout = .interleaved) -> Bool {
        precondition(frameCount <= capacityFrames, "SampleRing: hop \(frameCount) frames exceeds capacity \(capacityFrames)")
        precondition(destination.count >= frameCount * channels, "SampleRing: destination too small")
        let r = readIndex.load(ordering: .relaxed)
        let w = writeIndex.load(ordering: .acquiring)
        guard Int(w &- r) >= frameCount else { return false }
        guard let base = destination.baseAddress else { return frameCount == 0 }
        let start = Int(r & mask)
        let first = min(frameCount, capacityFrames - start)
        switch layout {
        case .interleaved:
            base.update(from: storage + start * channels, count: first * channels)
            if frameCount > first {
                (base + first * channels).update(from: storage, count: (frameCount - first) * channels)
            }
        case .planar:
            for i in 0..<frameCount {
                let src = storage + ((start + i) & Int(mask)) * channels
                for c in 0..<channels { base[c * frameCount + i] = src[c] }
            }
        }
        // The first granule boundary among the frames copied, if any (its slot is
        // consumer-owned until readIndex moves: the producer's next write there is
        // `capacity` frames later).
        let granule = UInt(Self.timestampGranule)
        let g = (r &+ granule &- 1) & ~(granule &- 1)
        if g &- r < UInt(frameCount) {
            lastReadTimestamp = RingTimestamp(frameOffset: Int(g &- r),
                                              nanoseconds: stamps[Int((g >> Self.granuleShift) & stampMask)])
        } else {
            lastReadTimestamp = RingTimestamp()
        }
        readIndex.store(r &+ UInt(frameCount), ordering: .releasing)
        return true
    }

    /// Copies exactly `frameCount` frames into `destination`, waiting up to
    /// `timeoutNanoseconds` for them to arrive. Returns false on timeout (nothing
    /// copied). Sleeps on a semaphore the producer signals only when a consumer is
    /// waiting, so the producer never blocks and never takes a lock.
    public func read(into destination: UnsafeMutableBufferPointer<Int16>, frameCount: Int,
                     layout: Layout = .interleaved, timeoutNanoseconds: UInt64) -> Bool {
        if tryRead(into: destination, frameCount: frameCount, layout: layout) { return true }
        let deadline = DispatchTime.now().uptimeNanoseconds &+ timeoutNanoseconds
        while true {
            wakeAt.store(frameCount, ordering: .relaxed)
            consumerWaiting.store(true, ordering: .sequentiallyConsistent)
            if availableFramesSeqCst() >= frameCount {
                consumerWaiting.store(false, ordering: .relaxed)
                return tryRead(into: destination, frameCount: frameCount, layout: layout)
            }
            let now = DispatchTime.now().uptimeNanoseconds
            if now >= deadline {
                consumerWaiting.store(false, ordering: .relaxed)
                return false
            }
            // A stale signal left by an earlier timed-out wait only causes one extra loop.
            _ = wakeup.wait(timeout: DispatchTime(uptimeNanoseconds: deadline))
            if tryRead(into: destination, frameCount: frameCount, layout: layout) {
                consumerWaiting.store(false, ordering: .relaxed)
                return true
            }
        }
    }

    /// Consumer: waits until at least `minimumFrames` frames are readable or
    /// `timeoutNanoseconds` passed; returns true when they are. Copies nothing. The
    /// producer signals only once `minimumFrames` are there, so a consumer that
    /// processes several hops per wake-up sleeps through the periods in between.
    public func waitForFrames(_ minimumFrames: Int, timeoutNanoseconds: UInt64) -> Bool {
        if availableFrames >= minimumFrames { return true }
        let deadline = DispatchTime.now().uptimeNanoseconds &+ timeoutNanoseconds
        while true {
            wakeAt.store(minimumFrames, ordering: .relaxed)
            consumerWaiting.store(true, ordering: .sequentiallyConsistent)
            if availableFramesSeqCst() >= minimumFrames {
                consumerWaiting.store(false, ordering: .relaxed)
                return true
            }
            if DispatchTime.now().uptimeNanoseconds >= deadline {
                consumerWaiting.store(false, ordering: .relaxed)
                return false
            }
            _ = wakeup.wait(timeout: DispatchTime(uptimeNanoseconds: deadline))
            if availableFrames >= minimumFrames {
                consumerWaiting.store(false, ordering: .relaxed)
                return true
            }
        }
    }

    /// Discards everything currently readable (consumer side), e.g. after a
    /// device reopen when the analysis chain is reset. Returns the frames discarded.
    @discardableResult
    public func discardAll() -> Int {
        let r = readIndex.load(ordering: .relaxed)
        let w = writeIndex.load(ordering: .acquiring)
        readIndex.store(w, ordering: .releasing)
        return Int(w &- r)
    }

    private func availableFramesSeqCst() -> Int {
        Int(writeIndex.load(ordering: .sequentiallyConsistent) &- readIndex.load(ordering: .relaxed))
    }
}

/// Capture time of one frame of the last read: frame `frameOffset` (0-based, within
/// the frames copied) was captured at `nanoseconds` (CLOCK_MONOTONIC; 0 = unknown).
public struct RingTimestamp: Sendable, Equatable {
    /// Index of the dated frame within the last read.
    public var frameOffset: Int
    /// CLOCK_MONOTONIC ns of that frame's capture; 0 when the producer gave no time.
    public var nanoseconds: Int64

    /// Unknown (0 ns).
    public init(frameOffset: Int = 0, nanoseconds: Int64 = 0) {
        self.frameOffset = frameOffset
        self.nanoseconds = nanoseconds
    }

    /// True when a capture time is known.
    public var isKnown: Bool { nanoseconds != 0 }
}
