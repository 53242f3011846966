import Foundation
import Logging
import Synchronization

/// The consumer side of the gateway: a consumer group reading `transactions` into the `Monitor`,
/// alerts produced to the alerts topic, and a reader of that topic filling the `AlertStore`
/// (so every instance serves every instance's alerts).
///
/// Each consumer (`GroupConsumer`) runs on its own thread. With a `StateChangelog` (the
/// gateway always has one), each consumer's `PartitionStateKeeper` restores a partition's state
/// on assignment and checkpoints it; offsets are committed only as far as a checkpoint covers,
/// and `/stats` merges this instance's live partitions with the others' checkpoints
/// (`clusterSnapshot`). Without one (in-process tests), offsets are stored after each record and
/// the dedupe window makes a redelivered record count once.
final class MonitorService: Sendable {
    let monitor: Monitor
    let alerts: AlertStore
    private let producer: any RecordProducer
    private let alertsTopic: String
    private let logger: Logger
    private let workers: Mutex<[any GroupConsumer]> = Mutex([])
    private let alertReader: Mutex<(any GroupConsumer)?> = Mutex(nil)
    private let changelog: Mutex<StateChangelog?> = Mutex(nil)
    /// Partitions being restored now, for `/stats` and `/readyz`.
    let restoring = RestoreProgress()
    /// Set when the gateway begins to stop: restores give up instead of retrying.
    private let stopping = Atomic(false)
    private let invalidRecords = Atomic<Int>(0)
    /// Records the consumers' positions jumped past (offset resets), per partition.
    let skipped: SkippedRecords
    private let alertsPublishFailed = Atomic<Int>(0)

    init(monitor: Monitor, alerts: AlertStore, producer: any RecordProducer, alertsTopic: String, logger: Logger) {
        self.monitor = monitor
        self.alerts = alerts
        self.producer = producer
        self.alertsTopic = alertsTopic
        self.logger = logger
        skipped = SkippedRecords(logger: logger)
    }

    var invalidRecordCount: Int { invalidRecords.load(ordering: .relaxed) }
    var alertPublishFailures: Int { alertsPublishFailed.load(ordering: .relaxed) }

    /// Starts `consumers` consumers (made by `factory`) in `groupID` on `topic`, and the alert
    /// reader. With `changelog`, each partition's state lives in a store under `stateDirectory`, is
    /// restored from it and the changelog on assignment, and is flushed to both every
    /// `checkpointInterval`. Every consumer's threads run at `threadNiceness` (see `GroupMember`).
    func start(
        factory: any GroupConsumerFactory,
        topic: String,
        groupID: String,
        consumers: Int,
        changelog: StateChangelog? = nil,
        stateDirectory: StateDirectory? = nil,
        checkpointInterval: Duration = .seconds(5),
        threadNiceness: Int32 = 0,
        uncommittedStartAtZero: Bool = false
    ) throws {
        self.changelog.withLock { $0 = changelog }
        changelog?.start()
        let keepers = (0..<consumers).map { _ in
            changelog.map { changelog in
                PartitionStateKeeper(
                    monitor: monitor,
                    changelog: changelog,
                    directory: stateDirectory ?? StateDirectory(root: NSTemporaryDirectory() + "gateway-state"),
                    interval: checkpointInterval,
                    restoring: restoring,
                    isStopping: { [weak self] in self?.stopping.load(ordering: .relaxed) ?? true },
                    logger: logger
                )
            }
        }
        let members = keepers.enumerated().map { index, keeper in
            var member = GroupMember(groupID: groupID, topic: topic, name: "monitor-\(index)")
            member.listener = keeper
            member.commitsHandledRecords = keeper == nil
            member.threadNiceness = threadNiceness
            member.onSkipped = { [skipped, monitor] gap in
                skipped.record(gap)
                monitor.noteSkipped(gap.count, in: gap.partition)
            }
            member.uncommittedStartAtZero = uncommittedStartAtZero
            return member
        }
        let started = try factory.consumers(leavingTogether: members) { [self] records in apply(records) }
        for (keeper, consumer) in zip(keepers, started) { keeper?.attach(consumer) }
        // Each instance reads every alert: a group of its own, from the beginning of the topic,
        // one record at a time.
        var readerMember = GroupMember(
            groupID: "gateway-alerts-\(UUID().uuidString.prefix(8))",
            topic: alertsTopic,
            name: "alert-reader"
        )
        readerMember.threadNiceness = threadNiceness
        readerMember.maxBatch = 1
        let reader = try factory.consumer(readerMember) { [self] records in
            for record in records { store(alertRecord: record) }
        }
        for worker in started { worker.start() }
        reader.start()
        workers.withLock { $0 = started }
        alertReader.withLock { $0 = reader }
        logger.info(
            "monitor started",
            metadata: ["group_id": "\(groupID)", "consumers": "\(consumers)", "topic": "\(topic)"]
        )
    }

    /// Non-blocking: every consumer (and the alert reader) starts leaving its group, committing
    /// what it applied, to be closed by `deadline`. The closes run side by side on the consumers'
    /// threads, while the caller does other shutdown work; `finishStop` waits for them.
    func beginStop(closeBy deadline: ContinuousClock.Instant) {
        stopping.store(true, ordering: .relaxed)
        let all = workers.withLock { $0 } + [alertReader.withLock { $0 }].compactMap { $0 }
        for worker in all { worker.requestStop(closeBy: deadline) }
    }

