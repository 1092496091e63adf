// Hand-off from real-time threads to the outbox writer: a fixed-capacity ring,
// so the analysis thread never waits for a disk sync.
import Glibc

/// One message waiting to be written to the outbox.
enum Submission {
    case event(EventMessage, sequence: UInt64)
    case telemetry(TelemetryMessage)
}

/// Bounded multi-producer, single-consumer queue with a condition variable.
/// Storage is allocated once (`capacity` slots); `push` never blocks on I/O (it
/// takes a mutex held only for a slot copy) and fails when full.
final class SubmissionQueue: @unchecked Sendable {
    private var slots: [Submission?]
    private var head = 0
    private var count = 0
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var closed = false

    init(capacity: Int) {
        slots = Array(repeating: nil, count: max(capacity, 1))
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition); pthread_mutex_destroy(mutex)
        condition.deallocate(); mutex.deallocate()
    }

    /// Appends; false when full or closed.
    func push(_ s: Submission) -> Bool {
        pthread_mutex_lock(mutex); defer { pthread_mutex_unlock(mutex) }
        guard !closed, count < slots.count else { return false }
        slots[(head + count) % slots.count] = s
        count += 1
        pthread_cond_signal(condition)
        return true
    }

    /// Waits for the next submission; nil once closed and empty.
    func pop() -> Submission? {
        pthread_mutex_lock(mutex); defer { pthread_mutex_unlock(mutex) }
        while count == 0 && !closed { pthread_cond_wait(condition, mutex) }
        guard count > 0 else { return nil }
        let s = slots[head]
        slots[head] = nil
        head = (head + 1) % slots.count
        count -= 1
        return s
    }

    /// Stops accepting; `pop` drains what is left, then returns nil.
    func close() {
        pthread_mutex_lock(mutex); closed = true; pthread_cond_broadcast(condition); pthread_mutex_unlock(mutex)
    }

    /// Submissions waiting.
    var depth: Int { pthread_mutex_lock(mutex); defer { pthread_mutex_unlock(mutex) }; return count }
}
