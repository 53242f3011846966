/// What an application that keeps state per partition needs from a consumer-group member: a say
/// in where each assigned partition starts, a last word before a partition is revoked, a regular
/// call to do periodic work (checkpoints) on the consumer's own thread, and, with
/// `ConsumerConfiguration.storesOffsetsAfterHandler` off, the choice of which offsets get committed
/// (`KafkaConsumerWorker.storeOffsets`).
///
/// Every method runs on the consumer's thread (the first two inside the rebalance callback), so
/// none runs while a record of this consumer is being handled; each must be bounded, since the
/// group waits for the rebalance callback. Single-topic consumers only: partitions are numbers.
public protocol ConsumerPartitionListener: Sendable {
    /// Before `partitions` are assigned: the offset to start each at (the next record to read);
    /// partitions left out start at the committed offset, else per `auto.offset.reset`.
    func partitionsAssigned(_ partitions: [Int32]) -> [Int32: Int64]
    /// Before `partitions` are given up and stored offsets are committed. `lost`: the group
    /// already moved on without this member (another may own them now; do not write for them).
    func partitionsRevoked(_ partitions: [Int32], lost: Bool)
    /// After each poll: a record was handled, or 100 ms passed without one.
    func polled()
}
