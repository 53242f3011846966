import DequeModule
import Logging

/// The dedupe chunks a partition has written and not yet deleted, oldest first, each with the
/// ordinal after its last id, and the next chunk number.
struct DedupeChunks: Sendable {
    var written: Deque<(number: UInt64, endOrdinal: Int64)> = []
    var next: UInt64 = 0
}

/// A partition's state as rows (the changelog's records, the store's rows) and back.
enum StateRows {
    /// The rows of one flush: changed accounts, changed buckets, new dedupe chunks, tombstones of
    /// the chunks whose ids have all left the window, and the meta record last.
    static func rows(
        for changes: PartitionChanges,
        partition: Int32,
        chunks: inout DedupeChunks,
        store: PartitionStore,
        writer: String,
        createdAt: Int64
    ) -> [(key: [UInt8], value: [UInt8]?)] {
        var rows: [(key: [UInt8], value: [UInt8]?)] = []
        rows.reserveCapacity(changes.accounts.count + changes.buckets.count + 8)
        for (account, state) in changes.accounts {
            var out = StateWriter(reservingCapacity: 256)
            state.write(to: &out)
            rows.append((ChangelogKey.account(account).bytes, out.bytes))
        }
        for (key, value) in changes.buckets { rows.append((key.bytes, value)) }
        var start = changes.newIDs.startIndex
        while start < changes.newIDs.endIndex {
            let rest = changes.newIDs[start...]
            let end = min(changes.newIDs.endIndex, start + DedupeChunk.maxEntries(for: rest.prefix(4096)))
            let number = chunks.next
            chunks.next += 1
            rows.append((ChangelogKey.dedupeChunk(number).bytes, DedupeChunk.encode(changes.newIDs[start..<end])))
            chunks.written.append((number, changes.firstNewOrdinal + Int64(end)))
            start = end
        }
        while let oldest = chunks.written.first, oldest.endOrdinal <= changes.oldestOrdinal {
            rows.append((ChangelogKey.dedupeChunk(oldest.number).bytes, nil))
            chunks.written.removeFirst()
        }
        let meta = PartitionMeta(
            partition: partition,
            coveredOffset: changes.coveredOffset,
            createdAt: createdAt,
            writer: writer,
            storeID: store.storeID,
            flushSeq: store.local.seq + 1,
            nextDedupeChunk: chunks.next,
            skippedRecords: changes.skippedRecords,
            statistics: changes.statistics
        )
        rows.append((ChangelogKey.meta.bytes, meta.encoded()))
        return rows
    }

    /// The in-memory state of a store: statistics and dedupe ids read whole (both bounded),
    /// accounts left on disk until their next record (`StoredAccounts`).
    static func load(
        from store: PartitionStore,
        configuration: MonitorConfiguration,
        logger: Logger
    ) throws -> (state: PartitionState, chunks: DedupeChunks) {
        var state = PartitionState(configuration: configuration)
        var chunks = DedupeChunks()
        if let bytes = try store.value(for: ChangelogKey.meta.bytes) {
            let meta = try PartitionMeta(decoding: bytes, precision: configuration.histogramPrecision)
            let buckets = try store.rows(withPrefix: ChangelogKey.bucketPrefix).compactMap { row in
                ChangelogKey(row.key).map { (key: $0, value: row.value) }
            }
            state.statistics = try RollingStatistics(
                header: meta.statistics,
                buckets: buckets,
                configuration: configuration
            )
            state.coveredOffset = meta.coveredOffset
            state.flushedOffset = meta.coveredOffset
            state.skippedRecords = meta.skippedRecords
            chunks.next = meta.nextDedupeChunk
        }
        for row in try store.rows(withPrefix: ChangelogKey.dedupePrefix) {
            guard case .dedupeChunk(let number) = ChangelogKey(row.key) else { continue }
            for entry in try DedupeChunk.decode(row.value) { _ = state.dedupe.insert(entry.key, now: entry.seenAt) }
            chunks.written.append((number, state.dedupe.inserted))
            chunks.next = max(chunks.next, number + 1)
        }
        state.flushedDedupeOrdinal = state.dedupe.inserted
        state.accounts.backing = StoredAccounts(store: store, logger: logger)
        return (state, chunks)
    }
}
