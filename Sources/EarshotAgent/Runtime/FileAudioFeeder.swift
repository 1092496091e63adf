// A WAV file played into a SampleRing as if it were a microphone: for tests,
// demos and benchmarks (`earshot run --input FILE`). Never drops samples: when
// the ring is full the feeder waits for the analysis thread.
import EarshotAudio
import EarshotPlatform
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Feeds the selected channel of a WAV file (or, for a multichannel board, all of its
/// channels interleaved) into a `SampleRing` from its
/// own thread, one write per capture period of `chunkFrames` frames (the board's
/// `period_frames`), as the ALSA capture thread it stands in for would. With
/// `realtime`, chunk k is written at `startMonotonicNanoseconds + (k+1)·chunk/rate`
/// (so sample i "happens" at start + i/rate, and the feeder wakes once per period);
/// otherwise as fast as the ring drains. Never drops: a full ring makes the feeder
/// wait. With `loop`, the file restarts at its end.
public final class FileAudioFeeder: Sendable {
    // The readers opened here are handed to the feeder thread once (`opened`); its buffers
    // are made there. What other threads read is atomic.
    /// The file being played.
    public let path: String
    /// Its sample rate, Hz.
    public let rate: Int
    /// Mono Q15 ring the analysis thread reads.
    public let ring: SampleRing
    /// Frames per write: one capture period.
    public let chunkFrames: Int
    private let selection: WAVChannelSelection
    private let realtime: Bool
    private let loop: Bool
    /// Channels written per frame: 1 (the selected channel), or every channel of the file.
    public let channels: Int
    /// The readers opened by `init`, until the feeder thread takes them.
    private let opened: Mutex<FeederReaders?>
    private let stopRequested = Atomic<Bool>(false)
    private let done = Atomic<Bool>(false)
    private let frames = Atomic<UInt64>(0)
    private let start = Atomic<Int64>(0)
    private let finishedSignal = Atomic<Bool>(false)

    /// Opens `path` (WAV) and prepares a ring of `ringFrames` (at least 4 periods).
    /// `periodFrames`: frames per write at the file's rate (nil: 10 ms, rate / 100).
    /// `allChannels`: write every channel of the file, interleaved, as a multichannel
    /// capture would (a microphone-array recording replayed with its bearings); otherwise
    /// the `selection`, mono.
    /// - Throws: `WAVError` naming the file.
    public init(path: String, selection: WAVChannelSelection, realtime: Bool, loop: Bool, ringFrames: Int,
                periodFrames: Int? = nil, allChannels: Bool = false) throws(WAVError) {
        self.path = path
        self.selection = selection
        self.realtime = realtime
        self.loop = loop
        let reader = try WAVReader(path: path, selection: selection)
        rate = reader.format.sampleRate
        channels = allChannels ? reader.format.channels : 1
        var channelReaders: [WAVReader] = []
        if channels > 1 {
            for c in 0..<channels { channelReaders.append(try WAVReader(path: path, selection: .channel(c))) }
        }
        chunkFrames = max(periodFrames ?? rate / 100, 1)
        ring = SampleRing(channels: channels, minimumFrames: max(ringFrames, chunkFrames * 4))
        opened = Mutex(FeederReaders(reader: reader, channelReaders: channelReaders))
    }

    /// Reads one period into `buffer`: the selected channel, or every channel interleaved.
    /// Returns frames read.
    private func readChunk(_ r: inout FeederReaders, _ buffer: FixedBuffer<Int16>,
                           _ channelBuffer: FixedBuffer<Int16>) throws(WAVError) -> Int {
        guard channels > 1 else { return try r.reader.read(into: buffer, count: chunkFrames) }
        var frames = Int.max
        for c in 0..<channels {
            let n = try r.channelReaders[c].read(into: channelBuffer, count: chunkFrames)
            frames = min(frames, n)
            for i in 0..<n { buffer[i * channels + c] = channelBuffer[i] }
        }
        return frames
    }

    /// Starts the file again from its first frame (`loop`).
    private func rewind(_ r: inout FeederReaders) -> Bool {
        guard let again = try? WAVReader(path: path, selection: selection) else { return false }
        r.reader = again
        if channels > 1 {
            var fresh: [WAVReader] = []
            for c in 0..<channels {
                guard let cr = try? WAVReader(path: path, selection: .channel(c)) else { return false }
                fresh.append(cr)
            }
            r.channelReaders = fresh
        }
        return true
    }

    /// Monotonic time (ns) of sample 0 of the stream (0 before `start`).
    public var startMonotonicNanoseconds: Int64 { start.load(ordering: .acquiring) }
    /// Frames written into the ring so far.
    public var framesWritten: UInt64 { frames.load(ordering: .relaxed) }
    /// True once the file ended (never with `loop`) or `stop()` was called.
    public var isFinished: Bool { done.load(ordering: .acquiring) }

    /// Starts the feeder thread.
    public func begin() {
        start.store(AgentClock.monotonicNanoseconds(), ordering: .releasing)
        AgentThread.spawn(name: "earshot-feed") { [self] in run() }
    }

    /// Stops the thread (returns within about one period).
    public func stop() {
        stopRequested.store(true, ordering: .relaxed)
        while !finishedSignal.load(ordering: .acquiring) && start.load(ordering: .relaxed) != 0 { usleep(1_000) }
    }

    private func run() {
        let t0 = start.load(ordering: .relaxed)
        var written: Int64 = 0
        defer {
            done.store(true, ordering: .releasing)
            finishedSignal.store(true, ordering: .releasing)
        }
        guard var readers = opened.withLock({ $0.take() }) else { return }   // begin() runs once
        let buffer = FixedBuffer<Int16>(count: chunkFrames * channels, repeating: 0)
        let channelBuffer = FixedBuffer<Int16>(count: chunkFrames, repeating: 0)
        while !stopRequested.load(ordering: .relaxed) {
            var n: Int
            do { n = try readChunk(&readers, buffer, channelBuffer) } catch { n = 0 }
            if n == 0 {
                guard loop, rewind(&readers) else { return }
                continue
            }
            buffer.fill(0, from: n * channels)
            if realtime {
                let due = t0 &+ (written &+ Int64(chunkFrames)) &* 1_000_000_000 / Int64(rate)
                AgentThread.sleep(untilMonotonic: due)
            }
            // A replay is lossless: wait for room (a late analysis delays the audio, never cuts it).
            while ring.capacityFrames - ring.availableFrames < chunkFrames {
                if stopRequested.load(ordering: .relaxed) { return }
                usleep(2_000)  // the ring holds ≥ 50 ms: 2 ms naps keep it fed at a fraction of the wake-ups
            }
            ring.write(buffer, frameCount: chunkFrames)
            written &+= Int64(chunkFrames)
            frames.add(UInt64(chunkFrames), ordering: .relaxed)
        }
    }
}

/// The open readers of a feeder: the selected channel's, and one per channel when every
/// channel is fed (each reads its channel of the same file).
struct FeederReaders {
    var reader: WAVReader
    var channelReaders: [WAVReader]
}
