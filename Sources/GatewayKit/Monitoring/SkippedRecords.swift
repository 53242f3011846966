import Logging
import Synchronization

/// The records of the transactions topic this instance's monitor never applied because its
/// consumers' positions jumped past them (`SkippedRange`): on the embedded cluster, which keeps about
/// 5 MB per partition, a consumer that falls further behind gets OFFSET_OUT_OF_RANGE and librdkafka
/// moves it to the oldest record left. Each jump is logged at error level and counted per
/// partition, and `/stats` says the statistics are not complete (`MonitorStatus`).
///
/// Counts are this instance's since it started: the statistics it serves for a partition lack
/// them, whichever instance owns the partition later.
final class SkippedRecords: Sendable {
    struct Partition: Sendable, Equatable {
        var records: Int64 = 0
        /// The latest jump: the first offset skipped and the offset read next.
        var lastFrom: Int64 = 0
        var lastTo: Int64 = 0
    }

    private let logger: Logger
    private let partitions = Mutex<[Int32: Partition]>([:])

    init(logger: Logger) {
        self.logger = logger
    }

    /// On a consumer's thread, before the records after the gap are applied.
    func record(_ gap: SkippedRange) {
        guard gap.count > 0 else { return }
        let total = partitions.withLock { partitions in
            partitions[gap.partition, default: Partition()].records += gap.count
            partitions[gap.partition]?.lastFrom = gap.from
            partitions[gap.partition]?.lastTo = gap.to
            return partitions[gap.partition]?.records ?? gap.count
        }
        logger.error(
            "monitor skipped records: its position moved past them (offset reset; the cluster no longer had them), so the statistics and rules never saw them",
            metadata: [
                "topic": .string(gap.topic), "partition": "\(gap.partition)", "from_offset": "\(gap.from)",
                "to_offset": "\(gap.to)", "skipped": "\(gap.count)", "skipped_in_partition": "\(total)",
            ]
        )
    }

    /// Per partition that had a gap.
    var byPartition: [Int32: Partition] { partitions.withLock { $0 } }

    var total: Int64 { partitions.withLock { $0.values.reduce(0) { $0 + $1.records } } }
}
