/// A group consumer's user that keeps state per partition: it says where each assigned partition
/// starts, has a last word before a partition is taken away, and gets a regular call for periodic
/// work (checkpoints) on the consumer's own thread.
///
/// Every method runs on the consumer's thread (the first two during the group's rebalance), so
/// none runs while a record of this consumer is being handled; each must be bounded, since the
/// group waits for it. Single-topic consumers only: partitions are numbers.
package protocol PartitionOwnershipListener: Sendable {
    /// Before `partitions` are assigned: the offset to start each at (the next record to read);
    /// partitions left out start at the committed offset, else at the topic's beginning.
    func partitionsAssigned(_ partitions: [Int32]) -> [Int32: Int64]
    /// Before `partitions` are given up and stored offsets are committed. `lost`: the group
    /// already moved on without this member (another may own them now; do not write for them).
    func partitionsRevoked(_ partitions: [Int32], lost: Bool)
    /// After each poll: records were handled, or 100 ms passed without one.
    func polled()
}
