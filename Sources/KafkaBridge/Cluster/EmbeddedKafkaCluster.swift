import CRdKafka
import Logging
import Synchronization

/// librdkafka's mock cluster: brokers speaking the real Kafka protocol on loopback TCP, inside
/// this process. It serves this bridge, kcat and other librdkafka-based clients, which makes it the
/// zero-dependency "no Kafka configured" mode and the test fixture.
///
/// librdkafka marks the mock API experimental; this type is the only place that uses it.
///
/// `@unchecked Sendable` because it holds raw pointers. The mock API functions post requests to
/// the mock cluster's own thread and are safe to call from any thread; `mutex` makes every call
/// see either a live cluster or `nil` (after `close`), never a destroyed one.
public final class EmbeddedKafkaCluster: @unchecked Sendable {
    /// `@unchecked Sendable`: only used under `mutex` (see the type's comment).
    private struct Handles: @unchecked Sendable {
        let client: OpaquePointer  // rd_kafka_t that owns the mock cluster
        let cluster: OpaquePointer  // rd_kafka_mock_cluster_t
    }

    /// Comma-separated "127.0.0.1:port" list for other clients.
    public let bootstrapServers: String
    public let brokerCount: Int
    private let mutex: Mutex<Handles?>
    /// What the broker faults changed, for a view of the cluster: the mock's metadata lists a down
    /// broker like any other and reports every replica in sync.
    private let faults = Mutex(BrokerFaults())
    private let context: ClientContext
    private let logger: Logger

    public init(brokers: Int = 3, logger: Logger) throws(KafkaError) {
        guard brokers >= 1 else { throw .invalidConfiguration("an embedded cluster needs at least one broker") }
        // The hosting handle has no bootstrap.servers on purpose; librdkafka's CONFWARN about it
        // would read like a misconfiguration of the gateway.
        let context = ClientContext(name: "embedded-kafka", logger: logger, debugFacilities: ["CONFWARN"])
        // A bare producer handle only hosts the cluster; it never connects anywhere.
        let conf = try KafkaHandleFactory.makeConf([("client.id", "embedded-kafka")])
        let client = try KafkaHandleFactory.makeHandle(type: RD_KAFKA_PRODUCER, conf: conf, context: context)
        guard let cluster = rd_kafka_mock_cluster_new(client, Int32(brokers)) else {
            rd_kafka_destroy(client)
            throw KafkaError(RD_KAFKA_RESP_ERR__FAIL, message: "could not create the embedded Kafka cluster")
        }
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        self.brokerCount = brokers
        // Before any client connects: accepted sockets inherit it (see ListenerNagle).
        let ports = Set(
            bootstrapServers.split(separator: ",").compactMap { $0.split(separator: ":").last.flatMap { UInt16($0) } }
        )
        let changed = ListenerNagle.disable(onPorts: ports)
        if changed != brokers {
            logger.warning(
                "embedded Kafka: TCP_NODELAY set on \(changed) of \(brokers) broker listeners; pipelined requests may wait for delayed ACKs"
            )
        }
        self.mutex = Mutex(Handles(client: client, cluster: cluster))
        self.context = context
        self.logger = context.logger
        logger.info(
            "embedded Kafka cluster started",
            metadata: ["bootstrap_servers": .string(bootstrapServers), "brokers": "\(brokers)"]
        )
    }

    deinit {
        close()
    }

    /// Creates a topic (the mock has no CreateTopics API). Replication factor at most the number
    /// of brokers. Creating an existing topic fails with TOPIC_ALREADY_EXISTS.
    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32) throws(KafkaError) {
        let err =
            withCluster { rd_kafka_mock_topic_create($0, name, partitions, replicationFactor) }
            ?? RD_KAFKA_RESP_ERR__DESTROY
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err) }
    }

    /// Broker ids are 1...brokerCount. A down broker drops its connections and refuses new ones;
    /// it keeps partition leadership (as a crashed broker would until the controller reacts).
    public func setBrokerDown(_ id: Int32) {
        report(withCluster { rd_kafka_mock_broker_set_down($0, id) }, "set broker \(id) down")
        faults.withLock { _ = $0.down.insert(id) }
    }

    public func setBrokerUp(_ id: Int32) {
        report(withCluster { rd_kafka_mock_broker_set_up($0, id) }, "set broker \(id) up")
        faults.withLock { _ = $0.down.remove(id) }
    }

    /// The brokers set down and the round-trip times added, as the faults left them.
    public var brokerFaults: BrokerFaults { faults.withLock { $0 } }

    /// Moves the leadership of one partition to broker `id`, as a controller does when a leader
    /// fails or is rebalanced. The old leader answers the partition's requests with
    /// NOT_LEADER_OR_FOLLOWER from then on, and clients find the new one through metadata.
    public func setPartitionLeader(topic: String, partition: Int32, broker id: Int32) {
        report(
            withCluster { rd_kafka_mock_partition_set_leader($0, topic, partition, id) },
            "move the leader of \(topic)/\(partition) to broker \(id)"
        )
    }

    /// Makes broker `id` the coordinator of consumer group `group`, as Kafka's controller does
    /// when the leader of the group's offsets partition moves. The mock otherwise keeps a group on
    /// the broker its name hashes to, down or not.
    public func setGroupCoordinator(_ group: String, broker id: Int32) {
        report(
            withCluster { rd_kafka_mock_coordinator_set($0, "group", group, id) },
            "move group \(group) to broker \(id)"
        )
    }

    /// Adds a delay to every response of broker `id`.
    public func setBrokerRoundTripTime(_ id: Int32, _ rtt: Duration) {
        report(withCluster { rd_kafka_mock_broker_set_rtt($0, id, rtt.clampedMilliseconds) }, "set broker \(id) RTT")
        faults.withLock { $0.roundTripTimes[id] = rtt == .zero ? nil : rtt }
    }

    /// The next `errors.count` requests of `apiKey` (0 = Produce, 1 = Fetch, 3 = Metadata, ...),
    /// on any broker, fail with these protocol error codes, in order.
    public func pushRequestErrors(apiKey: Int16, errors: [Int32]) {
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0) }
        withCluster { cluster in
            codes.withUnsafeBufferPointer {
                rd_kafka_mock_push_request_errors_array(cluster, apiKey, $0.count, $0.baseAddress)
            }
        }
    }

    /// Makes `topic` answer every request with `error` (0 clears it).
    public func setTopicError(_ topic: String, error: Int32) {
        withCluster { rd_kafka_mock_topic_set_error($0, topic, rd_kafka_resp_err_t(rawValue: error)) }
    }

    /// Destroys the cluster (closing its sockets) and its hosting handle. Idempotent; also done
    /// on deinit. Clients still connected see their brokers go away.
    public func close() {
        mutex.withLock { handles in
            guard let current = handles else { return }
            handles = nil
            rd_kafka_mock_cluster_destroy(current.cluster)
            rd_kafka_destroy(current.client)
            logger.info("embedded Kafka cluster stopped")
        }
    }

    @discardableResult
    private func withCluster<R>(_ body: (OpaquePointer) -> R) -> R? {
        mutex.withLock { handles in
            guard let handles else { return nil }
            return body(handles.cluster)
        }
    }

    private func report(_ err: rd_kafka_resp_err_t?, _ action: String) {
        guard let err, err != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        logger.warning("embedded Kafka: \(action) failed", metadata: ["error": .string(KafkaError(err).description)])
    }
}
