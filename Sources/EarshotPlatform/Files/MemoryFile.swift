// An anonymous in-memory file (memfd) reachable through /proc/self/fd/N: code that takes
// a path (the WAV reader, the recording GPIO backend) can read or write it, nothing on disk.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A memfd owned by this object (closed on deinit). Appends go to the end; `readNew()`
/// returns what anyone appended since its last call.
public final class MemoryFile {
    /// The descriptor.
    public let descriptor: FileDescriptor
    /// A path other code can `open(2)`: `/proc/self/fd/N`.
    public var path: String { "/proc/self/fd/\(descriptor.rawValue)" }
    private var readOffset = 0

    /// An empty memfd named `name` (visible in /proc/self/fd).
    /// - Throws: `SystemCallError` when `memfd_create` is missing (Linux < 3.17, glibc < 2.27) or fails.
    public init(name: String) throws(SystemCallError) {
        // memfd_create is not exported by the Glibc module; find it at run time.
        typealias MemfdCreate = @convention(c) (UnsafePointer<CChar>, UInt32) -> Int32
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "memfd_create") else {
            throw SystemCallError(call: "memfd_create", subject: name, errno: Errno(rawValue: ENOSYS))
        }
        let fd = unsafeBitCast(sym, to: MemfdCreate.self)(name, 1 /* MFD_CLOEXEC */)
        if fd < 0 { throw SystemCallError(call: "memfd_create", subject: name, errno: .current) }
        descriptor = FileDescriptor(rawValue: fd)
    }

    deinit { descriptor.closeAfterError() }

    /// Appends `bytes`.
    public func append(_ bytes: [UInt8]) throws(Errno) {
        var failure: Errno?
        bytes.withUnsafeBytes { b in
            do throws(Errno) { try descriptor.writeAll(b) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Bytes appended (by anyone) since the last call; empty when none or on a read error.
    public func readNew() -> [UInt8] {
        guard let size = try? descriptor.status().size, size > readOffset else { return [] }
        var out = [UInt8](repeating: 0, count: size - readOffset)
        let n = out.withUnsafeMutableBytes { (try? descriptor.preadAll(into: $0, at: readOffset)) ?? 0 }
        readOffset += n
        return Array(out.prefix(n))
    }
}
