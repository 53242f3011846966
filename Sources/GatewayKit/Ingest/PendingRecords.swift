import Synchronization

/// The records handed to Kafka and not yet answered by a delivery report, bounded: the last
/// bound on ingestion before memory. Connections, bytes per connection and librdkafka's queue are
/// bounded elsewhere, but a client with 1,000-item batches or pipelined requests keeps that many
/// records (and their waiting answers) per connection, so a flood of them could hold millions.
/// At the bound `POST /transactions` answers 503 with `Retry-After` at once, before producing
/// anything (a batch all or nothing), instead of queueing work it would answer only after the
/// delivery timeout.
///
/// One atomic add per request on the event loop and one subtract per delivery report; a
/// reservation that overshoots is undone, so concurrent loops can never hold more than `limit`.
final class PendingRecords: Sendable {
    let limit: Int
    private let count = Atomic<Int>(0)
    private let refused = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Records awaiting their delivery report now.
    var current: Int { count.load(ordering: .relaxed) }

    /// Requests refused at the bound so far, for `/metrics`.
    var refusals: Int { refused.load(ordering: .relaxed) }

    /// Reserves room for `records`; false (and counted) when that would pass the bound.
    func reserve(_ records: Int) -> Bool {
        guard count.wrappingAdd(records, ordering: .relaxed).newValue > limit else { return true }
        count.wrappingSubtract(records, ordering: .relaxed)
        refused.wrappingAdd(1, ordering: .relaxed)
        return false
    }

    /// One record's delivery report arrived (or its produce call failed at once).
    func release(_ records: Int = 1) {
        count.wrappingSubtract(records, ordering: .relaxed)
    }
}
