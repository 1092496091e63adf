// The demo's in-memory files (EarshotPlatform's MemoryFile): the synthesised WAV the
// runtime's own file feeder reads, and the fake PTZ chip's log; nothing on disk.
import EarshotPlatform

/// A memfd for the demo and the self-test, errors worded as `AgentError`.
public final class DemoMemoryFile {
    private let file: MemoryFile
    /// A path other code can `open(2)` (`/proc/self/fd/N`).
    public var path: String { file.path }

    /// Creates an empty memfd named `name` (shows in /proc/self/fd).
    public init(name: String) throws(AgentError) {
        do { file = try MemoryFile(name: name) } catch { throw AgentError(.runtime, error.description) }
    }

    /// Appends `bytes`.
    public func write(_ bytes: [UInt8]) throws(AgentError) {
        do { try file.append(bytes) } catch { throw AgentError(.runtime, "writing memfd: \(error)") }
    }

    /// Bytes appended (by anyone) since the last call.
    public func readNew() -> [UInt8] { file.readNew() }

    /// A mono 16-bit PCM WAV file holding `samples` at `rate` Hz.
    public static func wav(samples: [Int16], rate: Int) throws(AgentError) -> DemoMemoryFile {
        let f = try DemoMemoryFile(name: "earshot-demo.wav")
        try f.write(PCM16WAV.header(sampleCount: samples.count, rate: rate))
        try f.write(PCM16WAV.samples(samples))
        return f
    }
}
