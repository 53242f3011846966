import CRdKafka
import Logging

/// Reads one partition of a topic from `from` to its end outside any group, on the calling thread:
/// how a restore reads the part of a changelog it lacks.
///
/// The end is where a fetch reports the partition's end (librdkafka's partition EOF), not a
/// ListOffsets answer asked for beforehand: some brokers answer that one per record batch instead
/// of per record (Tansu 0.1 answers 1 for one batch of ten records).
///
/// Every wait is bounded by `pollTimeout`, and between polls `shouldStop` may end the read early
/// (a shutdown). Errors from the broker (a missing partition, an offset out of range:
/// `KafkaError.isOffsetOutOfRange`) end it with a throw; the caller decides what follows.
public enum KafkaPartitionReplay {
    /// What a replay reached: the offset after the last record handed over.
    public struct Outcome: Sendable, Equatable {
        public var nextOffset: Int64
        public var stopped: Bool
    }

    public static func read(
        kafka: KafkaConfiguration,
        topic: String,
        partition: Int32,
        from: Int64,
        name: String,
        logger: Logger,
        pollTimeout: Duration = .milliseconds(200),
        shouldStop: () -> Bool,
        handler: (KafkaRecord) -> Void
    ) throws(KafkaError) -> Outcome {
        var properties: [(String, String)] = [
            ("bootstrap.servers", kafka.bootstrapServers),
            ("group.id", "\(name)-unjoined"),
            ("client.id", name),
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
            ("enable.partition.eof", "true"),
            // A fetch at the end waits this long for records before the broker answers "none" (the
            // EOF this read stops at): librdkafka's 500 ms default made every restore of a partition
            // with nothing to read take half a second, inside the rebalance callback.
            ("fetch.wait.max.ms", "10"),
            // Bounded prefetch (librdkafka's default is 64 MiB per handle).
            ("queued.max.messages.kbytes", "8192"),
            // An offset the broker no longer has is an error to report, not a jump to elsewhere.
            ("auto.offset.reset", "error"),
        ]
        properties += kafka.properties.filter { !groupOnly.contains($0.key) }.sorted { $0.key < $1.key }
        let conf = try KafkaHandleFactory.makeConf(properties)
        let context = ClientContext(name: name, logger: logger)
        let handle = try KafkaHandleFactory.makeHandle(type: RD_KAFKA_CONSUMER, conf: conf, context: context)
        defer {
            _ = rd_kafka_consumer_close(handle)
            rd_kafka_destroy(handle)
        }
        let list = rd_kafka_topic_partition_list_new(1)!
        rd_kafka_topic_partition_list_add(list, topic, partition).pointee.offset = from
        let assigned = rd_kafka_assign(handle, list)
        rd_kafka_topic_partition_list_destroy(list)
        guard assigned == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(assigned) }
        var next = from
        while true {
            if shouldStop() { return Outcome(nextOffset: next, stopped: true) }
            guard let message = rd_kafka_consumer_poll(handle, Int32(pollTimeout.clampedMilliseconds)) else { continue }
            defer { rd_kafka_message_destroy(message) }
            let m = message.pointee
            if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF, m.partition == partition {
                return Outcome(nextOffset: max(next, m.offset), stopped: false)
            }
            guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(m.err) }
            guard m.partition == partition, m.offset >= next else { continue }
            let value: [UInt8]? = m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) }
            let key: [UInt8]? = m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
            handler(
                KafkaRecord(
                    topic: topic,
                    partition: partition,
                    offset: m.offset,
                    key: key,
                    value: value ?? [],
                    headers: [],
                    isTombstone: value == nil
                )
            )
            next = m.offset + 1
        }
    }

    private static let groupOnly: Set<String> = [
        "group.id", "session.timeout.ms", "heartbeat.interval.ms", "partition.assignment.strategy",
        "group.instance.id", "enable.auto.commit", "enable.auto.offset.store", "auto.offset.reset",
    ]
}
