import DequeModule
import Foundation
import Synchronization

/// The newest alerts, in memory, for `GET /alerts`; thread-safe (one `Mutex`).
///
/// Bounded: keeps the `capacity` newest by `detected_at` (ties by arrival), evicting the oldest.
/// Alert ids are unique in the store, so an alert raised twice (a redelivery, another instance
/// forwarding it) is kept once.
final class AlertStore: Sendable {
    static let defaultCapacity = 10_000
    let capacity: Int
    private let state = Mutex(State())
    /// Told (outside the lock) after each alert the store kept: the alert stream wakes on it.
    private let arrivalObservers = Mutex<[@Sendable () -> Void]>([])

    private struct State: Sendable {
        /// Ascending by position: oldest first, so the newest are appended in the usual case. A Deque:
        /// once the store is full every add evicts the oldest, and `Array.removeFirst` moved all
        /// `capacity` entries each time (the largest cost of an alert storm in perf).
        var entries: Deque<Entry> = []
        var ids: Set<String> = []
        var nextSequence: UInt64 = 0
    }

    private struct Entry: Sendable {
        var position: AlertCursor
        var alert: Alert
    }

    init(capacity: Int = defaultCapacity) {
        precondition(capacity > 0, "alert store capacity must be positive")
        self.capacity = capacity
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// Stores an alert. Returns false if an alert with its id is already present, or if the store
    /// is full and this alert is older than every alert kept (it would be evicted at once).
    @discardableResult
    func add(_ alert: Alert) -> Bool {
        let kept = insert(alert)
        if kept { for observer in arrivalObservers.withLock({ $0 }) { observer() } }
        return kept
    }

    /// Calls `observer` after every alert kept from now on (from the thread that added it).
    func observeArrivals(_ observer: @escaping @Sendable () -> Void) {
        arrivalObservers.withLock { $0.append(observer) }
    }

    private func insert(_ alert: Alert) -> Bool {
        state.withLock { state in
            guard !state.ids.contains(alert.id) else { return false }
            let entry = Entry(
                position: AlertCursor(detectedAt: alert.detectedAt, sequence: state.nextSequence),
                alert: alert
            )
            if state.entries.count == capacity, let oldest = state.entries.first, entry.position < oldest.position {
                return false
            }
            state.nextSequence += 1
            state.entries.insert(entry, at: Self.insertionIndex(of: entry.position, in: state.entries))
            state.ids.insert(alert.id)
            if state.entries.count > capacity { state.ids.remove(state.entries.removeFirst().alert.id) }
            return true
        }
    }

    /// Newest first, filtered, at most `query.limit`, continuing after `query.cursor`.
    func query(_ query: AlertQuery) -> AlertPage {
        state.withLock { state in
            var end = state.entries.count
            if let cursor = query.cursor {
                end = Self.insertionIndex(of: cursor, in: state.entries, strictlyBefore: true)
            }
            var alerts: [Alert] = []
            var lastReturned: AlertCursor?
            for entry in state.entries[..<end].reversed() {
                if let since = query.since, entry.position.detectedAt < since { break }
                guard Self.matches(entry.alert, query) else { continue }
                if alerts.count == query.limit {
                    // One more match exists: there is a next page, starting after the last returned.
                    return AlertPage(alerts: alerts, nextCursor: lastReturned?.encoded)
                }
                alerts.append(entry.alert)
                lastReturned = entry.position
            }
            return AlertPage(alerts: alerts, nextCursor: nil)
        }
    }

    /// The alerts that arrived from arrival number `first` on (all when nil), in arrival order, at
    /// most the `limit` latest of them; and the number to ask from next time. For the dashboard's
    /// live alerts: arrival order, since an alert from another instance may carry an older
    /// `detected_at` than one already shown.
    func arrivals(from first: UInt64?, limit: Int) -> (alerts: [Alert], next: UInt64) {
        state.withLock { state in
            let first = first ?? 0
            guard state.nextSequence > first else { return ([], state.nextSequence) }
            let fresh = state.entries.filter { $0.position.sequence >= first }
                .sorted { $0.position.sequence < $1.position.sequence }
            return (fresh.suffix(limit).map(\.alert), state.nextSequence)
        }
    }

    /// Every alert still held whose arrival number is in `first..<end` (`end` nil: no bound), in
    /// arrival order with its number, and the number the next arrival will get. For the alert
    /// stream, whose event ids are arrival numbers: a client resuming after number n gets every
    /// alert after n that is still here, exactly once.
    func arrivals(from first: UInt64, before end: UInt64?) -> (alerts: [(sequence: UInt64, alert: Alert)], next: UInt64)
    {
        state.withLock { state in
            let end = end ?? state.nextSequence
            guard end > first else { return ([], state.nextSequence) }
            let fresh = state.entries.filter { $0.position.sequence >= first && $0.position.sequence < end }
                .sorted { $0.position.sequence < $1.position.sequence }
            return (fresh.map { ($0.position.sequence, $0.alert) }, state.nextSequence)
        }
    }

    static func matches(_ alert: Alert, filter query: AlertQuery) -> Bool { matches(alert, query) }

    private static func matches(_ alert: Alert, _ query: AlertQuery) -> Bool {
        (query.rule == nil || alert.rule == query.rule)
            && (query.severity == nil || alert.severity == query.severity)
            && (query.accountId == nil || alert.accountId == query.accountId)
    }

    /// Binary search: the index of the first entry after `position` (or, with `strictlyBefore`,
    /// the first entry at or after it: entries below the index all come strictly before it).
    private static func insertionIndex(
        of position: AlertCursor,
        in entries: Deque<Entry>,
        strictlyBefore: Bool = false
    ) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            let before = strictlyBefore ? entries[middle].position < position : entries[middle].position <= position
            if before { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
