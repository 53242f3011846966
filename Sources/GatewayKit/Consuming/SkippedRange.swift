/// Records of one partition that a consumer never received: its position jumped from `from` (the
/// next record it was to read) to `to` (the record it got instead). Offsets of a topic that is not
/// compacted are consecutive, so every offset in between is a record skipped, most often by an
/// offset reset after the cluster deleted them.
package struct SkippedRange: Sendable, Equatable {
    package let topic: String
    package let partition: Int32
    /// The first offset skipped.
    package let from: Int64
    /// The offset read next (not skipped).
    package let to: Int64

    package init(topic: String, partition: Int32, from: Int64, to: Int64) {
        self.topic = topic
        self.partition = partition
        self.from = from
        self.to = to
    }

    /// How many records were skipped.
    package var count: Int64 { to - from }
}
