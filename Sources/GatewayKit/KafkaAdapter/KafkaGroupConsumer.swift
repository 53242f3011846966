import KafkaBridge
import Logging

/// The gateway's `GroupConsumer`: a `KafkaConsumerWorker`, whose records and lag it translates.
final class KafkaGroupConsumer: GroupConsumer {
    private let worker: KafkaConsumerWorker

    init(
        _ configuration: ConsumerConfiguration,
        name: String,
        maxBatch: Int,
        logger: Logger,
        handler: @escaping @Sendable ([ConsumedRecord]) -> Void
    ) throws {
        worker = try KafkaConsumerWorker(configuration: configuration, name: name, logger: logger, maxBatch: maxBatch) {
            records in
            handler(records.map(ConsumedRecord.init))
        }
    }

    var name: String { worker.name }

    func start() { worker.start() }

    func requestStop(closeBy deadline: ContinuousClock.Instant) { worker.requestStop(closeBy: deadline) }

    func awaitStop(until deadline: ContinuousClock.Instant) -> Bool { worker.awaitStop(until: deadline) }

    func storeOffsets(_ offsets: [Int32: Int64]) { worker.storeOffsets(offsets) }

    func setPaused(_ paused: Bool) { worker.setPaused(paused) }

    func lag() -> [ConsumerLag] {
        worker.lag().map {
            ConsumerLag(
                topic: $0.topic,
                partition: $0.partition,
                lag: $0.lag,
                position: $0.position,
                highWatermark: $0.highWatermark
            )
        }
    }

    var assignedPartitions: [Int32] { worker.assignedPartitions }

    var hasJoinedGroup: Bool { worker.hasJoinedGroup }

    var partitionMoves: (assigned: Int, revoked: Int) { worker.partitionMoves }

    var consumedCount: Int { worker.consumedCount }

    func setGroupMembership(_ member: Bool) { worker.setGroupMembership(member) }

    var isGroupMember: Bool { worker.isGroupMember }
}

extension ConsumedRecord {
    /// Takes the record's arrays as they are (shared, not copied); only the header list is new.
    init(_ record: KafkaRecord) {
        self.init(
            partition: record.partition,
            offset: record.offset,
            key: record.key,
            value: record.value,
            headers: record.headers.map(RecordHeader.init),
            isTombstone: record.isTombstone
        )
    }
}
