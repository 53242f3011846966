/// Makes the gateway's group consumers (the monitor's, the alert reader, the webhooks'), all on
/// one cluster. `KafkaGroupConsumers` (KafkaAdapter/) is the real one, built by the wiring.
package protocol GroupConsumerFactory: Sendable {
    /// One consumer, subscribed; records go to `handler` in batches, on the consumer's thread.
    /// Reading begins with `start()`, which should follow soon: a subscribed consumer that does not
    /// read holds up its group's rebalances.
    func consumer(
        _ member: GroupMember,
        handler: @escaping @Sendable ([ConsumedRecord]) -> Void
    ) throws -> any GroupConsumer

    /// Consumers of one group that are stopped together: none leaves the group before every one
    /// of them made its last commit, so no commit is refused by the rebalance that a leaving
    /// member starts (and no record is read again by the next owner).
    func consumers(
        leavingTogether members: [GroupMember],
        handler: @escaping @Sendable ([ConsumedRecord]) -> Void
    ) throws -> [any GroupConsumer]
}
