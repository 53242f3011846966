/// Settings of one consumer-group member. `kafka.properties` are applied last and override the
/// worker's defaults (for instance `session.timeout.ms`, `auto.commit.interval.ms`).
public struct ConsumerConfiguration: Sendable {
    public var kafka: KafkaConfiguration
    public var groupID: String
    public var topics: [String]
    /// `auto.offset.reset`: where a group without a committed offset starts ("earliest", "latest").
    public var autoOffsetReset = "earliest"
    /// Longest wait for the coordinator's answer to the commit made when partitions are revoked
    /// (a rebalance, or the close); shorter once the worker is stopping (see `OffsetCommitter`).
    public var commitTimeout: Duration = .seconds(5)
    /// How long `stop()` waits for the consumer to leave its group and close before it abandons
    /// the consumer's thread (`rd_kafka_consumer_close` can block while no broker answers).
    public var closeTimeout: Duration = .seconds(10)
    /// `fetch.min.bytes` and `fetch.wait.max.ms`: a broker holds a fetch until this much data is
    /// there or the wait is over, so under load the monitor reads in batches of many records rather
    /// than one fetch per few records (librdkafka's default is 1 byte); idle, a new record waits at
    /// most `fetchMaxWait` (librdkafka's default is 500 ms; the embedded cluster does not cut that
    /// wait short when data arrives).
    public var fetchMinBytes = 64 * 1024
    public var fetchMaxWait: Duration = .milliseconds(100)
    /// For a batch handler: when the previous batch was handed over less than this long ago (the
    /// consumer is under load), the next one gathers records for up to this long before it is
    /// handed over, so that the handler's costs per batch (locks, store transactions) are shared by
    /// more records. A broker that answers fetches as soon as any record is there (the embedded
    /// cluster ignores `fetch.min.bytes`) otherwise hands over batches of one or two records.
    /// A first record after a quiet spell is handed over at once. Zero: never wait.
    public var gatherWindow: Duration = .milliseconds(5)

    /// Told of assignments and revocations, and called after each poll (see the protocol).
    public var partitionListener: (any ConsumerPartitionListener)?
    /// Whether each record's offset is stored (for the next commit) once the handler returned.
    /// Off: only what the application stores with `KafkaConsumerWorker.storeOffsets` is committed,
    /// for applications whose state covers records only once it is checkpointed.
    public var storesOffsetsAfterHandler = true
    /// Nice value (0...19) of the consumer's threads: its polling thread, which runs the handler,
    /// and librdkafka's threads of this consumer. Above 0, the consumer yields the CPU to the
    /// process's other threads when cores are scarce (see `ThreadNiceness`).
    public var threadNiceness: Int32 = 0
    /// Shared by the consumers of one group that are stopped together: none sends LeaveGroup before
    /// all have made their last commit (see `ConsumerCloseBarrier`). nil: each leaves on its own.
    public var closeBarrier: ConsumerCloseBarrier?
    /// Told, on the consumer's thread and before the handler sees the records that follow, of
    /// every jump of a partition's position past records it never received (see `OffsetContinuity`):
    /// an offset reset after the broker deleted them, for instance. nil: not checked.
    public var offsetGapObserver: (@Sendable (OffsetGap) -> Void)?
    /// For `offsetGapObserver`: whether a partition the group never committed is expected from
    /// offset 0, so that records deleted before the group first read them count as skipped. True
    /// for a topic created with (or for) this group, as on the embedded cluster; false where retention
    /// may have removed old records before the group existed, and where starting late is intended.
    public var uncommittedStartAtZero = false

    public init(kafka: KafkaConfiguration, groupID: String, topics: [String]) {
        self.kafka = kafka
        self.groupID = groupID
        self.topics = topics
    }
}
