// The hand-off between two threads that must never block the producer: a preallocated
// single-producer/single-consumer ring of fixed-size items. `push` never blocks and never
// allocates; a full queue drops the item and counts it. (The agent's analysis → dispatcher
// queue is one.)
import Dispatch
import Synchronization

/// A bounded SPSC ring of `Element`s (allocated once at init); the consumer can wait with a
/// timeout. Exactly one thread may push and one thread may pop.
public final class SPSCQueue<Element: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: slot i is written only by the producer before it publishes `tail`
    // (release), and read only by the consumer after it loads `tail` (acquire) and before it
    // publishes `head` (release); the producer reuses a slot only after loading that `head`.
    @usableFromInline let capacity: Int
    @usableFromInline let slots: UnsafeMutablePointer<Element>
    @usableFromInline let head = Atomic<Int>(0)
    @usableFromInline let tail = Atomic<Int>(0)
    @usableFromInline let droppedCount = Atomic<UInt64>(0)
    @usableFromInline let wake = DispatchSemaphore(value: 0)

    /// A queue of `capacity` items, each slot initialised to `filler` (allocated here).
    public init(capacity: Int, filler: Element) {
        precondition(capacity > 0, "SPSCQueue capacity must be positive")
        self.capacity = capacity
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: filler, count: capacity)
    }

    deinit {
        slots.deinitialize(count: capacity)
        slots.deallocate()
    }

    /// Items dropped because the consumer fell behind.
    public var dropped: UInt64 { droppedCount.load(ordering: .relaxed) }

    /// Producer: appends `item`; returns false (and counts it) when full.
    @inlinable @discardableResult
    public func push(_ item: borrowing Element) -> Bool {
        let t = tail.load(ordering: .relaxed)
        let h = head.load(ordering: .acquiring)
        if t &- h >= capacity {
            droppedCount.add(1, ordering: .relaxed)
            return false
        }
        slots[t % capacity] = copy item
        tail.store(t &+ 1, ordering: .releasing)
        wake.signal()
        return true
    }

    /// Consumer: the next item, waiting up to `timeoutMilliseconds`; nil on timeout.
    @inlinable
    public func pop(timeoutMilliseconds: Int) -> Element? {
        if let item = tryPop() { return item }
        _ = wake.wait(timeout: .now() + .milliseconds(timeoutMilliseconds))
        return tryPop()
    }

    /// Wakes a consumer waiting in `pop` (it then returns nil if nothing is queued):
    /// lets the consumer wait with a long timeout and still stop at once.
    public func wakeConsumer() { wake.signal() }

    /// Consumer: the next item if any.
    @inlinable
    public func tryPop() -> Element? {
        let h = head.load(ordering: .relaxed)
        let t = tail.load(ordering: .acquiring)
        guard t != h else { return nil }
        let item = slots[h % capacity]
        head.store(h &+ 1, ordering: .releasing)
        return item
    }

    /// Items waiting.
    public var count: Int { tail.load(ordering: .acquiring) &- head.load(ordering: .acquiring) }
}
