// An in-memory GPIO chip that appends every line transition to a text file, so
// a test can watch the PTZ lines of an `earshot run` child process.
import EarshotPlatform
import EarshotGPIO
import Synchronization
#if canImport(Glibc)
import Glibc  // O_* flags
#endif

/// Records `claim`, `set` and `release` as lines of a file:
/// `claim <n>` / `set <monotonic_ns> <index> <active 0|1> <high 0|1>` / `release`.
/// Each line is one `write(2)` on an `O_APPEND` descriptor.
public final class RecordingGPIOBackend: GPIOBackend, Sendable {
    private let file: FileDescriptor
    private let lines = Mutex<[GPIOLineConfig]>([])

    /// Opens (creates, appends to) `path`.
    public init(path: String) throws(GPIOError) {
        do throws(Errno) { file = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_APPEND) } catch {
            throw GPIOError(.noSuchChip, errno: error.rawValue, "cannot open fake GPIO log \(path): \(error)")
        }
    }

    deinit { file.closeAfterError() }

    public func claim(chip: GPIOChipRef, lines: [GPIOLineConfig]) throws(GPIOError) {
        self.lines.withLock { $0 = lines }
        emit("claim \(lines.count) \(lines.map { $0.physical(active: false) ? "1" : "0" }.joined(separator: ","))\n")
    }

    public func set(line index: Int, active: Bool) throws(GPIOError) {
        let high = lines.withLock { $0[index].physical(active: active) }
        emit("set \(MonotonicClock.nanoseconds()) \(index) \(active ? 1 : 0) \(high ? 1 : 0)\n")
    }

    public func release() { emit("release\n") }

    /// A failed write loses the line; the test reading the log then fails on it.
    private func emit(_ text: String) { try? file.writeAll(text) }
}
