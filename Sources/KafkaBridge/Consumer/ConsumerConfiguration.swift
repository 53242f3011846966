/// Settings of one consumer-group member. `kafka.properties` are applied last and override the
/// worker's defaults (for instance `session.timeout.ms`, `auto.commit.interval.ms`).
public struct ConsumerConfiguration: Sendable {
    public var kafka: KafkaConfiguration
    public var groupID: String
    public var topics: [String]
    /// `auto.offset.reset`: where a group without a committed offset starts ("earliest", "latest").
    public var autoOffsetReset = "earliest"

    public init(kafka: KafkaConfiguration, groupID: String, topics: [String]) {
        self.kafka = kafka
        self.groupID = groupID
        self.topics = topics
    }
}