    /// Waits until `deadline` for the closes `beginStop` started; returns the names of the
    /// consumers that had not closed by then (their threads are abandoned).
    func finishStop(until deadline: ContinuousClock.Instant) -> [String] {
        let all =
            workers.withLock { workers in
                defer { workers = [] }
                return workers
            }
            + [
                alertReader.withLock { reader in
                    defer { reader = nil }
                    return reader
                }
            ].compactMap { $0 }
        let notClosed = all.filter { !$0.awaitStop(until: deadline) }.map(\.name)
        // After the consumers: their last checkpoints went through the changelog's producer.
        changelog.withLock { changelog in
            defer { changelog = nil }
            return changelog
        }?.close(timeout: max(Duration.zero, deadline - ContinuousClock.now))
        return notClosed
    }

    /// The statistics of the whole cluster: this instance's live partitions merged with the
    /// newest checkpoints of the others (from the changelog), and which partitions went in.
    func clusterSnapshot(now: Date = Date()) -> StatisticsSnapshot {
        let live = monitor.liveStatistics()
        let remote = changelog.withLock { $0 }?.follower.statistics(excluding: Set(live.keys)) ?? [:]
        let nowMilliseconds = MonitorClock.milliseconds(now)
        let parts = live.values.map(\.statistics) + remote.values.map(\.statistics)
        var snapshot = MergedStatistics(parts, now: nowMilliseconds, configuration: monitor.configuration)
            .snapshot(now: nowMilliseconds, topCountries: monitor.configuration.topCountries)
        snapshot.partitions =
            (live.map {
                PartitionCoverage(
                    partition: $0.key,
                    offset: $0.value.coveredOffset,
                    ageMilliseconds: 0,
                    source: .live,
                    skippedRecords: $0.value.skippedRecords
                )
            }
            + remote.map {
                PartitionCoverage(
                    partition: $0.key,
                    offset: $0.value.meta.coveredOffset,
                    ageMilliseconds: max(0, nowMilliseconds - $0.value.meta.createdAt),
                    source: .changelog,
                    skippedRecords: $0.value.meta.skippedRecords
                )
            })
            .filter { $0.partition >= 0 }
            .sorted { $0.partition < $1.partition }
        snapshot.restoring = restoring.now
        return snapshot
    }

    /// Flushes written, restores and failures, for `/metrics`; nil without a changelog.
    var stateCounts: StateChangelog.Tally? { changelog.withLock { $0 }?.counts }

    /// Consumer lag of every partition this instance owns now.
    func lag() -> [ConsumerLag] { workers.withLock { $0 }.flatMap { $0.lag() } }

    var assignedPartitionCount: Int { workers.withLock { $0 }.reduce(0) { $0 + $1.assignedPartitions.count } }

    /// The group's consumers, for the cluster view and its consumer faults.
    var consumers: [any GroupConsumer] { workers.withLock { $0 } }

    /// How many of this instance's consumers have had their first assignment, of how many.
    var consumersJoined: (joined: Int, of: Int) {
        let all = workers.withLock { $0 }
        return (all.count { $0.hasJoinedGroup }, all.count)
    }

    var assignedPartitions: Set<Int32> { Set(workers.withLock { $0 }.flatMap(\.assignedPartitions)) }

    /// Partitions assigned to and revoked from this instance's consumers since start.
    var partitionMoves: (assigned: Int, revoked: Int) {
        workers.withLock { $0 }.map(\.partitionMoves).reduce((0, 0)) { ($0.0 + $1.assigned, $0.1 + $1.revoked) }
    }

    var consumedCount: Int { workers.withLock { $0 }.reduce(0) { $0 + $1.consumedCount } }

    // MARK: record handling (consumer threads)

    /// Records are read outside the monitor's lock, then applied under one acquisition per batch.
    private func apply(_ records: [ConsumedRecord]) {
        let batch = records.map { record in
            let transaction = TransactionRecordReader.transaction(from: record.value)
            if transaction == nil {
                // Another producer wrote something that is not a transaction: count it, skip it.
                invalidRecords.add(1, ordering: .relaxed)
                logger.debug(
                    "skipped invalid record",
                    metadata: ["partition": "\(record.partition)", "offset": "\(record.offset)"]
                )
            }
            return (transaction: transaction, partition: record.partition, offset: record.offset)
        }
        for (raised, record) in zip(monitor.record(batch: batch), records) {
            // The alert names the transaction's trace and its record carries the trace's headers.
            let trace = TraceParent.context(in: record.headers)
            for var alert in raised ?? [] {
                alert.traceId = trace.map(TraceParent.traceID)
                publish(alert, traceHeaders: trace.map(TraceParent.recordHeaders) ?? [])
            }
        }
    }

    /// Stores the alert here at once and produces it for the other instances (keyed by account).
    private func publish(_ alert: Alert, traceHeaders: [RecordHeader]) {
        _ = alerts.add(alert)
        guard let value = StableJSON.bytes(alert) else { return }
        do {
            try producer.produce(
                topic: alertsTopic,
                key: Array(alert.accountId.utf8),
                value: Array(value),
                headers: [TransactionRecord.contentType] + traceHeaders
            ) { [self] outcome in
                if case .failed(let failure) = outcome {
                    alertsPublishFailed.add(1, ordering: .relaxed)
                    logger.warning(
                        "alert not published",
                        metadata: ["alert_id": "\(alert.id)", "error": "\(failure.name)"]
                    )
                }
            }
        } catch {
            alertsPublishFailed.add(1, ordering: .relaxed)
            logger.warning("alert not published", metadata: ["alert_id": "\(alert.id)", "error": "\(error.name)"])
        }
    }

    private func store(alertRecord record: ConsumedRecord) {
        guard let alert = try? JSONDecoder().decode(Alert.self, from: Data(record.value)) else {
            logger.debug("skipped invalid alert record", metadata: ["offset": "\(record.offset)"])
            return
        }
        _ = alerts.add(alert)
    }
}
