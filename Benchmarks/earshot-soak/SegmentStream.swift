// Streams the soundscape into the agent's file feeder one segment at a time.
//
// The agent replays `path` with `loop` on: when the feeder reaches the end of the file it
// opens `path` again. The soak writes segment k+1 to `path.tmp` and renames it over `path`
// once the feeder has opened segment k (the analysis has read samples of segment k), and the
// analysis thread's hop hook holds the analysis back (so the ring fills and the feeder waits)
// when it comes within `marginSeconds` of the end of a segment whose successor is not in place
// yet. Only two segments exist on disk at a time; none is held in memory beyond one buffer.
import Glibc
import Synchronization

/// Hops analysed (written by the analysis thread's hop hook).
let hopsAnalysed = Atomic<Int64>(0)
/// Index of the newest segment renamed over the stream path.
let segmentInPlace = Atomic<Int64>(0)
/// Hop hook waits, in hops, spent waiting for a segment (diagnostic).
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

/// Writes mono 16-bit WAV segments with one preallocated buffer.
struct SegmentWriter {
    let path: String
    let tmpPath: String
    let buffer: UnsafeMutableBufferPointer<Int16>
    private var header = [UInt8](repeating: 0, count: 44)

    init(path: String, frames: Int) {
        self.path = path
        tmpPath = path + ".tmp"
        buffer = .allocate(capacity: frames)
        buffer.initialize(repeating: 0)
        var h: [UInt8] = []
        func u32(_ v: UInt32) { for i in 0..<4 { h.append(UInt8((v >> (8 * UInt32(i))) & 0xFF)) } }
        func u16(_ v: UInt16) { h += [UInt8(v & 0xFF), UInt8(v >> 8)] }
        let bytes = UInt32(frames * 2)
        h += Array("RIFF".utf8); u32(36 + bytes); h += Array("WAVE".utf8)
        h += Array("fmt ".utf8); u32(16); u16(1); u16(1); u32(UInt32(StreetSynth.rate)); u32(UInt32(StreetSynth.rate * 2)); u16(2); u16(16)
        h += Array("data".utf8); u32(bytes)
        header = h
    }

    /// Fills the buffer from `synth` and writes it to `tmpPath` (or `path` when `direct`).
    mutating func writeNext(_ synth: inout StreetSynth, direct: Bool) -> Bool {
        synth.fill(buffer)
        let target = direct ? path : tmpPath
        let fd = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let okHeader = header.withUnsafeBytes { write(fd, $0.baseAddress, 44) == 44 }
        let total = buffer.count * 2
        var done = 0
        while done < total {
            let n = write(fd, UnsafeRawPointer(buffer.baseAddress!) + done, total - done)
            if n <= 0 { return false }
            done += n
        }
        return okHeader
    }

    /// Renames the written segment over the stream path.
    func publish() -> Bool { rename(tmpPath, path) == 0 }
}
