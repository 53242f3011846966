/// What the gateway needs of a Kafka producer: hand over a record, hear back once whether the
/// brokers hold it, in the gateway's own terms. `KafkaRecordProducer` (KafkaAdapter/) is the real
/// one; route tests use a stand-in that answers from another thread, as delivery reports do.
package protocol RecordProducer: Sendable {
    /// Queues the record (throws when it cannot even be queued, e.g. a full queue); `completion`
    /// runs exactly once, on another thread, with the acknowledgement or the final failure.
    func produce(
        topic: String,
        key: [UInt8]?,
        value: [UInt8],
        headers: [RecordHeader],
        completion: @escaping @Sendable (ProduceOutcome) -> Void
    ) throws(ProduceFailure)

    /// Records queued or in flight, for `/metrics`.
    var queueDepth: Int { get }

    /// Producers replaced because they could not recover, for `/metrics`.
    var replacements: Int { get }
}

extension RecordProducer {
    /// A producer that is never replaced (route tests' stand-ins).
    package var replacements: Int { 0 }
}
