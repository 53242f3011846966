import KafkaBridge

/// The producer pool's health facts and broker check, in the terms of `Health/`.
extension KafkaProducerPool {
    func brokerCheck(timeout: Duration) -> Result<[String], BrokerCheckFailure> {
        checkBrokers(timeout: timeout).mapError { BrokerCheckFailure(name: $0.name, message: $0.message) }
    }

    func producerHealth() -> [ProducerHealth] {
        deliveryHealth().map(ProducerHealth.init)
    }
}

extension ProducerHealth {
    init(_ snapshot: DeliveryHealthSnapshot) {
        self.init(
            consecutiveFailures: snapshot.consecutiveFailures,
            failingFor: snapshot.failingFor,
            lastFailureAgo: snapshot.lastFailureAgo,
            lastError: snapshot.lastError,
            lastSuccessAgo: snapshot.lastSuccessAgo,
            pending: snapshot.pending,
            waitingFor: snapshot.waitingFor
        )
    }
}
