/// What a group consumer is for: its group, topic and name, and how it reads.
package struct GroupMember: Sendable {
    package var groupID: String
    package var topic: String
    package var name: String
    /// Told of assignments and revocations, and called after each poll.
    package var listener: (any PartitionOwnershipListener)?
    /// Whether a record counts as done (its offset is committed) once the handler returned. Off:
    /// only what `GroupConsumer.storeOffsets` stores is committed, for users whose state covers
    /// records only once it is checkpointed or delivered.
    package var commitsHandledRecords = true
    /// At most this many records per handler call.
    package var maxBatch = 512
    /// Nice value (0...19) of the consumer's threads; above 0 it yields the CPU when cores are scarce.
    package var threadNiceness: Int32 = 0
    /// Told, on the consumer's thread and before the records after it are handled, of every jump
    /// of a partition's position past records it never received. nil: not checked.
    package var onSkipped: (@Sendable (SkippedRange) -> Void)?
    /// For `onSkipped`: whether a partition the group never committed is expected from offset 0
    /// (a topic created for this group, as on the embedded cluster).
    package var uncommittedStartAtZero = false
    /// A fetch waits for this much data, or `fetchMaxWait`; nil: the consumer's defaults (batches
    /// under load, at most 100 ms idle).
    package var fetchMinBytes: Int?
    package var fetchMaxWait: Duration?

    package init(groupID: String, topic: String, name: String) {
        self.groupID = groupID
        self.topic = topic
        self.name = name
    }
}
