// An anonymous in-memory file (memfd) reachable through /proc/self/fd/N: the
// seam that lets the demo hand synthesised audio to the runtime's own file
// feeder and collect the fake PTZ chip's transitions, with nothing on disk.
#if canImport(Glibc)
import EarshotPlatform
import Glibc
#endif

/// A memfd owned by this process; closed on deinit.
final class DemoMemoryFile {
    let fd: Int32
    /// A path other code can `open(2)` (`/proc/self/fd/N`).
    var path: String { "/proc/self/fd/\(fd)" }
    private var readOffset: Int = 0

    /// Creates an empty memfd named `name` (shows in /proc/self/fd).
    init(name: String) throws(AgentError) {
        // memfd_create is not exported by the Glibc module; find it at run time.
        typealias MemfdCreate = @convention(c) (UnsafePointer<CChar>, UInt32) -> Int32
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "memfd_create") else {
            throw AgentError(.runtime, "memfd_create is not available (Linux ≥ 3.17, glibc ≥ 2.27 needed)")
        }
        fd = unsafeBitCast(sym, to: MemfdCreate.self)(name, 1 /* MFD_CLOEXEC */)
        if fd < 0 { throw AgentError(.runtime, "memfd_create(\(name)): \(Errno.current.description)") }
    }

    deinit { close(fd) }

    /// Appends `bytes`.
    func write(_ bytes: [UInt8]) throws(AgentError) {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, bytes.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                throw AgentError(.runtime, "writing memfd: \(Errno.current.description)")
            }
            off += n
        }
    }

    /// Bytes appended (by anyone) since the last call.
    func readNew() -> [UInt8] {
        var st = stat()
        guard fstat(fd, &st) == 0, Int(st.st_size) > readOffset else { return [] }
        var out = [UInt8](repeating: 0, count: Int(st.st_size) - readOffset)
        let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(readOffset)) }
        if n <= 0 { return [] }
        readOffset += n
        return Array(out.prefix(n))
    }

    /// A mono 16-bit PCM WAV file holding `samples` at `rate` Hz.
    static func wav(samples: [Int16], rate: Int) throws(AgentError) -> DemoMemoryFile {
        let f = try DemoMemoryFile(name: "earshot-demo.wav")
        try f.write(PCM16WAV.header(sampleCount: samples.count, rate: rate))
        try f.write(PCM16WAV.samples(samples))
        return f
    }
}
