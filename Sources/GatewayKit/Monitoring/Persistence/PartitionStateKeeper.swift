import Foundation
import Logging
import Synchronization

/// One consumer's side of the state model (one keeper per consumer of the monitor's group):
/// restores a partition's state when it is assigned, flushes what changed in the partitions it owns
/// every `interval`, and flushes a last time before it gives one up.
///
/// A flush takes the partition's changes from the `Monitor`, commits them to the partition's local
/// store (SQLite, with the input offset they cover), then produces every row the changelog has not
/// acknowledged yet. Offsets: the consumer stores none by itself; the keeper stores `covered + 1`
/// only once a flush's meta record is acknowledged, so the group's committed offset never runs ahead
/// of the changelog. A restore seeks to the restored state's `covered + 1` whatever was committed:
/// state and position always come from the same flush, which is why nothing is counted twice (see
/// ARCHITECTURE.md, "State model").
///
/// Every method but the delivery callbacks runs on the consumer's thread, between records.
final class PartitionStateKeeper: PartitionOwnershipListener {
    private let monitor: Monitor
    private let changelog: StateChangelog
    private let directory: StateDirectory
    private let interval: Duration
    private let restoring: RestoreProgress
    private let isStopping: @Sendable () -> Bool
    private let logger: Logger
    /// Set once the consumer exists (the consumer needs the keeper first).
    private let storeOffsets = Mutex<(@Sendable ([Int32: Int64]) -> Void)?>(nil)
    /// The partitions owned, with their stores (consumer thread only; a lock keeps it Sendable).
    private let owned = Mutex<[Int32: Owned]>([:])
    /// Flushes acknowledged by the changelog, confirmed in their stores on the consumer's thread.
    private let acknowledged = Mutex<[(partition: Int32, seq: Int64, changelogOffset: Int64)]>([])
    /// Partitions with a flush not yet acknowledged or failed.
    private let inFlight = Mutex<Set<Int32>>([])

    private struct Owned {
        var store: PartitionStore
        var lastFlush: ContinuousClock.Instant
        var chunks: DedupeChunks
    }

    init(
        monitor: Monitor,
        changelog: StateChangelog,
        directory: StateDirectory,
        interval: Duration,
        restoring: RestoreProgress,
        isStopping: @escaping @Sendable () -> Bool,
        logger: Logger
    ) {
        self.monitor = monitor
        self.changelog = changelog
        self.directory = directory
        self.interval = interval
        self.restoring = restoring
        self.isStopping = isStopping
        self.logger = logger
    }

    func attach(_ consumer: any GroupConsumer) {
        storeOffsets.withLock { $0 = { [weak consumer] offsets in consumer?.storeOffsets(offsets) } }
    }

    // MARK: PartitionOwnershipListener (consumer thread)

    func partitionsAssigned(_ partitions: [Int32]) -> [Int32: Int64] {
        var start: [Int32: Int64] = [:]
        for partition in partitions {
            guard let restored = restore(partition) else { continue }
            monitor.install(restored.state, for: partition)
            owned.withLock { $0[partition] = restored.owned }
            if restored.state.coveredOffset >= 0 { start[partition] = restored.state.coveredOffset + 1 }
        }
        return start
    }

    func partitionsRevoked(_ partitions: [Int32], lost: Bool) {
        if !lost {
            let deadline = ContinuousClock.now + changelog.finalFlushTimeout
            let unacknowledged = partitions.filter { !flush($0, waitUntil: deadline) }
            if !unacknowledged.isEmpty {
                logger.warning(
                    "final state flush not acknowledged; the next owner resumes from the previous one",
                    metadata: ["partitions": "\(unacknowledged.sorted())"]
                )
            }
        }
        confirmAcknowledged()
        for partition in partitions {
            monitor.drop(partition: partition)
            owned.withLock { $0.removeValue(forKey: partition) }?.store.close()
        }
    }

    func polled() {
        confirmAcknowledged()
        let now = ContinuousClock.now
        let due = owned.withLock { owned in owned.filter { now - $0.value.lastFlush >= interval }.map(\.key) }
        for partition in due { flush(partition, waitUntil: nil) }
    }

    // MARK: flushes

