// Resident set size from /proc/self/status, read without allocating (one buffer made at start).
import Glibc

enum ProcStatus {
    nonisolated(unsafe) static let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 8192)

    /// VmRSS in KiB (-1 when unreadable).
    static func rssKiB() -> Int { field("VmRSS:") }
    /// VmHWM (peak RSS) in KiB.
    static func peakKiB() -> Int { field("VmHWM:") }
    /// RssAnon (heap, stacks, anonymous maps) in KiB.
    static func anonKiB() -> Int { field("RssAnon:") }
    /// RssFile (mapped files: code of the binary and its libraries as it is paged in) in KiB.
    static func fileKiB() -> Int { field("RssFile:") }

    private static func field(_ key: StaticString) -> Int {
        let fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return -1 }
        defer { close(fd) }
        let n = read(fd, buffer, 8191)
        guard n > 0 else { return -1 }
        let k = key.utf8Start, kn = key.utf8CodeUnitCount
        var i = 0
        while i + kn < n {
            if (i == 0 || buffer[i - 1] == 0x0A) && memcmp(buffer + i, k, kn) == 0 {
                var j = i + kn, v = 0
                while j < n && (buffer[j] == 0x20 || buffer[j] == 0x09) { j += 1 }
                while j < n && buffer[j] >= 0x30 && buffer[j] <= 0x39 { v = v * 10 + Int(buffer[j] - 0x30); j += 1 }
                return v
            }
            i += 1
        }
        return -1
    }

    /// Copies /proc/self/smaps to `path` with read/write and the preallocated buffer
    /// (no heap allocation), for a per-mapping RSS diff between two instants.
    static func copySmaps(to path: String) {
        let from = open("/proc/self/smaps", O_RDONLY | O_CLOEXEC)
        guard from >= 0 else { return }
        defer { close(from) }
        let to = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard to >= 0 else { return }
        defer { close(to) }
        while true {
            let n = read(from, buffer, 8192)
            if n <= 0 { return }
            _ = write(to, buffer, n)
        }
    }
}
