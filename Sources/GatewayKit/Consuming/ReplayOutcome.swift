/// What a replay reached: the offset after the last record handed over, and whether `shouldStop`
/// ended it before the partition's end.
package struct ReplayOutcome: Sendable, Equatable {
    package var nextOffset: Int64
    package var stopped: Bool

    package init(nextOffset: Int64, stopped: Bool) {
        self.nextOffset = nextOffset
        self.stopped = stopped
    }
}

/// Why a replay ended before the partition's end: the cluster refused it (the partition is missing,
/// the start offset is out of range), and the restore decides what follows.
package struct ReplayFailure: Error, CustomStringConvertible {
    /// The start offset is not in the partition (before its first record, or past its end).
    package let isOffsetOutOfRange: Bool
    /// The Kafka client's name and message for it.
    package let description: String

    package init(isOffsetOutOfRange: Bool, description: String) {
        self.isOffsetOutOfRange = isOffsetOutOfRange
        self.description = description
    }
}
