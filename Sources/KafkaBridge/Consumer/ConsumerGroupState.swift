import CRdKafka
import Logging
import Synchronization

/// One partition of one topic.
public struct TopicPartition: Hashable, Sendable {
    public let topic: String
    public let partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }
}

/// What one consumer knows about its group membership, shared by the consumer thread (which runs
/// the rebalance callback), `lag()`/`assignedPartitions` callers on any thread, and shutdown.
///
/// `@unchecked Sendable` because the state holds the raw consumer handle; every access to it
/// goes through `mutex`, and the consumer thread clears it under the mutex before destroying the
/// handle, so a `lag()` call never uses a destroyed handle. Only non-blocking librdkafka calls
/// (cached watermarks, positions) are made while holding the mutex.
final class ConsumerGroupState: @unchecked Sendable {
    struct State {
        /// Set right after rd_kafka_new; nil again once the handle is being destroyed.
        var handle: UncheckedHandle? = nil
        var assignment: [TopicPartition] = []
        /// Where consumption of each assigned partition started: the group's committed offset,
        /// or the reset position when the group had none. Used for lag before the first record.
        var startOffsets: [TopicPartition: Int64] = [:]
        /// Set by the rebalance callback; the consumer thread then looks up start offsets
        /// (blocking requests, which must not run inside the callback or under the mutex).
        var startOffsetsStale = false
    }

    let mutex: Mutex<State>
    let resetToEarliest: Bool
    /// Set when the application watches for records skipped (`ConsumerConfiguration.offsetGapObserver`).
    let continuity: OffsetContinuity?
    /// Partitions assigned and revoked by rebalances so far (the rebalance callback counts).
    let assignedTotal = Atomic<Int>(0)
    /// Set by the first assignment (even an empty one): the consumer is a member of its group.
    let joined = Atomic(false)
    let revokedTotal = Atomic<Int>(0)

    init(resetToEarliest: Bool, continuity: OffsetContinuity? = nil) {
        mutex = Mutex(State())
        self.resetToEarliest = resetToEarliest
        self.continuity = continuity
    }

    func attach(_ handle: OpaquePointer) {
        let handle = UncheckedHandle(pointer: handle)
        mutex.withLock { $0.handle = handle }
    }

    func assign(_ partitions: [TopicPartition]) {
        mutex.withLock { state in
            for partition in partitions where !state.assignment.contains(partition) {
                state.assignment.append(partition)
            }
            state.startOffsetsStale = true
        }
    }

    func revoke(_ partitions: [TopicPartition]?) {
        mutex.withLock { state in
            guard let partitions else {
                state.assignment = []
                state.startOffsets = [:]
                return
            }
            state.assignment.removeAll { partitions.contains($0) }
            for partition in partitions { state.startOffsets[partition] = nil }
        }
    }

    func detachHandle() {
        mutex.withLock { state in
            state.handle = nil
            state.assignment = []
            state.startOffsets = [:]
        }
    }

