import Dispatch
import Synchronization

@testable import GatewayKit

/// A changelog topic held in memory: records are appended per partition and acknowledged from
/// another thread, as delivery reports are; a replay reads them back from an offset to the end.
final class InMemoryChangelog: ChangelogTopic {
    let name = "transactions.monitor-state"
    let partitionCount: Int32 = 6
    private let partitions = Mutex<[Int32: [(key: [UInt8], value: [UInt8]?)]]>([:])
    private let reports = DispatchQueue(label: "in-memory changelog acknowledgements")

    func partitionCount(of other: String, timeout: Duration) throws -> Int32 { partitionCount }

    func clusterID(timeout: Duration) -> String? { "in-memory" }

    func startFollowing() {}

    func watermarks(partition: Int32, timeout: Duration) -> (low: Int64, high: Int64)? {
        (0, Int64(partitions.withLock { $0[partition]?.count ?? 0 }))
    }

    func replay(
        partition: Int32,
        from: Int64,
        shouldStop: () -> Bool,
        handler: (ConsumedRecord) -> Void
    ) throws(ReplayFailure) -> ReplayOutcome {
        let records = partitions.withLock { $0[partition] ?? [] }
        for (offset, record) in records.enumerated().dropFirst(Int(from)) {
            handler(
                ConsumedRecord(
                    partition: partition,
                    offset: Int64(offset),
                    key: record.key,
                    value: record.value ?? [],
                    isTombstone: record.value == nil
                )
            )
        }
        return ReplayOutcome(nextOffset: Int64(records.count), stopped: false)
    }

    func write(
        partition: Int32,
        key: [UInt8],
        value: [UInt8]?,
        completion: @escaping @Sendable (ProduceOutcome) -> Void
    ) throws(ProduceFailure) {
        let offset = partitions.withLock { partitions in
            partitions[partition, default: []].append((key, value))
            return Int64(partitions[partition]!.count - 1)
        }
        reports.async { completion(.accepted(partition: partition, offset: offset)) }
    }

    func close(timeout: Duration) {}
}
