/// What `/stats` says about how far its numbers can be trusted, beside the numbers: whether records
/// were skipped (`SkippedRecords`), so that the statistics are not complete. Encoded as top-level
/// keys of the `/stats` document.
struct MonitorStatus: Encodable, Sendable, Equatable {
    /// False once this instance's monitor skipped records (offset resets).
    var complete: Bool
    /// Records skipped since this instance started, all partitions.
    var skippedRecords: Int64
    /// The partitions that had skips, with the latest jump.
    var skipped: [SkippedPartition]
    /// Set when `--max-monitor-lag` bounds the monitor's lag.
    var backpressure: Backpressure?

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

    init(skipped: SkippedRecords, gate: MonitorLagGate? = nil) {
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
        complete = skippedRecords == 0
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
    }
}
