import CRdKafka
import CoreSupport
import Logging
import Synchronization

/// Reads every partition of one topic outside any consumer group (`rd_kafka_assign`, no commits),
/// starting at each partition's last `tail` records (nil: at its beginning), and hands each record
/// to `handler` on a thread of its own. For a changelog that every instance follows, whatever
/// partitions its group members own.
///
/// `@unchecked Sendable`: the handle is polled only by the reader's thread; the other calls on it
/// (`watermarks`, `clusterID`) are thread-safe in librdkafka, and `stop` destroys it only
/// after that thread has ended, under `handleLock`, which those calls also take.
public final class KafkaTopicReader: @unchecked Sendable {
    public let topic: String
    public let partitionCount: Int32
    private let handle: OpaquePointer
    private let context: ClientContext
    private let handleLock = Mutex(true)  // true while the handle lives
    private let stopping = Atomic(false)
    private let thread = Mutex<JoinableThread?>(nil)
    private let handler: @Sendable (KafkaRecord) -> Void

    /// Fails with `_UNKNOWN_TOPIC` when the cluster does not have `topic` (metadata within `timeout`).
    public init(
        kafka: KafkaConfiguration,
        topic: String,
        tail: Int64? = 1,
        name: String,
        logger: Logger,
        timeout: Duration = .seconds(10),
        handler: @escaping @Sendable (KafkaRecord) -> Void
    ) throws(KafkaError) {
        var properties: [(String, String)] = [
            ("bootstrap.servers", kafka.bootstrapServers),
            // Required by librdkafka for a consumer handle; no group is joined (assign only).
            ("group.id", "\(name)-unjoined"),
            ("client.id", name),
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
            ("enable.partition.eof", "false"),
            // A position the broker no longer has (a cluster that deletes old records) moves to the
            // oldest record still there, not to the end (librdkafka's default), which would skip all.
            ("auto.offset.reset", "earliest"),
            // Bounded prefetch (librdkafka's default is 64 MiB per handle).
            ("queued.max.messages.kbytes", "8192"),
            // A watermark query (`watermarks`, on every restore) goes to the partition's leader on
            // the connection the reader's long-poll fetch holds, and librdkafka's mock cluster answers
            // it only when the fetch's wait is over: with the 500 ms default, each restore of an empty
            // changelog partition took 500 ms, one after another (the reader is shared), and a fresh
            // gateway owned its partitions 3 s after the group had formed. 100 ms, as the monitor's
            // consumers fetch.
            ("fetch.wait.max.ms", "100"),
        ]
        properties += kafka.properties.filter { !Self.groupOnly.contains($0.key) }.sorted { $0.key < $1.key }
        let conf = try KafkaHandleFactory.makeConf(properties)
        context = ClientContext(name: name, logger: logger)
        handle = try KafkaHandleFactory.makeHandle(type: RD_KAFKA_CONSUMER, conf: conf, context: context)
        self.topic = topic
        self.handler = handler
        do {
            partitionCount = try Self.partitions(of: topic, handle: handle, timeout: timeout)
            try assignAll(tail: tail)
        } catch {
            rd_kafka_destroy(handle)
            throw error
        }
    }

    /// Group settings a user may pass for the monitor's group; meaningless (or refused) here.
    private static let groupOnly: Set<String> = [
        "group.id", "session.timeout.ms", "heartbeat.interval.ms", "partition.assignment.strategy",
        "group.instance.id", "enable.auto.commit", "enable.auto.offset.store",
    ]

    deinit { stop() }

    /// Starts the reading thread (which keeps the reader alive until `stop`).
    public func start() {
        thread.withLock { thread in
            guard thread == nil else { return }
            // pthread_create fails only when the process is out of threads or memory.
            thread = try! JoinableThread(name: "kafka-r-\(context.name)") { [self] in run() }
        }
    }

