/// Recent delivery outcomes of one producer, read at one moment: the facts `DeliveryReadiness`
/// judges (the producer reports them; readiness decides what counts as "not ready").
struct ProducerHealth: Sendable, Equatable {
    /// Failed deliveries since the last success (failures about one record's content or size are
    /// not counted: they say nothing about the producer).
    var consecutiveFailures = 0
    /// Since the first failure of the current streak; nil without one.
    var failingFor: Duration? = nil
    /// Since the latest failure of the current streak; nil without one.
    var lastFailureAgo: Duration? = nil
    /// The Kafka client's name of the latest failure of the current streak, e.g. "_MSG_TIMED_OUT".
    var lastError: String? = nil
    /// Since the latest acknowledged record; nil if none was acknowledged yet.
    var lastSuccessAgo: Duration? = nil
    /// Records handed to the producer and not reported yet.
    var pending = 0
    /// With records pending: since the last delivery report (or since the first of them was
    /// enqueued after an idle spell). Longer than the delivery timeout means no reports come at
    /// all. nil when nothing is pending.
    var waitingFor: Duration? = nil
}

/// Why no broker answered the readiness probe's metadata request.
struct BrokerCheckFailure: Error, Sendable, Equatable {
    /// The Kafka client's name for it, e.g. "_ALL_BROKERS_DOWN".
    var name: String
    var message: String
}
