/// What became of one record handed to a `RecordProducer`, in the gateway's terms: the route
/// answers from it, the metrics count it, the monitor gate follows its offsets.
package enum ProduceOutcome: Sendable, Equatable {
    /// The brokers hold the record at this partition and offset.
    case accepted(partition: Int32, offset: Int64)
    /// The record was not written, or is not known to be written.
    case failed(ProduceFailure)
}

/// Why a record was not (or not knowably) written. Retrying later may work for every kind but
/// `tooLarge`, which is why the route answers 503 with Retry-After.
package struct ProduceFailure: Error, Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        /// The producer's local queue has no room: back off and retry shortly.
        case queueFull
        /// No broker acknowledged the record within the delivery timeout; it may still have been
        /// written, so a retry can duplicate it (idempotency keys exist for that).
        case timedOut
        /// The record is larger than the producer or the brokers accept.
        case tooLarge
        /// The producer is shutting down and takes no more records.
        case closed
        /// Anything else the client or the brokers refused.
        case unavailable
    }

    package let kind: Kind
    /// The Kafka client's own name for the condition (librdkafka's `_QUEUE_FULL`,
    /// `NOT_LEADER_FOR_PARTITION`): operators look it up by it, and `/metrics` labels by it.
    package let name: String
    /// A sentence saying what happened.
    package let reason: String

    package init(kind: Kind, name: String, reason: String) {
        self.kind = kind
        self.name = name
        self.reason = reason
    }

    /// The local queue is full (also what the route's stand-ins answer in tests).
    package static let queueFull = ProduceFailure(kind: .queueFull, name: "_QUEUE_FULL", reason: "Local: Queue full")

    /// No acknowledgement within the delivery timeout.
    package static let timedOut = ProduceFailure(
        kind: .timedOut,
        name: "_MSG_TIMED_OUT",
        reason: "Local: Message timed out"
    )
}
