import CRdKafka
import Logging

/// Builds librdkafka's configurations and `rd_kafka_t` handles with the bridge's log and error
/// callbacks wired to a `ClientContext`. It owns nothing: each handle's owner (`KafkaProducer`,
/// `KafkaConsumerWorker`, `KafkaTopicReader`, `EmbeddedKafkaCluster`) destroys what it was given.
enum KafkaHandleFactory {
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
