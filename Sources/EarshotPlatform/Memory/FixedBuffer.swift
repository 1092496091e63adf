// Fixed-size memory allocated once at configuration time: the agent's per-thread
// workspaces (a hop of Q15 samples, a localiser's windows, a log line's bytes) hold
// their storage here instead of allocating, rebasing and freeing raw pointers
// themselves. DSP kernels take buffer pointers by design (Embedded, allocation-free);
// a caller hands one over only inside `withElements`/`withMutableElements`, for one call.

/// `count` elements allocated and filled at `init`, freed at `deinit`; nothing allocates
/// afterwards. Element access is bounds-checked (a precondition, also in release builds).
///
/// Not thread-safe: a buffer belongs to one thread's workspace (or is immutable after
/// filling, e.g. designed twiddles).
public final class FixedBuffer<Element>: RandomAccessCollection {
    /// Number of elements (fixed).
    public let count: Int
    @usableFromInline let storage: UnsafeMutableBufferPointer<Element>

    /// Allocates `count` (≥ 0) elements, each `value`.
    public init(count: Int, repeating value: Element) {
        precondition(count >= 0, "FixedBuffer count must not be negative")
        self.count = count
        storage = .allocate(capacity: count)
        storage.initialize(repeating: value)
    }

    deinit {
        storage.deinitialize()
        storage.deallocate()
    }

    /// 0.
    @inlinable public var startIndex: Int { 0 }
    /// `count`.
    @inlinable public var endIndex: Int { count }

    /// Element `index` (0 ..< count).
    @inlinable
    public subscript(index: Int) -> Element {
        get {
            precondition(index >= 0 && index < count, "FixedBuffer index out of range")
            return storage[index]
        }
        set {
            precondition(index >= 0 && index < count, "FixedBuffer index out of range")
            storage[index] = newValue
        }
    }

    /// Sets elements `start ..< start + length` (default: all) to `value`.
    @inlinable
    public func fill(_ value: Element, from start: Int = 0, count length: Int? = nil) {
        let n = length ?? (count - start)
        precondition(start >= 0 && n >= 0 && start + n <= count, "FixedBuffer range out of bounds")
        UnsafeMutableBufferPointer(rebasing: storage[start..<(start + n)]).update(repeating: value)
    }

    /// Copies `count` elements of `source` from `sourceStart` to this buffer from `start`.
    @inlinable
    public func copy(from source: FixedBuffer<Element>, sourceStart: Int = 0, to start: Int = 0, count n: Int) {
        precondition(n >= 0 && sourceStart >= 0 && start >= 0
                     && sourceStart + n <= source.count && start + n <= count, "FixedBuffer copy out of range")
        guard n > 0 else { return }
        (storage.baseAddress! + start).update(from: source.storage.baseAddress! + sourceStart, count: n)
    }

    /// Calls `body` with elements `start ..< start + length` (default: all) read-only,
    /// e.g. a hop for a DSP kernel. The memory must not be kept past `body`.
    @inlinable
    public func withElements<R, E: Error>(from start: Int = 0, count length: Int? = nil,
                                          _ body: (UnsafeBufferPointer<Element>) throws(E) -> R) throws(E) -> R {
        let n = length ?? (count - start)
        precondition(start >= 0 && n >= 0 && start + n <= count, "FixedBuffer range out of bounds")
        return try body(UnsafeBufferPointer(rebasing: storage[start..<(start + n)]))
    }

    /// Calls `body` with elements `start ..< start + length` (default: all) writable,
    /// e.g. for a reader to fill or a kernel's workspace. The memory must not be kept past `body`.
    @inlinable
    public func withMutableElements<R, E: Error>(from start: Int = 0, count length: Int? = nil,
                                                 _ body: (UnsafeMutableBufferPointer<Element>) throws(E) -> R) throws(E) -> R {
        let n = length ?? (count - start)
        precondition(start >= 0 && n >= 0 && start + n <= count, "FixedBuffer range out of bounds")
        return try body(UnsafeMutableBufferPointer(rebasing: storage[start..<(start + n)]))
    }

    /// The storage itself, for a DSP kernel that keeps caller-provided storage for its
    /// lifetime (e.g. `GCCPHATLocaliser`'s twiddles). Valid while this buffer lives: the
    /// owner keeps the buffer and the kernel together and drops them together.
    public var kernelStorage: UnsafeMutableBufferPointer<Element> { storage }
}
