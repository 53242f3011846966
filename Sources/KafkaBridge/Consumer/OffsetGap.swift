/// Records of one partition that a consumer never received: its position moved from `expected`
/// (the next record it was to read) to `received` (the record it got instead). On a topic that is
/// not compacted, offsets are consecutive, so every offset in between is a record skipped, most
/// often by an offset reset after the broker deleted them (offset out of range).
public struct OffsetGap: Sendable, Equatable {
    public let topic: String
    public let partition: Int32
    public let expected: Int64
    public let received: Int64

    public init(topic: String, partition: Int32, expected: Int64, received: Int64) {
        self.topic = topic
        self.partition = partition
        self.expected = expected
        self.received = received
    }

    /// How many records were skipped.
    public var count: Int64 { received - expected }
}
