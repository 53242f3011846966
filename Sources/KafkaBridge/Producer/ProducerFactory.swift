import Logging

/// Makes the pool's producers, at start and when one is replaced: the same settings every time,
/// so a replacement is indistinguishable from the producer it replaces (same client.id).
struct ProducerFactory: Sendable {
    let configuration: ProducerConfiguration
    let logger: Logger

    /// The outcomes of slot `index`, shared by every producer that slot will have.
    func makeHealth(index: Int) -> DeliveryHealth {
        var logger = logger
        logger[metadataKey: "client"] = .string(name(index))
        return DeliveryHealth(
            logPolicy: .init(
                interval: configuration.failureLogInterval,
                escalateAfter: configuration.failureEscalation
            ),
            producerStateErrorBound: configuration.producerStateErrorBound,
            stuckAfter: configuration.stuckProducerAfter ?? configuration.deliveryTimeout * 3,
            logger: logger
        )
    }

    /// `onUnrecoverable` runs on the new producer's poll thread; it must not block.
    func makeProducer(
        index: Int,
        health: DeliveryHealth,
        onUnrecoverable: @escaping @Sendable (Unrecoverable) -> Void
    ) throws(KafkaError) -> KafkaProducer {
        let name = name(index)
        let properties: [(String, String)] =
            [
                ("bootstrap.servers", configuration.kafka.bootstrapServers),
                ("client.id", "gateway-\(name)"),
                ("acks", "all"),
                ("enable.idempotence", "true"),
                ("partitioner", "murmur2_random"),
                ("message.timeout.ms", String(configuration.deliveryTimeout.clampedMilliseconds)),
                ("queue.buffering.max.messages", String(configuration.maxQueuedMessages)),
                ("linger.ms", configuration.linger.millisecondsPropertyValue),
                // Requests go out when librdkafka writes them, not when an earlier one is acknowledged.
                ("socket.nagle.disable", "true"),
            ] + configuration.kafka.properties.sorted { $0.key < $1.key }
        return try KafkaProducer(
            name: name,
            properties: properties,
            logger: logger,
            health: health,
            maxQueued: configuration.maxQueuedMessages,
            maxHold: configuration.maxHold,
            onUnrecoverable: onUnrecoverable
        )
    }

    private func name(_ index: Int) -> String { "producer-\(index)" }
}
