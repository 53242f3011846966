import Foundation
import Logging
import Synchronization

/// Every partition's statistics as the changelog says, for `/stats` to merge the partitions that
/// other instances own. Fed by the changelog's reader (every instance follows the whole topic from
/// its beginning, outside the consumer group, on the reader's thread): it keeps each partition's
/// statistics buckets as they arrive, and a meta record closing a flush fixes the partition's
/// latest flush (its meta and a copy of its buckets, shared until the next flush changes them).
/// Account and dedupe records are skipped by their key, without being decoded.
///
/// The statistics are rebuilt only when asked for, and only for partitions this instance does not
/// hold live. Rebuilding every partition at every flush kept a second copy of all the statistics
/// (their histograms are most of the monitor's memory outside its budget)
/// and decoded every flush whether or not anyone looked.
final class ChangelogFollower: Sendable {
    struct Entry: Sendable {
        var meta: PartitionMeta
        var statistics: RollingStatistics
    }

    private let configuration: MonitorConfiguration
    private let logger: Logger
    private let latest = Mutex<[Int32: Flush]>([:])

    /// A partition's latest complete flush, and its statistics once built.
    private struct Flush: Sendable {
        var meta: PartitionMeta
        var buckets: [[UInt8]: [UInt8]]
        var statistics: RollingStatistics?
        /// Its buckets could not be decoded (counted once).
        var unreadable = false
    }
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

    func receive(_ record: ConsumedRecord) {
        if ChangelogKey.isBucket(record.key), let key = record.key {
            buckets.withLock { $0[record.partition, default: [:]][key] = record.isTombstone ? nil : record.value }
        } else if ChangelogKey.isMeta(record.key), !record.isTombstone {
            closeFlush(record)
        }
    }

    private func closeFlush(_ record: ConsumedRecord) {
        do {
            let meta = try PartitionMeta(decoding: record.value, precision: configuration.histogramPrecision)
            let rows = buckets.withLock { $0[record.partition] ?? [:] }
            latest.withLock { $0[meta.partition] = Flush(meta: meta, buckets: rows) }
        } catch {
            noteUnreadable(record, error)
        }
    }

    private func noteUnreadable(_ record: ConsumedRecord, _ error: any Error) {
        unreadable.add(1, ordering: .relaxed)
        logger.warning(
            "unreadable state record in the changelog",
            metadata: ["partition": "\(record.partition)", "offset": "\(record.offset)", "error": "\(error)"]
        )
    }

    /// The statistics of the partitions not in `excluded` (those this instance holds live), built
    /// from their latest flush if not yet; the excluded ones' built statistics are dropped.
    func statistics(excluding excluded: Set<Int32>) -> [Int32: Entry] {
        latest.withLock { latest in
            var entries: [Int32: Entry] = [:]
            for partition in Array(latest.keys) {
                if excluded.contains(partition) {
                    latest[partition]?.statistics = nil
                } else if let statistics = build(&latest[partition]!) {
                    entries[partition] = Entry(meta: latest[partition]!.meta, statistics: statistics)
                }
            }
            return entries
        }
    }

    private func build(_ flush: inout Flush) -> RollingStatistics? {
        if let built = flush.statistics { return built }
        guard !flush.unreadable else { return nil }
        do {
            let rows = flush.buckets.compactMap { key, value in ChangelogKey(key).map { (key: $0, value: value) } }
            let statistics = try RollingStatistics(
                header: flush.meta.statistics,
                buckets: rows,
                configuration: configuration
            )
            flush.statistics = statistics
            return statistics
        } catch {
            flush.unreadable = true
            unreadable.add(1, ordering: .relaxed)
            logger.warning(
                "unreadable state in the changelog",
                metadata: ["partition": "\(flush.meta.partition)", "error": "\(error)"]
            )
            return nil
        }
    }
}
