/// What `/stats` says about how far its numbers can be trusted, beside the numbers: whether the
/// monitor is still joining its consumer group (right after start the figures are zeros because
/// nothing was read yet, not because nothing was sent), whether records were skipped
/// (`SkippedRecords`), so that the statistics are not complete, and whether ingestion waits for the
/// monitor (`MonitorLagGate`). Encoded as top-level keys of the `/stats` document.
struct MonitorStatus: Encodable, Sendable, Equatable {
    /// This instance's consumers in their group.
    var group: Group?
    /// False once this instance's monitor skipped records (offset resets), or once a partition in the
    /// statistics did, under any owner (`PartitionCoverage.skippedRecords`).
    var complete: Bool
    /// Records skipped since this instance started, all partitions.
    var skippedRecords: Int64
    /// The partitions that had skips, with the latest jump.
    var skipped: [SkippedPartition]
    /// Set when `--max-monitor-lag` bounds the monitor's lag.
    var backpressure: Backpressure?

    struct Group: Encodable, Sendable, Equatable {
        /// "joining" until every consumer of this instance had its first assignment, then "joined".
        var state: String
        var consumersJoined: Int
        var consumers: Int
        /// The partitions this instance's consumers own now.
        var assignedPartitions: [Int32]
        /// While joining: the topic's partitions that nothing covers yet (neither owned here nor in
        /// another instance's checkpoint); their transactions show once the group has formed.
        var waitingPartitions: [Int32]

        init(service: MonitorService, topicPartitions: Int?, coveredElsewhere: Set<Int32>) {
            let (joined, consumers) = service.consumersJoined
            let assigned = service.assignedPartitions
            state = joined < consumers ? "joining" : "joined"
            consumersJoined = joined
            self.consumers = consumers
            assignedPartitions = assigned.sorted()
            waitingPartitions =
                joined < consumers
                ? (0..<Int32(topicPartitions ?? 0)).filter { !assigned.contains($0) && !coveredElsewhere.contains($0) }
                : []
        }

        enum CodingKeys: String, CodingKey {
            case state
            case consumersJoined = "consumers_joined"
            case consumers
            case assignedPartitions = "assigned_partitions"
            case waitingPartitions = "waiting_partitions"
        }
    }

    /// Whether ingestion waits for the monitor now (`MonitorLagGate`).
    struct Backpressure: Encodable, Sendable, Equatable {
        var active: Bool
        var maxMonitorLag: Int64
        /// The largest lag over the partitions at the last sample, and its partition.
        var monitorLag: Int64
        var partition: Int32?
        var rejectedRequests: Int

        enum CodingKeys: String, CodingKey {
            case active
            case maxMonitorLag = "max_monitor_lag"
            case monitorLag = "monitor_lag"
            case partition
            case rejectedRequests = "rejected_requests"
        }
    }

    struct SkippedPartition: Encodable, Sendable, Equatable {
        var partition: Int32
        var records: Int64
        /// The latest jump: the first offset skipped, and the offset read next.
        var lastFromOffset: Int64
        var lastToOffset: Int64

        enum CodingKeys: String, CodingKey {
            case partition, records
            case lastFromOffset = "last_from_offset"
            case lastToOffset = "last_to_offset"
        }
    }

    init(
        skipped: SkippedRecords,
        partitions: [PartitionCoverage] = [],
        gate: MonitorLagGate? = nil,
        group: Group? = nil
    ) {
        self.group = group
        let byPartition = skipped.byPartition
        self.skipped = byPartition.sorted { $0.key < $1.key }.map {
            SkippedPartition(
                partition: $0.key,
                records: $0.value.records,
                lastFromOffset: $0.value.lastFrom,
                lastToOffset: $0.value.lastTo
            )
        }
        skippedRecords = byPartition.values.reduce(0) { $0 + $1.records }
        complete = skippedRecords == 0 && partitions.allSatisfy { $0.skippedRecords == 0 }
        backpressure = gate.map { gate in
            let snapshot = gate.snapshot
            return Backpressure(
                active: snapshot.refusing,
                maxMonitorLag: gate.bound,
                monitorLag: snapshot.lag,
                partition: snapshot.partition >= 0 ? snapshot.partition : nil,
                rejectedRequests: snapshot.refusals
            )
        }
    }

    enum CodingKeys: String, CodingKey {
        case complete
        case skippedRecords = "skipped_records"
        case skipped
        case backpressure
        case group
    }
}
