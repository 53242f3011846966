/// How far a consumer is behind the end of one partition, in records.
public struct PartitionLag: Sendable, Equatable {
    public let topic: String
    public let partition: Int32
    public let lag: Int64
    /// The next offset the consumer hands to its application.
    public let position: Int64
    /// The partition's end as the consumer last heard it from a fetch (its cached high watermark).
    /// It goes stale while the consumer's queue is full and it does not fetch.
    public let highWatermark: Int64

    public init(topic: String, partition: Int32, lag: Int64, position: Int64 = -1, highWatermark: Int64 = -1) {
        self.topic = topic
        self.partition = partition
        self.lag = lag
        self.position = position
        self.highWatermark = highWatermark
    }
}