    /// Writes what changed in `partition` to its store and the changelog. With `waitUntil`, waits
    /// (bounded) for the changelog's acknowledgement and returns whether everything is acknowledged.
    @discardableResult
    private func flush(_ partition: Int32, waitUntil deadline: ContinuousClock.Instant?) -> Bool {
        if let deadline, !waitForFlushInFlight(partition, until: deadline) { return false }
        guard inFlight.withLock({ !$0.contains(partition) }), var current = owned.withLock({ $0[partition] }) else {
            return deadline == nil
        }
        current.lastFlush = .now
        defer { owned.withLock { $0[partition] = current } }
        confirmAcknowledged()
        let changes = monitor.takeChanges(of: partition)
        let store = current.store
        do {
            var flushRows: [(key: [UInt8], value: [UInt8]?)]?
            if let changes {
                let rows = StateRows.rows(
                    for: changes,
                    partition: partition,
                    chunks: &current.chunks,
                    store: store,
                    writer: changelog.writer,
                    createdAt: MonitorClock.milliseconds(Date())
                )
                // The common case sends the rows just built; after spills or an unacknowledged
                // flush, the store says what is still to be sent.
                let onlyThese = store.pendingCount == 0 && store.local.confirmedSeq == store.local.seq
                _ = try store.commit(flush: rows)
                if onlyThese { flushRows = rows }
            }
            guard store.local.seq > store.local.confirmedSeq else { return true }
            let seq = store.local.seq
            var unsent = try flushRows ?? store.unconfirmedRows()
            // The meta record closes the flush: last, once.
            let metaKey = ChangelogKey.meta.bytes
            let meta = unsent.last { $0.key == metaKey }
            unsent.removeAll { $0.key == metaKey }
            if let meta { unsent.append(meta) }
            let covered = changes?.coveredOffset ?? coveredOffset(inMeta: meta?.value)
            return send(unsent, partition: partition, seq: seq, covered: covered, waitUntil: deadline)
        } catch {
            changelog.count { $0.failed += 1 }
            logger.error(
                "state flush failed; the partition's store keeps what it had",
                metadata: ["partition": "\(partition)", "error": "\(error)"]
            )
            return false
        }
    }

    private func send(
        _ rows: [(key: [UInt8], value: [UInt8]?)],
        partition: Int32,
        seq: Int64,
        covered: Int64?,
        waitUntil deadline: ContinuousClock.Instant?
    ) -> Bool {
        let done = DispatchSemaphore(value: 0)
        let succeeded = Atomic(false)
        inFlight.withLock { _ = $0.insert(partition) }
        changelog.write(partition: partition, rows: rows) { [self] metaOffset in
            if let metaOffset {
                succeeded.store(true, ordering: .releasing)
                acknowledged.withLock { $0.append((partition, seq, metaOffset)) }
                if let covered, covered >= 0 { storeOffsets.withLock { $0 }?([partition: covered + 1]) }
            }
            inFlight.withLock { _ = $0.remove(partition) }
            done.signal()
        }
        guard let deadline else { return true }
        let seconds = max(0, Double((deadline - .now).clampedNanoseconds) / 1e9)
        _ = done.wait(timeout: .now() + seconds)
        return succeeded.load(ordering: .acquiring)
    }

    private func waitForFlushInFlight(_ partition: Int32, until deadline: ContinuousClock.Instant) -> Bool {
        while inFlight.withLock({ $0.contains(partition) }) {
            guard ContinuousClock.now < deadline else { return false }
            Thread.sleep(forTimeInterval: 0.002)
        }
        return true
    }

    private func confirmAcknowledged() {
        let done = acknowledged.withLock { acknowledged in
            defer { acknowledged = [] }
            return acknowledged
        }
        for flush in done {
            guard let store = owned.withLock({ $0[flush.partition]?.store }) else { continue }
            do {
                try store.confirm(seq: flush.seq, changelogOffset: flush.changelogOffset)
            } catch {
                // Not confirmed: the rows are sent again with the next flush (harmless repeats).
                logger.warning("flush not confirmed in the partition store", metadata: ["error": "\(error)"])
            }
        }
    }

    private func coveredOffset(inMeta bytes: [UInt8]?) -> Int64? {
        bytes.flatMap { try? PartitionMeta(decoding: $0, precision: monitor.configuration.histogramPrecision) }?
            .coveredOffset
    }

    // MARK: restores

    private struct Restored {
        var state: PartitionState
        var owned: Owned
    }

