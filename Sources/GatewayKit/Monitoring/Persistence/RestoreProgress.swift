import Synchronization

/// The partitions being restored now and how far each has read, for `/stats` and `/readyz`.
final class RestoreProgress: Sendable {
    struct Entry: Sendable, Equatable, Encodable {
        var partition: Int32
        var read: Int64
        var of: Int64
    }

    private let entries = Mutex<[Int32: Entry]>([:])

    func begin(_ partition: Int32) { entries.withLock { $0[partition] = Entry(partition: partition, read: 0, of: 0) } }

    func update(_ partition: Int32, read: Int64, of total: Int64) {
        entries.withLock { $0[partition] = Entry(partition: partition, read: read, of: total) }
    }

    func finish(_ partition: Int32) { _ = entries.withLock { $0.removeValue(forKey: partition) } }

    var now: [Entry] { entries.withLock { $0.values.sorted { $0.partition < $1.partition } } }
}
