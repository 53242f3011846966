import KafkaBridge

/// What the gateway needs of a Kafka producer: hand over a record, hear back once whether the
/// brokers hold it. `KafkaProducerPool` is the real one; route tests use a stand-in that answers
/// from another thread, as delivery reports do.
package protocol RecordProducer: Sendable {
    /// Queues the record (throws when it cannot even be queued, e.g. `_QUEUE_FULL`); `completion`
    /// runs exactly once, on another thread, with the broker's acknowledgement or the final error.
    func produce(
        topic: String,
        key: [UInt8]?,
        value: [UInt8],
        headers: [KafkaHeader],
        completion: @escaping @Sendable (Result<DeliveryReport, KafkaError>) -> Void
    ) throws(KafkaError)

    /// Records queued or in flight, for `/metrics`.
    var queueDepth: Int { get }

    /// Producers replaced because they could not recover, for `/metrics`.
    var replacements: Int { get }
}

extension RecordProducer {
    /// A producer that is never replaced (route tests' stand-ins).
    package var replacements: Int { 0 }
}

extension KafkaProducerPool: RecordProducer {}
