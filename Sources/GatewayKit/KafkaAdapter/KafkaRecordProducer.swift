import KafkaBridge

/// The gateway's `RecordProducer` over KafkaBridge's producer pool: translates headers in and
/// delivery reports and librdkafka errors out, so that nothing above this folder speaks Kafka's types.
struct KafkaRecordProducer: RecordProducer {
    let pool: KafkaProducerPool

    func produce(
        topic: String,
        key: [UInt8]?,
        value: [UInt8],
        headers: [RecordHeader],
        completion: @escaping @Sendable (ProduceOutcome) -> Void
    ) throws(ProduceFailure) {
        do {
            try pool.produce(topic: topic, key: key, value: value, headers: headers.map(KafkaHeader.init)) { result in
                completion(ProduceOutcome(result))
            }
        } catch {
            throw ProduceFailure(error)
        }
    }

    /// The header list is translated once for the whole batch.
    func produceBatch(
        topic: String,
        records: [KeyedValue],
        headers: [RecordHeader],
        completion: @escaping @Sendable ([ProduceOutcome]) -> Void
    ) {
        let kafkaHeaders = headers.map(KafkaHeader.init)
        let outcomes = BatchOutcomes(count: records.count, completion: completion)
        for (index, record) in records.enumerated() {
            do {
                try pool.produce(topic: topic, key: record.key, value: record.value, headers: kafkaHeaders) { result in
                    outcomes.record(index, ProduceOutcome(result))
                }
            } catch {
                outcomes.record(index, .failed(ProduceFailure(error)))
            }
        }
    }

    var queueDepth: Int { pool.queueDepth }

    var replacements: Int { pool.replacements }
}

extension ProduceOutcome {
    init(_ result: Result<DeliveryReport, KafkaError>) {
        switch result {
        case .success(let report): self = .accepted(partition: report.partition, offset: report.offset)
        case .failure(let error): self = .failed(ProduceFailure(error))
        }
    }
}

extension ProduceFailure {
    /// Keeps librdkafka's error name and message; the kind is what the gateway tells the client.
    init(_ error: KafkaError) {
        self.init(kind: Self.kind(of: error), name: error.name, reason: error.message)
    }

    private static func kind(of error: KafkaError) -> Kind {
        if error.isQueueFull { return .queueFull }
        if error.isTimedOut { return .timedOut }
        switch error.name {
        case "MSG_SIZE_TOO_LARGE", "_MSG_SIZE_TOO_LARGE": return .tooLarge
        case "_DESTROY": return .closed
        default: return .unavailable
        }
    }
}

extension KafkaHeader {
    init(_ header: RecordHeader) {
        self.init(header.name, header.value)
    }
}

extension RecordHeader {
    init(_ header: KafkaHeader) {
        self.init(header.name, header.value)
    }
}
