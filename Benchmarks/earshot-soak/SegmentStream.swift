// Streams the soundscape into the agent's file feeder through ONE file opened once.
//
// The stream is a single WAV whose header declares the whole run (`segments` × 60 s; 24 h of
// 16 kHz mono = 2.76 GB, within the 4 GiB RIFF limit). The file is sparse: `ftruncate` gives it
// its full length at start, the driver writes segment k+1 in place (pwrite at its offset) while
// the agent reads segment k, and punches out segments already read (fallocate PUNCH_HOLE), so
// about two segments (4 MB) use disk at a time. The agent opens the file once and never
// re-opens it (no `loop`): its feeder thread allocates nothing in steady state, where the
// earlier design (a file renamed over the path each minute, re-opened by the looping feeder)
// cost 4 heap allocations per minute of audio on the feed thread.
//
// The analysis thread's hop hook holds the analysis (so the ring fills and the feeder waits)
// when it comes within `marginFrames` of the end of a segment whose successor is not written
// yet: the feeder reads at most the ring (1 s) ahead of the analysis, the margin is 3 s.
import Glibc
import Synchronization

/// Hops analysed (written by the analysis thread's hop hook).
let hopsAnalysed = Atomic<Int64>(0)
/// Index of the newest segment written into the stream file.
let segmentInPlace = Atomic<Int64>(0)
/// Hop hook waits, in polls of 200 µs, spent waiting for a segment (diagnostic).
let hookWaits = Atomic<Int64>(0)

/// Segment geometry shared by the driver and the hop hook.
struct SegmentPlan: Sendable {
    static let hopFrames: Int64 = 160
    let segmentFrames: Int64
    let segments: Int64
    let marginFrames: Int64

    /// Called on the analysis thread after hop `hop`: waits while the next segment is late.
    @inline(__always)
    func holdIfAhead(afterHop hop: Int64) {
        let consumed = hop * Self.hopFrames
        let next = consumed / segmentFrames + 1
        guard next < segments, consumed >= next * segmentFrames - marginFrames else { return }
        while segmentInPlace.load(ordering: .acquiring) < next {
            hookWaits.add(1, ordering: .relaxed)
            usleep(200)
        }
    }
}

/// The sparse stream file: header for the whole run, segments written in place with one
/// preallocated buffer.
struct StreamFile {
    static let headerBytes = 44
    let path: String
    let fd: Int32
    let segmentFrames: Int
    let segments: Int64
    let buffer: UnsafeMutableBufferPointer<Int16>
    /// fallocate(2) from glibc (not imported by Swift's Glibc module), nil when absent.
    private let fallocate: (@convention(c) (Int32, Int32, Int64, Int64) -> Int32)?

    /// Creates `path` with a header declaring `segments` × `segmentFrames` mono 16-bit frames
    /// at `rate` Hz, sized (sparse) to its full length. Nil when the file cannot be made or
    /// the data would exceed the RIFF 32-bit size.
    init?(path: String, segmentFrames: Int, segments: Int64, rate: Int) {
        let dataBytes = Int64(segmentFrames) * segments * 2
        guard dataBytes + 36 <= Int64(UInt32.max) else { return nil }
        self.path = path
        self.segmentFrames = segmentFrames
        self.segments = segments
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        buffer = .allocate(capacity: segmentFrames)
        buffer.initialize(repeating: 0)
        fallocate = dlsym(nil, "fallocate").map { unsafeBitCast($0, to: (@convention(c) (Int32, Int32, Int64, Int64) -> Int32).self) }
        var h: [UInt8] = []
        func u32(_ v: UInt32) { for i in 0..<4 { h.append(UInt8((v >> (8 * UInt32(i))) & 0xFF)) } }
        func u16(_ v: UInt16) { h += [UInt8(v & 0xFF), UInt8(v >> 8)] }
        h += Array("RIFF".utf8); u32(UInt32(36 + dataBytes)); h += Array("WAVE".utf8)
        h += Array("fmt ".utf8); u32(16); u16(1); u16(1); u32(UInt32(rate)); u32(UInt32(rate * 2)); u16(2); u16(16)
        h += Array("data".utf8); u32(UInt32(dataBytes))
        let fd = self.fd
        guard h.withUnsafeBytes({ pwrite(fd, $0.baseAddress, Self.headerBytes, 0) }) == Self.headerBytes,
              ftruncate(fd, off_t(Int64(Self.headerBytes) + dataBytes)) == 0 else { close(fd); return nil }
    }

    /// Fills the buffer from `synth` and writes it as segment `index`.
    func write(segment index: Int64, from synth: inout StreetSynth) -> Bool {
        synth.fill(buffer)
        let base = Int64(Self.headerBytes) + index * Int64(segmentFrames) * 2
        let total = segmentFrames * 2
        var done = 0
        while done < total {
            let n = pwrite(fd, UnsafeRawPointer(buffer.baseAddress!) + done, total - done, off_t(base + Int64(done)))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    /// Frees the disk blocks of segment `index` (already read); a no-op where unsupported.
    func punch(segment index: Int64) {
        guard index >= 0, let fallocate else { return }
        let base = Int64(Self.headerBytes) + index * Int64(segmentFrames) * 2
        _ = fallocate(fd, 0x01 | 0x02, base, Int64(segmentFrames) * 2)  // FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE
    }

    func closeFile() { close(fd) }
}
