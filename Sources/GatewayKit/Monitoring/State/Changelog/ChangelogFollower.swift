import Foundation
import KafkaBridge
import Logging
import Synchronization

/// Every partition's statistics as the changelog says, for `/stats` to merge the partitions that
/// other instances own. Fed by the changelog's reader (every instance follows the whole topic from
/// its beginning, outside the consumer group, on the reader's thread): it keeps each partition's
/// statistics buckets as they arrive and rebuilds the partition's statistics when its meta record
/// closes a flush. Account and dedupe records are skipped by their key, without being decoded.
final class ChangelogFollower: Sendable {
    struct Entry: Sendable {
        var meta: PartitionMeta
        var statistics: RollingStatistics
    }

    private let configuration: MonitorConfiguration
    private let logger: Logger
    private let latest = Mutex<[Int32: Entry]>([:])
    /// Per changelog partition, the newest value of each bucket key (the reader's thread only
    /// writes it; under a lock so that it is Sendable).
    private let buckets = Mutex<[Int32: [[UInt8]: [UInt8]]]>([:])
    private let unreadable = Atomic<Int>(0)

    init(configuration: MonitorConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Meta records that could not be decoded (another version, corruption), for `/metrics`.
    var unreadableCount: Int { unreadable.load(ordering: .relaxed) }

    func receive(_ record: KafkaRecord) {
        if ChangelogKey.isBucket(record.key), let key = record.key {
            buckets.withLock { $0[record.partition, default: [:]][key] = record.isTombstone ? nil : record.value }
        } else if ChangelogKey.isMeta(record.key), !record.isTombstone {
            closeFlush(record)
        }
    }

    private func closeFlush(_ record: KafkaRecord) {
        do {
            let meta = try PartitionMeta(decoding: record.value, precision: configuration.histogramPrecision)
            let rows = buckets.withLock { $0[record.partition] ?? [:] }.compactMap { key, value in
                ChangelogKey(key).map { (key: $0, value: value) }
            }
            let statistics = try RollingStatistics(header: meta.statistics, buckets: rows, configuration: configuration)
            latest.withLock { $0[meta.partition] = Entry(meta: meta, statistics: statistics) }
        } catch {
            unreadable.add(1, ordering: .relaxed)
            logger.warning(
                "unreadable state record in the changelog",
                metadata: ["partition": "\(record.partition)", "offset": "\(record.offset)", "error": "\(error)"]
            )
        }
    }

    /// The statistics of the partitions not in `excluded` (those this instance holds live).
    func statistics(excluding excluded: Set<Int32>) -> [Int32: Entry] {
        latest.withLock { latest in latest.filter { !excluded.contains($0.key) } }
    }
}
