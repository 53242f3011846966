/// The faults a student can cause on the embedded cluster and watch: a broker stopped and started,
/// a partition's leader moved, round-trip time added, one of this instance's monitor consumers out
/// of its group and back. Each is logged and listed (`FaultLog`).
///
/// Stopping a broker also does what Kafka's controller would: librdkafka's mock keeps a stopped
/// broker as leader of its partitions and as coordinator of its groups, so each partition it led
/// gets a new leader among its in-sync replicas that are up, and the gateway's consumer group a
/// coordinator that is up. Starting it again leaves the leaders where they are (Kafka moves them
/// back later, with its preferred-leader election).
///
/// Blocking (an inspection of the cluster first): call it off event loops.
final class ClusterFaults: Sendable {
    private let cluster: any FaultableCluster
    private let source: ClusterViewSource
    private let log: FaultLog
    private let monitor: MonitorService?
    private let groupIDs: [String]

    init(
        cluster: any FaultableCluster,
        source: ClusterViewSource,
        log: FaultLog,
        monitor: MonitorService?,
        groupIDs: [String]
    ) {
        self.cluster = cluster
        self.source = source
        self.log = log
        self.monitor = monitor
        self.groupIDs = groupIDs
    }

    static let maxRoundTripMilliseconds = 10_000

    func stopBroker(_ id: Int32) -> Result<FaultRecord, Problem> {
        let before = source.refreshNow()
        cluster.setBrokerDown(id)
        let down = cluster.brokersDown
        var moved: [String] = []
        var leaderless: [String] = []
        for topic in before.topics {
            for partition in topic.partitions where partition.leader == id {
                let name = "\(topic.name)/\(partition.partition)"
                let candidates = partition.inSyncReplicas + partition.replicas
                if let next = candidates.first(where: { $0 != id && !down.contains($0) }) {
                    cluster.setPartitionLeader(topic: topic.name, partition: partition.partition, broker: next)
                    moved.append("\(name) -> \(next)")
                } else {
                    leaderless.append(name)
                }
            }
        }
        var detail = "broker \(id) stopped"
        detail += moved.isEmpty ? "; it led no partition" : "; new leaders: " + moved.joined(separator: ", ")
        if !leaderless.isEmpty { detail += "; no replica up to lead " + leaderless.joined(separator: ", ") }
        if let coordinator = (1...Int32(cluster.brokerCount)).first(where: { !down.contains($0) }) {
            for group in groupIDs { cluster.setGroupCoordinator(group, broker: coordinator) }
            detail += "; group coordinator: broker \(coordinator)"
        }
        return .success(done("broker_stop", "broker \(id)", detail))
    }

    func startBroker(_ id: Int32) -> Result<FaultRecord, Problem> {
        cluster.setBrokerUp(id)
        return .success(
            done(
                "broker_start",
                "broker \(id)",
                "broker \(id) started; it catches up as a follower, the leaders stay where they are"
            )
        )
    }

    func setRoundTripTime(_ id: Int32, milliseconds: Int) -> Result<FaultRecord, Problem> {
        guard (0...Self.maxRoundTripMilliseconds).contains(milliseconds) else {
            return .failure(
                Problem(
                    status: .unprocessableContent,
                    title: "Invalid round-trip time",
                    detail: "milliseconds must be between 0 and \(Self.maxRoundTripMilliseconds)",
                    errors: [FieldError(field: "milliseconds", message: "must be 0...\(Self.maxRoundTripMilliseconds)")]
                )
            )
        }
        cluster.setBrokerRoundTripTime(id, .milliseconds(milliseconds))
        return .success(
            done("broker_rtt", "broker \(id)", "broker \(id) answers every request \(milliseconds) ms later")
        )
    }

    func setLeader(topic: String, partition: Int32, broker: Int32) -> Result<FaultRecord, Problem> {
        guard (1...Int32(cluster.brokerCount)).contains(broker) else {
            return .failure(
                Problem(
                    status: .unprocessableContent,
                    title: "Unknown broker",
                    detail: "the embedded cluster's brokers are 1 to \(cluster.brokerCount)",
                    errors: [FieldError(field: "broker", message: "no such broker")]
                )
            )
        }
        guard !cluster.brokersDown.contains(broker) else {
            return .failure(
                Problem(
                    status: .conflict,
                    title: "Broker is down",
                    detail: "broker \(broker) is stopped; start it first"
                )
            )
        }
        cluster.setPartitionLeader(topic: topic, partition: partition, broker: broker)
        return .success(
            done("partition_leader", "\(topic)/\(partition)", "broker \(broker) leads \(topic)/\(partition) now")
        )
    }

    func setConsumer(_ name: String, member: Bool) -> Result<FaultRecord, Problem> {
        guard let worker = monitor?.consumers.first(where: { $0.name == name }) else {
            return .failure(
                Problem(status: .notFound, title: "Not Found", detail: "this instance has no consumer \(name)")
            )
        }
        worker.setGroupMembership(member)
        let detail =
            member
            ? "\(name) joins its group again; the group rebalances and gives it partitions"
            : "\(name) leaves its group; the group rebalances and the others take its partitions"
        return .success(done(member ? "consumer_start" : "consumer_stop", name, detail))
    }

    private func done(_ action: String, _ target: String, _ detail: String) -> FaultRecord {
        let record = log.add(action: action, target: target, detail: detail)
        source.invalidate()
        return record
    }
}

/// A fault's outcome is a `Result`: its record, or the problem that refused it.
extension Problem: Error {}
