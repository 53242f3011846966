import CRdKafka

/// An error reported by librdkafka (or by this bridge, using librdkafka's codes), keeping
/// librdkafka's error name so operators can look it up in librdkafka's and Kafka's documentation.
public struct KafkaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `rd_kafka_resp_err_t` raw value: negative for client-local errors (`_QUEUE_FULL`),
    /// positive for broker protocol errors (`NOT_LEADER_FOR_PARTITION`).
    public let code: Int32
    /// `rd_kafka_err2name`, e.g. "_QUEUE_FULL", "_MSG_TIMED_OUT", "NOT_LEADER_FOR_PARTITION".
    public let name: String
    /// The detailed message from the failing call, or `rd_kafka_err2str`.
    public let message: String
    /// librdkafka's own verdict when it gave one (`rd_kafka_error_is_retriable`), nil for a bare
    /// code (see `isRetriable`).
    private let retriableHint: Bool?

    /// Builds the error for a bare code, with librdkafka's name and description.
    public init(code: Int32) {
        self.init(code: code, message: nil)
    }

    /// Builds the error for a code with a more specific message (an `errstr` buffer, for instance).
    public init(code: Int32, message: String?) {
        let err = rd_kafka_resp_err_t(rawValue: code)
        self.code = code
        self.name = String(cString: rd_kafka_err2name(err))
        self.message = message ?? String(cString: rd_kafka_err2str(err))
        self.retriableHint = nil
    }

    init(_ err: rd_kafka_resp_err_t, message: String? = nil) {
        self.init(code: err.rawValue, message: message)
    }

    /// Takes over an `rd_kafka_error_t` (as returned by `rd_kafka_produceva`) and destroys it.
    init(consuming error: OpaquePointer) {
        defer { rd_kafka_error_destroy(error) }
        self.code = rd_kafka_error_code(error).rawValue
        self.name = String(cString: rd_kafka_error_name(error))
        self.message = String(cString: rd_kafka_error_string(error))
        self.retriableHint = rd_kafka_error_is_retriable(error) != 0
    }

    /// `_QUEUE_FULL`: the local queue has no room (also for stand-ins in tests).
    public static var queueFull: KafkaError { KafkaError(RD_KAFKA_RESP_ERR__QUEUE_FULL) }

    /// `_MSG_TIMED_OUT`: no broker acknowledged the record within `message.timeout.ms`.
    public static var messageTimedOut: KafkaError { KafkaError(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT) }

    /// `_UNKNOWN_TOPIC`: the cluster has no such topic.
    public var isUnknownTopic: Bool {
        code == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC.rawValue || code == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue
    }

    /// The broker does not have the offset asked for (before the partition's start or after its end);
    /// a consumer with `auto.offset.reset=error` reports it as `_AUTO_OFFSET_RESET`.
    public var isOffsetOutOfRange: Bool {
        code == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE.rawValue || code == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET.rawValue
    }

    /// librdkafka's local queue (`queue.buffering.max.messages`/`kbytes`) is full: back off and retry.
    public var isQueueFull: Bool { code == RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue }

    /// The operation or the message delivery ran out of time. The message may or may not have
    /// been written (a timed-out in-flight request may still have succeeded on the broker).
    public var isTimedOut: Bool {
        switch rd_kafka_resp_err_t(rawValue: code) {
        case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__TIMED_OUT,
            RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
            return true
        default:
            return false
        }
    }

    /// Whether trying the same operation again later can succeed (the condition is transient).
    /// librdkafka's own flag counts when it set one, but it leaves it off for local back-pressure
    /// such as `_QUEUE_FULL` from produce, which a caller should certainly retry later.
    public var isRetriable: Bool {
        retriableHint == true || Self.retriableCodes.contains(code)
    }

    public var description: String { "\(name): \(message)" }

    /// Transient conditions: local back-pressure and time-outs, plus the broker errors Kafka's
    /// protocol marks as retriable (leadership moves, under-replication, coordinator moves).
    private static let retriableCodes: Set<Int32> = [
        RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__TIMED_OUT,
        RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE, RD_KAFKA_RESP_ERR__TRANSPORT,
        RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
        RD_KAFKA_RESP_ERR__WAIT_COORD, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION,
        RD_KAFKA_RESP_ERR_INVALID_MSG, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
        RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION,
        RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR,
        RD_KAFKA_RESP_ERR_FETCH_SESSION_ID_NOT_FOUND, RD_KAFKA_RESP_ERR_INVALID_FETCH_SESSION_EPOCH,
        RD_KAFKA_RESP_ERR_LISTENER_NOT_FOUND, RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH,
        RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH, RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_PREFERRED_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_UNSTABLE_OFFSET_COMMIT,
        RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS,
    ].reduce(into: Set<Int32>()) { $0.insert($1.rawValue) }
}

extension KafkaError {
    /// The bridge refuses work on a handle that is closing or closed.
    static var closed: KafkaError { KafkaError(RD_KAFKA_RESP_ERR__DESTROY, message: "Kafka client is closed") }

    /// `_FATAL`: the handle raised a fatal error and refuses all work (see `rd_kafka_fatal_error`).
    static var fatal: KafkaError { KafkaError(RD_KAFKA_RESP_ERR__FATAL) }

    /// A configuration property librdkafka rejected (unknown name or invalid value).
    static func invalidConfiguration(_ message: String) -> KafkaError {
        KafkaError(RD_KAFKA_RESP_ERR__INVALID_ARG, message: message)
    }
}