    /// `rd_kafka_offsets_store` (thread-safe) under the mutex, so the handle is not destroyed meanwhile.
    func storeOffsets(topic: String, _ offsets: [Int32: Int64], logger: Logger) {
        guard !offsets.isEmpty else { return }
        mutex.withLock { state in
            guard let handle = state.handle?.pointer else { return }
            let list = rd_kafka_topic_partition_list_new(Int32(offsets.count))!
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for (partition, offset) in offsets {
                rd_kafka_topic_partition_list_add(list, topic, partition).pointee.offset = offset
            }
            let err = rd_kafka_offsets_store(handle, list)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                // _STATE: a partition was revoked meanwhile; its new owner resumes from its checkpoint.
                logger.debug("offsets store failed", metadata: ["error": .string(KafkaError(err).description)])
            }
        }
    }

    /// `rd_kafka_pause_partitions`/`rd_kafka_resume_partitions` (thread-safe) of every assigned
    /// partition, under the mutex like `storeOffsets`. A pause ends with the assignment: partitions
    /// assigned later start fetching.
    func setPaused(_ paused: Bool) {
        mutex.withLock { state in
            guard let handle = state.handle?.pointer, !state.assignment.isEmpty else { return }
            let list = makePartitionList(state.assignment)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            _ = paused ? rd_kafka_pause_partitions(handle, list) : rd_kafka_resume_partitions(handle, list)
        }
    }

    var assignedPartitions: [TopicPartition] {
        mutex.withLock { $0.assignment }
    }

    /// Called on the consumer thread after a rebalance: committed offsets from the coordinator,
    /// else the partition's beginning or end per `auto.offset.reset`.
    func refreshStartOffsets(handle: OpaquePointer, timeoutMs: Int32) {
        let partitions: [TopicPartition]? = mutex.withLock { state in
            guard state.startOffsetsStale else { return nil }
            state.startOffsetsStale = false
            return state.assignment
        }
        guard let partitions, !partitions.isEmpty else { return }
        let list = makePartitionList(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        var offsets: [TopicPartition: Int64] = [:]
        let committedErr = rd_kafka_committed(handle, list, timeoutMs)
        for (index, partition) in partitions.enumerated() {
            let element = list.pointee.elems[index]
            if committedErr == RD_KAFKA_RESP_ERR_NO_ERROR, element.err == RD_KAFKA_RESP_ERR_NO_ERROR,
                element.offset >= 0
            {
                offsets[partition] = element.offset
                continue
            }
            var low: Int64 = -1
            var high: Int64 = -1
            if rd_kafka_query_watermark_offsets(handle, partition.topic, partition.partition, &low, &high, timeoutMs)
                == RD_KAFKA_RESP_ERR_NO_ERROR
            {
                offsets[partition] = resetToEarliest ? low : high
            }
        }
        mutex.withLock { state in
            for (partition, offset) in offsets where state.assignment.contains(partition) {
                state.startOffsets[partition] = offset
            }
        }
    }

    /// Per assigned partition: cached high watermark minus the position after the last record
    /// handed to the application (or the start offset when none was yet). Partitions whose high
    /// watermark is not known yet (no fetch response since assignment) are left out rather than
    /// reported with a made-up value.
    func lag() -> [PartitionLag] {
        mutex.withLock { state in
            guard let handle = state.handle?.pointer, !state.assignment.isEmpty else { return [] }
            let list = makePartitionList(state.assignment)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            _ = rd_kafka_position(handle, list)
            var result: [PartitionLag] = []
            result.reserveCapacity(state.assignment.count)
            for (index, partition) in state.assignment.enumerated() {
                var low: Int64 = -1
                var high: Int64 = -1
                guard
                    rd_kafka_get_watermark_offsets(handle, partition.topic, partition.partition, &low, &high)
                        == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0
                else { continue }
                var position = list.pointee.elems[index].offset
                if position < 0 { position = state.startOffsets[partition] ?? -1 }
                guard position >= 0 else { continue }
                result.append(
                    PartitionLag(
                        topic: partition.topic,
                        partition: partition.partition,
                        lag: max(0, high - position),
                        position: position,
                        highWatermark: high
                    )
                )
            }
            return result
        }
    }
}

/// A consumer handle stored in `ConsumerGroupState.State`.
/// `@unchecked Sendable`: it is only read under `ConsumerGroupState.mutex`, and cleared there
/// before the handle is destroyed (see `ConsumerGroupState`).
struct UncheckedHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

func makePartitionList(_ partitions: [TopicPartition]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
    let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
    for partition in partitions {
        rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition)
    }
    return list
}

func topicPartitions(of list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> [TopicPartition] {
    guard let list else { return [] }
    return UnsafeBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt)).map {
        TopicPartition(topic: String(cString: $0.topic), partition: $0.partition)
    }
}
