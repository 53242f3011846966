import DequeModule

/// Remembers the transaction ids recently applied, so that a record delivered twice (a Kafka
/// redelivery after a rebalance, a client retry) is counted once in the statistics and rules.
///
/// Bounded two ways, so memory stays bounded whatever the traffic:
/// - time: an id is remembered for `window` of the monitor's clock (the `now` passed to
///   `Monitor.record`, i.e. when the monitor received the record), inclusive;
/// - size: at most `capacity` ids; when full, the oldest is forgotten first.
///
/// Beyond either bound an id is forgotten, and **a repeated id is then counted again**: exactly
/// once holds only within the window. Size the window to cover the longest redelivery you expect
/// (consumer restart plus rebalance) and the capacity to cover the window at peak rate.
///
/// Ids are stored exactly, as `CompactTransactionID` (a UUID as its 16 bytes, any other id as
/// its text): no collision can hide one id behind another, and the window can be written to a
/// checkpoint and read by another process (a per-process-seeded hash, used before, could not).
struct DedupeWindow: Sendable {
    let windowMilliseconds: Int64
    private(set) var capacity: Int
    /// Ids inserted since creation: the next id's ordinal (ids are numbered in insertion order, so
    /// a flush can ask for the ids inserted since its previous one).
    private(set) var inserted: Int64 = 0
    private var present: Set<Key> = []
    /// Eviction order, oldest first (swift-collections' ring buffer; grows on demand up to `capacity`).
    private var order: Deque<Entry> = []

    /// A transaction id as remembered; computed before taking the monitor's lock.
    struct Key: Hashable, Sendable {
        var id: CompactTransactionID

        init(_ id: String) { self.id = CompactTransactionID(id) }
        init(_ id: CompactTransactionID) { self.id = id }
    }

    struct Entry: Sendable {
        var key: Key
        var seenAt: Int64
    }

    init(windowMilliseconds: Int64, capacity: Int) {
        precondition(capacity > 0, "dedupe capacity must be positive")
        self.windowMilliseconds = windowMilliseconds
        self.capacity = capacity
    }

    var count: Int { present.count }

    /// The remembered ids, oldest first (what a checkpoint writes).
    var entries: Deque<Entry> { order }

    /// The ordinal of the oldest id still remembered.
    var oldestOrdinal: Int64 { inserted - Int64(order.count) }

    /// The remembered ids inserted at ordinal `ordinal` or later, oldest first.
    func entries(since ordinal: Int64) -> [Entry] {
        let start = Int(min(Int64(order.count), max(0, ordinal - oldestOrdinal)))
        return Array(order[start..<order.count])
    }

    /// Changes the size bound, forgetting the oldest ids beyond it.
    mutating func resize(to newCapacity: Int) {
        capacity = max(1, newCapacity)
        while order.count > capacity { present.remove(order.removeFirst().key) }
    }

    /// Records `id` as seen at `now`. Returns true the first time within the window (apply the
    /// record), false for a repeat (skip it). A repeat does not extend the id's window.
    mutating func insert(_ id: String, now: Int64) -> Bool {
        insert(Key(id), now: now)
    }

    mutating func insert(_ key: Key, now: Int64) -> Bool {
        forgetExpired(now: now)
        guard present.insert(key).inserted else { return false }
        if order.count >= capacity { present.remove(order.removeFirst().key) }
        order.append(Entry(key: key, seenAt: now))
        inserted += 1
        return true
    }

    private mutating func forgetExpired(now: Int64) {
        while let oldest = order.first, now - oldest.seenAt > windowMilliseconds {
            present.remove(order.removeFirst().key)
        }
    }
}
