/// Settings of the producer pool. The typed settings are applied first and
/// `kafka.properties` after them, so an explicit librdkafka property (`-X linger.ms=10`,
/// `KAFKA_LINGER_MS=10`) overrides the typed default.
public struct ProducerConfiguration: Sendable {
    public var kafka: KafkaConfiguration
    /// Producers (rd_kafka_t handles) in the pool. More than one spreads the per-handle locks and
    /// the delivery-report thread across cores.
    public var poolSize = 2
    /// `message.timeout.ms`: how long librdkafka keeps retrying a record before failing it with
    /// `_MSG_TIMED_OUT`.
    public var deliveryTimeout: Duration = .seconds(30)
    /// `queue.buffering.max.messages` per producer: beyond it produce() fails with `_QUEUE_FULL`,
    /// which is the gateway's back-pressure signal.
    public var maxQueuedMessages = 100_000
    /// `linger.ms`: librdkafka's batching delay. Batches come from load without it (records that
    /// arrive while a wave is in flight leave together, see `ProduceWaves`). A fraction of a
    /// millisecond costs a whole one: the broker thread rounds its poll timeout up to milliseconds.
    public var linger: Duration = .zero
    /// The longest a record waits behind an unfinished wave before it is handed over anyway (a
    /// broker down or slow must not hold the records of the others). Held records count toward
    /// `maxQueuedMessages`.
    public var maxHold: Duration = .milliseconds(5)
    /// Sustained delivery failures are logged once per interval (with counts by error name), not
    /// once per record: at warning level, and at error level once they last `failureEscalation`.
    public var failureLogInterval: Duration = .seconds(10)
    public var failureEscalation: Duration = .seconds(60)
    /// Delivery errors about the idempotent producer's state (UNKNOWN_PRODUCER_ID,
    /// OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH) in a row that mean a producer-id loop:
    /// the producer is replaced by a fresh one, as after a fatal error.
    public var producerStateErrorBound = 20
    /// Every delivery of a producer failing for this long while a broker answers its metadata
    /// request means the producer is stuck (librdkafka 2.0.2 loops on UNKNOWN_PRODUCER_ID against
    /// a broker that lost its state, and reports only `_MSG_TIMED_OUT`): it is replaced. nil: three
    /// delivery timeouts.
    public var stuckProducerAfter: Duration? = nil

    public init(kafka: KafkaConfiguration) {
        self.kafka = kafka
    }
}
