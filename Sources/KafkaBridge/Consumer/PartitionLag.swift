/// How far a consumer is behind the end of one partition, in records.
public struct PartitionLag: Sendable, Equatable {
    public let topic: String
    public let partition: Int32
    public let lag: Int64

    public init(topic: String, partition: Int32, lag: Int64) {
        self.topic = topic
        self.partition = partition
        self.lag = lag
    }
}
