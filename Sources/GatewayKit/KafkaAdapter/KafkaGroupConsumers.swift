import KafkaBridge
import Logging

/// The gateway's `GroupConsumerFactory` over KafkaBridge's `KafkaConsumerWorker`: turns a
/// `GroupMember` into a consumer configuration, and hands the handler records in the gateway's terms.
struct KafkaGroupConsumers: GroupConsumerFactory {
    let kafka: KafkaConfiguration
    let logger: Logger

    func consumer(
        _ member: GroupMember,
        handler: @escaping @Sendable ([ConsumedRecord]) -> Void
    ) throws -> any GroupConsumer {
        try make(member, closeBarrier: nil, handler: handler)
    }

    func consumers(
        leavingTogether members: [GroupMember],
        handler: @escaping @Sendable ([ConsumedRecord]) -> Void
    ) throws -> [any GroupConsumer] {
        let barrier = ConsumerCloseBarrier(parties: members.count)
        return try members.map { try make($0, closeBarrier: barrier, handler: handler) }
    }

    private func make(
        _ member: GroupMember,
        closeBarrier: ConsumerCloseBarrier?,
        handler: @escaping @Sendable ([ConsumedRecord]) -> Void
    ) throws -> KafkaGroupConsumer {
        try KafkaGroupConsumer(
            configuration(member, closeBarrier: closeBarrier),
            name: member.name,
            maxBatch: member.maxBatch,
            logger: logger,
            handler: handler
        )
    }

    private func configuration(_ member: GroupMember, closeBarrier: ConsumerCloseBarrier?) -> ConsumerConfiguration {
        var configuration = ConsumerConfiguration(kafka: kafka, groupID: member.groupID, topics: [member.topic])
        configuration.partitionListener = member.listener.map(OwnershipListener.init)
        configuration.storesOffsetsAfterHandler = member.commitsHandledRecords
        configuration.threadNiceness = member.threadNiceness
        if let onSkipped = member.onSkipped {
            configuration.offsetGapObserver = { gap in onSkipped(SkippedRange(gap)) }
        }
        configuration.uncommittedStartAtZero = member.uncommittedStartAtZero
        configuration.closeBarrier = closeBarrier
        if let minBytes = member.fetchMinBytes { configuration.fetchMinBytes = minBytes }
        if let maxWait = member.fetchMaxWait { configuration.fetchMaxWait = maxWait }
        return configuration
    }
}

/// A `PartitionOwnershipListener` as the worker's `ConsumerPartitionListener`.
private struct OwnershipListener: ConsumerPartitionListener {
    let listener: any PartitionOwnershipListener

    func partitionsAssigned(_ partitions: [Int32]) -> [Int32: Int64] { listener.partitionsAssigned(partitions) }

    func partitionsRevoked(_ partitions: [Int32], lost: Bool) { listener.partitionsRevoked(partitions, lost: lost) }

    func polled() { listener.polled() }
}

extension SkippedRange {
    init(_ gap: OffsetGap) {
        self.init(topic: gap.topic, partition: gap.partition, from: gap.expected, to: gap.received)
    }
}