    /// The partition's state: its local store, brought up to date with the changelog's records that
    /// it lacks (all of them for a new store). Reads until complete, retrying on failure; nil only
    /// when the gateway is stopping.
    private func restore(_ partition: Int32) -> Restored? {
        let started = ContinuousClock.now
        defer { restoring.finish(partition) }
        restoring.begin(partition)
        while !isStopping() {
            do {
                let store = try openStore(partition)
                guard let read = try catchUp(store, partition: partition) else {
                    store.close()
                    return nil
                }
                let loaded = try StateRows.load(from: store, configuration: monitor.configuration, logger: logger)
                let restored = Restored(
                    state: loaded.state,
                    owned: Owned(store: store, lastFlush: .now, chunks: loaded.chunks)
                )
                let seconds = Double((ContinuousClock.now - started).clampedNanoseconds) / 1e9
                // A partition with no state anywhere (a new topic) is started, not restored.
                let hadState = restored.state.coveredOffset >= 0
                changelog.count { tally in
                    if hadState { tally.restores += 1 }
                    if hadState, read.records == 0 { tally.restoresFromLocalStore += 1 }
                    tally.restoreRecords += read.records
                    tally.restoreBytes += read.bytes
                    tally.restoreSeconds += seconds
                }
                logger.info(
                    "partition state restored",
                    metadata: [
                        "partition": "\(partition)", "covered_offset": "\(restored.state.coveredOffset)",
                        "changelog_records_read": "\(read.records)", "changelog_bytes_read": "\(read.bytes)",
                        "took_ms": "\(Int(seconds * 1000))",
                    ]
                )
                return restored
            } catch {
                changelog.count { $0.restoreRetries += 1 }
                logger.error(
                    "partition state restore failed; retrying",
                    metadata: ["partition": "\(partition)", "error": "\(error)"]
                )
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
        return nil
    }

    /// Opens the partition's store; one written against another cluster, topic or partition (the
    /// in-process embedded cluster is new at every start), or unreadable, is discarded.
    private func openStore(_ partition: Int32) throws(StoreError) -> PartitionStore {
        let path = try directory.path(topic: changelog.topic, partition: partition)
        let identity = "\(changelog.clusterID)/\(changelog.topic)/\(partition)"
        let store: PartitionStore
        do {
            store = try PartitionStore(path: path, partition: partition)
        } catch {
            logger.error("partition store unreadable; discarded", metadata: ["path": "\(path)", "error": "\(error)"])
            changelog.count { $0.storesDiscarded += 1 }
            directory.remove(path: path)
            store = try PartitionStore(path: path, partition: partition)
        }
        if store.local.identity != identity {
            if !store.local.identity.isEmpty {
                logger.warning(
                    "partition store discarded: it was written against another cluster or topic",
                    metadata: ["path": "\(path)", "written_for": "\(store.local.identity)", "now": "\(identity)"]
                )
                changelog.count { $0.storesDiscarded += 1 }
            }
            try store.reset(identity: identity)
        }
        return store
    }

    /// Applies the changelog records after the store's own position, flush by flush (a group is
    /// applied when its meta record arrives; an unfinished last group is dropped). Returns what
    /// was read, or nil when stopping. A store position the changelog does not have is either
    /// gone from it (before its first offset: restore what it holds, said loudly) or ahead of it
    /// (the topic was recreated: the store is discarded).
    private func catchUp(_ store: PartitionStore, partition: Int32) throws -> (records: Int, bytes: Int)? {
        guard let marks = changelog.watermarks(partition: partition, shouldStop: isStopping) else { return nil }
        var from = store.local.changelogOffset + 1
        if from < marks.low {
            changelog.count { $0.incompleteRestores += 1 }
            logger.error(
                "the changelog no longer holds part of this partition's state; restoring what it holds",
                metadata: ["partition": "\(partition)", "missing_from": "\(from)", "missing_to": "\(marks.low)"]
            )
            from = marks.low
        }
        do {
            return try replay(into: store, partition: partition, from: from, estimatedEnd: marks.high)
        } catch let error as ReplayFailure where error.isOffsetOutOfRange && from > marks.low {
            logger.warning(
                "partition store discarded: it has changelog records the changelog does not (topic recreated?)",
                metadata: ["partition": "\(partition)", "store_offset": "\(store.local.changelogOffset)"]
            )
            changelog.count { $0.storesDiscarded += 1 }
            try store.reset(identity: store.local.identity)
            return try replay(into: store, partition: partition, from: marks.low, estimatedEnd: marks.high)
        }
    }

    private func replay(
        into store: PartitionStore,
        partition: Int32,
        from: Int64,
        estimatedEnd: Int64
    ) throws -> (records: Int, bytes: Int)? {
        var read = (records: 0, bytes: 0)
        var failure: (any Error)?
        let metaKey = ChangelogKey.meta.bytes
        let outcome = try changelog.replay(partition: partition, from: from, shouldStop: isStopping) {
            record in
            guard failure == nil, let key = record.key else { return }
            read.records += 1
            read.bytes += key.count + record.value.count
            let position = record.offset - from + 1
            restoring.update(partition, read: position, of: max(position, estimatedEnd - from))
            do {
                if key == metaKey {
                    let meta = try PartitionMeta(
                        decoding: record.value,
                        precision: monitor.configuration.histogramPrecision
                    )
                    try store.commitReplayed(
                        metaKey: key,
                        meta: record.value,
                        changelogOffset: record.offset,
                        ownFlush: meta.storeID == store.storeID ? meta.flushSeq : nil
                    )
                } else {
                    try store.stageReplayed(key: key, value: record.isTombstone ? nil : record.value)
                }
            } catch {
                failure = error
            }
        }
        try store.discardStaged()
        if let failure { throw failure }
        return outcome.stopped ? nil : read
    }
}
