// The process's one writer to file descriptor 2 (journald reads it under systemd).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Unbuffered writes to standard error: a line goes out whole in as few `write(2)`
/// calls as the kernel allows, retried on `EINTR`, so a crash right after still leaves it
/// in the journal. Writing allocates nothing beyond what building the `String` did.
public enum StandardError {
    /// Writes `text` followed by a newline.
    public static func writeLine(_ text: String) {
        var t = text
        t.append("\n")
        write(t)
    }

    /// Writes `text` as it is.
    public static func write(_ text: String) {
        var t = text
        t.withUTF8 { writeBytes(UnsafeRawBufferPointer($0)) }
    }

    /// Writes the first `count` bytes of `buffer` as they are (allocation-free).
    public static func write(_ buffer: FixedBuffer<UInt8>, count: Int) {
        buffer.withElements(count: count) { writeBytes(UnsafeRawBufferPointer($0)) }
    }

    /// Writes `bytes` as they are.
    public static func writeBytes(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var off = 0
        while off < bytes.count {
            let n = systemWrite(2, base + off, bytes.count - off)
            if n < 0 { if errno == EINTR { continue }; return }
            if n == 0 { return }
            off += n
        }
    }
}

/// `write(2)` under a name the static methods above do not shadow.
@inline(__always)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
