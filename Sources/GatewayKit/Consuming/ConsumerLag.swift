/// How far one consumer is behind in one partition it owns.
package struct ConsumerLag: Sendable, Equatable {
    package let topic: String
    package let partition: Int32
    /// Records between the consumer's position and the partition's end.
    package let lag: Int64
    /// The next offset the consumer hands to the gateway.
    package let position: Int64
    /// The partition's end as the consumer last heard it (stale while the consumer does not fetch).
    package let highWatermark: Int64

    package init(topic: String, partition: Int32, lag: Int64, position: Int64, highWatermark: Int64) {
        self.topic = topic
        self.partition = partition
        self.lag = lag
        self.position = position
        self.highWatermark = highWatermark
    }
}