    private func run() {
        while !stopping.load(ordering: .acquiring) {
            guard let message = rd_kafka_consumer_poll(handle, 100) else { continue }
            defer { rd_kafka_message_destroy(message) }
            let m = message.pointee
            guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                context.logger.debug("reader error", metadata: ["error": .string(KafkaError(m.err).description)])
                continue
            }
            let value: [UInt8] = m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) } ?? []
            let key: [UInt8]? = m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
            handler(
                KafkaRecord(
                    topic: topic,
                    partition: m.partition,
                    offset: m.offset,
                    key: key,
                    value: value,
                    headers: [],
                    isTombstone: m.payload == nil
                )
            )
        }
    }

    /// Stops the thread (within its 100 ms poll) and destroys the handle. Idempotent.
    public func stop() {
        stopping.store(true, ordering: .releasing)
        let running = thread.withLock { thread in
            defer { thread = nil }
            return thread
        }
        running?.join()
        handleLock.withLock { alive in
            guard alive else { return }
            alive = false
            _ = rd_kafka_consumer_close(handle)
            rd_kafka_destroy(handle)
        }
    }

    /// The partition's first and end offsets as the leader says now (`rd_kafka_query_watermark_offsets`),
    /// for at most `timeout`; nil when they cannot be learnt in time.
    public func watermarks(partition: Int32, timeout: Duration) -> (low: Int64, high: Int64)? {
        handleLock.withLock { alive in
            guard alive else { return nil }
            var low: Int64 = -1
            var high: Int64 = -1
            let err = rd_kafka_query_watermark_offsets(
                handle,
                topic,
                partition,
                &low,
                &high,
                Int32(timeout.clampedMilliseconds)
            )
            return err == RD_KAFKA_RESP_ERR_NO_ERROR ? (low, high) : nil
        }
    }

    /// The cluster's id (`rd_kafka_clusterid`; a mock cluster's starts with "mockCluster"), nil
    /// when not learnt within `timeout` or when the broker does not say.
    public func clusterID(timeout: Duration) -> String? {
        handleLock.withLock { alive in
            guard alive, let id = rd_kafka_clusterid(handle, Int32(timeout.clampedMilliseconds)) else { return nil }
            defer { rd_kafka_mem_free(handle, id) }
            return String(cString: id)
        }
    }

    /// The partition count of another topic of the same cluster (`_UNKNOWN_TOPIC` if it has none).
    public func partitionCount(of other: String, timeout: Duration) throws(KafkaError) -> Int32 {
        try handleLock.withLock { alive throws(KafkaError) in
            guard alive else { throw KafkaError(RD_KAFKA_RESP_ERR__DESTROY) }
            return try Self.partitions(of: other, handle: handle, timeout: timeout)
        }
    }

    private func assignAll(tail: Int64?) throws(KafkaError) {
        let list = rd_kafka_topic_partition_list_new(partitionCount)!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in 0..<partitionCount {
            // RD_KAFKA_OFFSET_TAIL(n) is a C macro: RD_KAFKA_OFFSET_TAIL_BASE - n.
            rd_kafka_topic_partition_list_add(list, topic, partition).pointee.offset =
                tail.map { Int64(RD_KAFKA_OFFSET_TAIL_BASE) - $0 } ?? Int64(RD_KAFKA_OFFSET_BEGINNING)
        }
        let err = rd_kafka_assign(handle, list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err) }
    }

    /// The topic's partition count from a metadata request of all topics (asking for one topic by
    /// name could create it on brokers with auto-creation on).
    static func partitions(of topic: String, handle: OpaquePointer, timeout: Duration) throws(KafkaError) -> Int32 {
        var metadata: UnsafePointer<rd_kafka_metadata>? = nil
        let err = rd_kafka_metadata(handle, 1, nil, &metadata, Int32(timeout.clampedMilliseconds))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { throw KafkaError(err) }
        defer { rd_kafka_metadata_destroy(metadata) }
        let topics = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
        guard let entry = topics.first(where: { String(cString: $0.topic) == topic }),
            entry.err == RD_KAFKA_RESP_ERR_NO_ERROR,
            entry.partition_cnt > 0
        else { throw KafkaError(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) }
        return entry.partition_cnt
    }
}
