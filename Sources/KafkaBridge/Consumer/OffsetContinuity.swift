import CRdKafka
import Synchronization

/// Where each assigned partition's next record is expected, so that a consumer notices when its
/// position jumps past records (`OffsetGap`).
///
/// librdkafka 2.0.2 tells the application nothing when `auto.offset.reset` moves a position after
/// OFFSET_OUT_OF_RANGE: it logs a warning ("offset reset (at offset N ...) to BEGINNING") and
/// fetches on; only `auto.offset.reset=error` raises an event, and then the application must seek
/// by itself. Comparing each record's offset with the one expected catches every such jump, whatever
/// caused it, and counts exactly what was skipped.
///
/// The expectation of a newly assigned partition is the start offset its listener chose, else the
/// group's committed offset (looked up once, on the consumer's thread, when its first records
/// arrive), else 0 when `uncommittedStartAtZero` (a topic created for this group), else none: the
/// first record sets it.
///
/// Only the consumer's thread (its polls and rebalance callback) uses it; the mutex makes that
/// checkable rather than assumed.
final class OffsetContinuity: Sendable {
    private let uncommittedStartAtZero: Bool
    /// nil value: assigned, expectation not known yet (look up the committed offset).
    private let expected = Mutex<[TopicPartition: Int64?]>([:])

    init(uncommittedStartAtZero: Bool) {
        self.uncommittedStartAtZero = uncommittedStartAtZero
    }

    func assigned(_ partitions: [TopicPartition], startOffsets: [Int32: Int64]) {
        expected.withLock { expected in
            for partition in partitions {
                let start = startOffsets[partition.partition].flatMap { $0 >= 0 ? $0 : nil }
                expected[partition] = .some(start)
            }
        }
    }

    /// nil: every partition.
    func revoked(_ partitions: [TopicPartition]?) {
        expected.withLock { expected in
            guard let partitions else {
                expected = [:]
                return
            }
            for partition in partitions { expected[partition] = nil }
        }
    }

    /// Checks `records` (in the order received) against the expectations and moves them on;
    /// returns the gaps found. Looks up committed offsets first for partitions that need them.
    func check(_ records: [KafkaRecord], handle: OpaquePointer) -> [OffsetGap] {
        let unknown: [TopicPartition] = expected.withLock { expected in
            var seen = Set<TopicPartition>()
            return records.compactMap { record in
                let partition = TopicPartition(topic: record.topic, partition: record.partition)
                guard case .some(.none) = expected[partition], seen.insert(partition).inserted else { return nil }
                return partition
            }
        }
        let committed = unknown.isEmpty ? [:] : Self.committedOffsets(unknown, handle: handle)
        return expected.withLock { expected in
            for (partition, offset) in committed {
                if let offset {
                    expected[partition] = .some(offset)
                } else if uncommittedStartAtZero {
                    expected[partition] = .some(0)
                }
            }
            var gaps: [OffsetGap] = []
            for record in records {
                let partition = TopicPartition(topic: record.topic, partition: record.partition)
                if case .some(.some(let next)) = expected[partition], record.offset > next {
                    gaps.append(
                        OffsetGap(
                            topic: record.topic,
                            partition: record.partition,
                            expected: next,
                            received: record.offset
                        )
                    )
                }
                // Also for a partition revoked meanwhile: harmless, it is set anew on assignment.
                if expected[partition] != nil { expected[partition] = .some(record.offset + 1) }
            }
            return gaps
        }
    }

    /// The group's committed offset of each of `partitions` (nil: the group has none), bounded by
    /// 2 s; a partition whose lookup fails is left out (its first record sets the expectation).
    private static func committedOffsets(
        _ partitions: [TopicPartition],
        handle: OpaquePointer
    ) -> [TopicPartition: Int64?] {
        let list = makePartitionList(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        guard rd_kafka_committed(handle, list, 2000) == RD_KAFKA_RESP_ERR_NO_ERROR else { return [:] }
        var offsets: [TopicPartition: Int64?] = [:]
        for (index, partition) in partitions.enumerated() {
            let element = list.pointee.elems[index]
            guard element.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            offsets[partition] = .some(element.offset >= 0 ? element.offset : nil)
        }
        return offsets
    }
}
