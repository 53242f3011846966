import CRdKafka
import Logging
import Synchronization

/// What librdkafka's C callbacks need to reach Swift: the logger and, for consumers, the group
/// state and the bounded committer. Its address is the conf `opaque` of one rd_kafka_t; the owner of that handle keeps the
/// context alive until after `rd_kafka_destroy` returned, so the callbacks never see it freed.
final class ClientContext: Sendable {
    let name: String
    let logger: Logger
    /// Set for consumers: the rebalance callback records assignments here.
    let consumerState: ConsumerGroupState?
    /// Set for consumers: the revocation commit waits for the coordinator through it, bounded.
    let committer: OffsetCommitter?
    /// librdkafka log facilities logged at debug level whatever their level, for messages that
    /// are expected for this handle and would only mislead an operator.
    let debugFacilities: Set<String>
    /// Set for consumers whose application keeps state per partition (see the protocol).
    let partitionListener: (any ConsumerPartitionListener)?
    /// Set for producers: the delivery-report callback records each outcome here.
    let deliveryHealth: DeliveryHealth?
    /// Set for pooled producers: called (from librdkafka's poll thread, so it must not block) when
    /// the handle cannot recover (a fatal error, a producer-id loop), with the reason; the pool
    /// replaces the producer.
    let onUnrecoverable: (@Sendable (Unrecoverable) -> Void)?
    /// Set for consumers once their poll loop exists: run by the rebalance callback first, so that
    /// records the loop gathered are handled before the assignment changes.
    let beforeRebalance = Mutex<(@Sendable () -> Void)?>(nil)

    init(
        name: String,
        logger: Logger,
        consumerState: ConsumerGroupState? = nil,
        committer: OffsetCommitter? = nil,
        partitionListener: (any ConsumerPartitionListener)? = nil,
        debugFacilities: Set<String> = [],
        deliveryHealth: DeliveryHealth? = nil,
        onUnrecoverable: (@Sendable (Unrecoverable) -> Void)? = nil
    ) {
        self.name = name
        var logger = logger
        logger[metadataKey: "client"] = .string(name)
        self.logger = logger
        self.consumerState = consumerState
        self.committer = committer
        self.partitionListener = partitionListener
        self.debugFacilities = debugFacilities
        self.deliveryHealth = deliveryHealth
        self.onUnrecoverable = onUnrecoverable
    }

    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> ClientContext? {
        guard let opaque else { return nil }
        return Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
    }
}

/// Construction of rd_kafka_t handles: configuration, logging and error callbacks.
enum RdKafkaClient {
    /// Builds a conf from `properties` (applied in the order given, later entries win).
    /// Throws `_INVALID_ARG` with librdkafka's explanation for an unknown or invalid property.
    static func makeConf(_ properties: [(String, String)]) throws(KafkaError) -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var errstr = [CChar](repeating: 0, count: 512)
        for (name, value) in properties {
            if rd_kafka_conf_set(conf, name, value, &errstr, errstr.count) != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let reason = String(errorBuffer: errstr)
                throw .invalidConfiguration("\(name)=\(value): \(reason)")
            }
        }
        return conf
    }

    /// Creates the handle, wiring librdkafka's log and error callbacks to `context.logger`.
    /// Consumes `conf` in every case: `rd_kafka_new` frees it only on success, so on failure it is
    /// destroyed here.
    static func makeHandle(
        type: rd_kafka_type_t,
        conf: OpaquePointer,
        context: ClientContext
    ) throws(KafkaError) -> OpaquePointer {
        rd_kafka_conf_set_opaque(conf, context.opaque)
        rd_kafka_conf_set_log_cb(conf, logCallback)
        rd_kafka_conf_set_error_cb(conf, errorCallback)
        var errstr = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            let reason = String(errorBuffer: errstr)
            throw .invalidConfiguration(reason)
        }
        return handle
    }
}

/// librdkafka logs from its internal threads; Logger is thread-safe, so forwarding directly is fine.
private let logCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void =
    {
        handle,
        level,
        facility,
        message in
        guard let handle, let context = ClientContext.from(rd_kafka_opaque(handle)) else { return }
        let facilityText = facility.map { String(cString: $0) } ?? "-"
        var swiftLevel: Logger.Level
        switch level {  // syslog(3) levels
        case ...2: swiftLevel = .critical
        case 3: swiftLevel = .error
        case 4: swiftLevel = .warning
        case 5: swiftLevel = .notice
        case 6: swiftLevel = .info
        default: swiftLevel = .debug
        }
        if context.debugFacilities.contains(facilityText) { swiftLevel = .debug }
        guard context.logger.logLevel <= swiftLevel else { return }
        context.logger.log(
            level: swiftLevel,
            "\(message.map { String(cString: $0) } ?? "")",
            metadata: ["facility": .string(facilityText)]
        )
    }

/// Client-level errors (brokers unreachable, authentication, fatal idempotence errors). Most are
/// transient and librdkafka recovers by itself, so they are logged rather than thrown; a fatal
/// error leaves the handle unusable: it is logged at error level and handed to the owner
/// (`onUnrecoverable`: the producer pool replaces the producer).
private let errorCallback:
    @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
        handle,
        code,
        reason,
        opaque in
        guard let context = ClientContext.from(opaque) else { return }
        let error = KafkaError(code: code, message: reason.map { String(cString: $0) })
        if code == RD_KAFKA_RESP_ERR__FATAL.rawValue, let handle {
            var errstr = [CChar](repeating: 0, count: 512)
            let fatal = KafkaError(
                rd_kafka_fatal_error(handle, &errstr, errstr.count),
                message: String(errorBuffer: errstr)
            )
            context.logger.error(
                "fatal Kafka client error, the client must be recreated",
                metadata: ["error": .string(fatal.description)]
            )
            context.onUnrecoverable?(Unrecoverable(error: fatal, detail: "fatal error", needsBrokers: false))
            return
        }
        // All brokers down is expected during failovers and tests; it is still worth a warning.
        context.logger.warning("Kafka client error", metadata: ["error": .string(error.description)])
    }

extension String {
    /// The NUL-terminated text librdkafka wrote into an `errstr` buffer.
    init(errorBuffer: [CChar]) {
        self.init(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
