// The one lock that Synchronization.Mutex cannot be: re-entered by the thread that holds it.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A recursive mutex over `pthread_mutex_t`: libmosquitto calls back into its session
/// (on_connect, on_publish) from inside calls that already hold the session's lock.
/// Everything else uses `Synchronization.Mutex`. Allocated once at init.
public final class RecursiveLock: @unchecked Sendable {
    // @unchecked Sendable: the pthread mutex is the synchronisation; the pointer never changes.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    /// A new unlocked lock.
    public init() {
        mutex = .allocate(capacity: 1)
        var attr = pthread_mutexattr_t()
        pthread_mutexattr_init(&attr)
        pthread_mutexattr_settype(&attr, Int32(PTHREAD_MUTEX_RECURSIVE))
        pthread_mutex_init(mutex, &attr)
        pthread_mutexattr_destroy(&attr)
    }

    deinit { pthread_mutex_destroy(mutex); mutex.deallocate() }

    /// Takes the lock (again, if this thread holds it).
    public func lock() { pthread_mutex_lock(mutex) }
    /// Releases one level of the lock.
    public func unlock() { pthread_mutex_unlock(mutex) }

    /// Runs `body` holding the lock.
    public func withLock<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        lock(); defer { unlock() }
        return try body()
    }
}
