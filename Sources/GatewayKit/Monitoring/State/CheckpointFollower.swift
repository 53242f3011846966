import Foundation
import KafkaBridge
import Logging
import Synchronization

/// The newest checkpoint of every partition, as read from the changelog by this instance's
/// `KafkaTopicReader` (every instance follows the whole changelog, outside the consumer group).
///
/// Two uses: `/stats` merges the statistics of the partitions other instances own (decoded once,
/// when the checkpoint arrives, on the reader's thread), and a consumer that is assigned a
/// partition takes its state from here once the reader has caught up with the changelog's end
/// (`checkpoint(of:atLeast:until:)`). The raw bytes are kept for that restore: memory is the sum
/// of the latest checkpoints of all partitions.
final class CheckpointFollower: Sendable {
    struct Entry: Sendable {
        /// Offset of the checkpoint record in the changelog.
        var changelogOffset: Int64
        var header: PartitionCheckpoint.Header
        var statistics: RollingStatistics
        var bytes: [UInt8]
    }

    private let configuration: MonitorConfiguration
    private let logger: Logger
    private let latest = Mutex<[Int32: Entry]>([:])
    /// Per changelog partition, the offset of the last record read (whatever its content).
    private let positions = Mutex<[Int32: Int64]>([:])
    private let unreadable = Atomic<Int>(0)

    init(configuration: MonitorConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Checkpoints that could not be decoded (another version, corruption), for `/metrics`.
    var unreadableCount: Int { unreadable.load(ordering: .relaxed) }

    /// On the reader's thread: keeps the record if it is the newest checkpoint of its partition.
    func receive(_ record: KafkaRecord) {
        defer { positions.withLock { $0[record.partition] = max($0[record.partition] ?? -1, record.offset) } }
        do {
            let (header, statistics) = try PartitionCheckpoint.statistics(
                from: record.value,
                configuration: configuration
            )
            let entry = Entry(
                changelogOffset: record.offset,
                header: header,
                statistics: statistics,
                bytes: record.value
            )
            latest.withLock { latest in
                if (latest[header.partition]?.changelogOffset ?? -1) < record.offset {
                    latest[header.partition] = entry
                }
            }
        } catch {
            unreadable.add(1, ordering: .relaxed)
            logger.warning(
                "unreadable checkpoint in the changelog",
                metadata: [
                    "partition": "\(record.partition)", "offset": "\(record.offset)", "error": "\(error)",
                ]
            )
        }
    }

    /// The statistics of the partitions not in `excluded` (those this instance holds live).
    func statistics(
        excluding excluded: Set<Int32>
    ) -> [Int32: (header: PartitionCheckpoint.Header, statistics: RollingStatistics)] {
        latest.withLock { latest in
            latest.filter { !excluded.contains($0.key) }.mapValues { ($0.header, $0.statistics) }
        }
    }

    /// Waits (polling, bounded by `deadline`) until the reader has read changelog partition
    /// `changelogPartition` up to `end` (exclusive), then returns the newest checkpoint of input
    /// `partition`, or nil if it has none. Returns `.timedOut` when the reader did not get there.
    func checkpoint(
        of partition: Int32,
        changelogPartition: Int32,
        end: Int64,
        until deadline: ContinuousClock.Instant
    ) -> Lookup {
        while true {
            let position = positions.withLock { $0[changelogPartition] ?? -1 }
            if position >= end - 1 { break }
            guard ContinuousClock.now < deadline else { return .timedOut(readUpTo: position) }
            Thread.sleep(forTimeInterval: 0.005)
        }
        guard let entry = latest.withLock({ $0[partition] }) else { return .none }
        return .found(entry.bytes)
    }

    enum Lookup {
        case found([UInt8])
        case none
        case timedOut(readUpTo: Int64)
    }
}
