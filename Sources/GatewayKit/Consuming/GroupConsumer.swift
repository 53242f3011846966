/// One member of a consumer group, as the gateway uses it: it reads on a thread of its own, hands
/// records to the handler it was made with, and commits the offsets stored with `storeOffsets`
/// (or, for a consumer made with `commitsHandledRecords`, every record once handled).
/// `KafkaGroupConsumer` (KafkaAdapter/) is the real one; `GroupConsumerFactory` makes them.
package protocol GroupConsumer: AnyObject, Sendable {
    /// Its client name (`monitor-0`): logs, the cluster view and its faults name it so.
    var name: String { get }

    /// Starts reading; again (or after a stop) does nothing.
    func start()

    /// Non-blocking first half of a stop: leave the group, committing what is stored, by `deadline`.
    func requestStop(closeBy deadline: ContinuousClock.Instant)

    /// Second half: waits for the close until `deadline`; false when it had to be abandoned.
    func awaitStop(until deadline: ContinuousClock.Instant) -> Bool

    /// The offsets to commit next (the next record to read, per partition). Any thread.
    func storeOffsets(_ offsets: [Int32: Int64])

    /// Stops fetching (true) or starts again where it stopped (false). Any thread.
    func setPaused(_ paused: Bool)

    /// Per owned partition, how far behind it is.
    func lag() -> [ConsumerLag]

    var assignedPartitions: [Int32] { get }

    /// Whether it has had its first assignment (before it, the group is still forming).
    var hasJoinedGroup: Bool { get }

    /// Partitions assigned to and revoked from it since it started.
    var partitionMoves: (assigned: Int, revoked: Int) { get }

    /// Records handed to its handler so far.
    var consumedCount: Int { get }

    /// Leaves its group (false) or joins it again (true) while it keeps running, to make the
    /// group rebalance on purpose (the embedded cluster's consumer faults).
    func setGroupMembership(_ member: Bool)

    var isGroupMember: Bool { get }
}
