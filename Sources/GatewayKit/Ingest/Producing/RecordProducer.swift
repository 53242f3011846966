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

    /// Queues every record of a batch (one topic, one header list) and calls `completion` once,
    /// with one outcome per record in the order given, when the last is known (a record that cannot
    /// be queued is a `.failed` outcome, not a throw). `records` must not be empty.
    func produceBatch(
        topic: String,
        records: [KeyedValue],
        headers: [RecordHeader],
        completion: @escaping @Sendable ([ProduceOutcome]) -> Void
    )

    /// Records queued or in flight, for `/metrics`.
    var queueDepth: Int { get }

    /// Producers replaced because they could not recover, for `/metrics`.
    var replacements: Int { get }
}

/// A record's key and value, for `produceBatch`.
package struct KeyedValue: Sendable {
    package var key: [UInt8]?
    package var value: [UInt8]

    package init(key: [UInt8]?, value: [UInt8]) {
        self.key = key
        self.value = value
    }
}

extension RecordProducer {
    /// A producer that is never replaced (route tests' stand-ins).
    package var replacements: Int { 0 }

    /// One `produce` per record, collected into one completion.
    package func produceBatch(
        topic: String,
        records: [KeyedValue],
        headers: [RecordHeader],
        completion: @escaping @Sendable ([ProduceOutcome]) -> Void
    ) {
        let outcomes = BatchOutcomes(count: records.count, completion: completion)
        for (index, record) in records.enumerated() {
            do {
                try produce(topic: topic, key: record.key, value: record.value, headers: headers) { outcome in
                    outcomes.record(index, outcome)
                }
            } catch {
                outcomes.record(index, .failed(error))
            }
        }
    }
}
