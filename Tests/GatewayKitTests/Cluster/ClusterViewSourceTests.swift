import Logging
import Synchronization
import Testing

@testable import GatewayKit

/// The cluster view built from what a cluster says (`ClusterInspecting`) and what the fault buttons
/// did (`FaultableCluster`), through the gateway's own seam: stand-ins for both, no Kafka.
@Suite struct ClusterViewSourceTests {
    /// Three brokers, broker 1 leading partition 0 and broker 2 partition 1, replicas on all three.
    struct ThreeBrokers: ClusterInspecting {
        var listed: [Int32] = [1, 2, 3]

        func inspect(
            topics: [String],
            watermarkTopics: [String],
            timeout: Duration
        ) -> Result<ClusterSnapshot, ClusterInspectionFailure> {
            let partitions = [Int32(0), 1].map {
                ClusterView.Partition(
                    partition: $0,
                    leader: $0 + 1,
                    replicas: [1, 2, 3],
                    inSyncReplicas: [1, 2, 3],
                    lowWatermark: 0,
                    highWatermark: 10,
                    error: nil
                )
            }
            let member = ClusterSnapshot.Member(
                memberID: "monitor-0-1234",
                clientID: "monitor-0",
                host: "/127.0.0.1",
                assignment: ["transactions": [1, 0], "other": [5]]
            )
            return .success(
                ClusterSnapshot(
                    clusterID: "test-cluster",
                    controllerID: 1,
                    brokers: listed.map { .init(id: $0, host: "127.0.0.1", port: 9000 + $0) },
                    topics: [.init(name: "transactions", partitions: partitions, error: nil)],
                    groups: [.init(id: "gateway-monitor", state: "Stable", members: [member], describeError: nil)],
                    took: .milliseconds(3),
                    truncated: false
                )
            )
        }
    }

    struct Unreachable: ClusterInspecting {
        func inspect(
            topics: [String],
            watermarkTopics: [String],
            timeout: Duration
        ) -> Result<ClusterSnapshot, ClusterInspectionFailure> {
            .failure(ClusterInspectionFailure(name: "_TRANSPORT", message: "no broker answered"))
        }
    }

    final class Breakable: FaultableCluster {
        let brokerCount = 3
        private let state = Mutex((down: Set<Int32>(), rtt: [Int32: Duration](), leaders: [String]()))
        var brokersDown: Set<Int32> { state.withLock { $0.down } }
        var addedRoundTripTimes: [Int32: Duration] { state.withLock { $0.rtt } }
        var leaderMoves: [String] { state.withLock { $0.leaders } }
        func setBrokerDown(_ id: Int32) { state.withLock { _ = $0.down.insert(id) } }
        func setBrokerUp(_ id: Int32) { state.withLock { _ = $0.down.remove(id) } }
        func setPartitionLeader(topic: String, partition: Int32, broker: Int32) {
            state.withLock { $0.leaders.append("\(topic)/\(partition) -> \(broker)") }
        }
        func setGroupCoordinator(_ group: String, broker: Int32) {}
        func setBrokerRoundTripTime(_ id: Int32, _ rtt: Duration) { state.withLock { $0.rtt[id] = rtt } }
    }

    static func source(_ inspector: any ClusterInspecting, _ cluster: Breakable? = nil) -> ClusterViewSource {
        let logger = Logger(label: "test")
        return ClusterViewSource(
            parts: .init(
                inspector: inspector,
                embedded: cluster,
                monitor: nil,
                producerCount: { 2 },
                queueDepth: { 7 },
                clients: ClientTally(),
                faults: FaultLog(logger: logger),
                bootstrapServers: "127.0.0.1:9001",
                topic: "transactions",
                alertsTopic: "alerts",
                stateTopic: "state",
                groupID: "gateway-monitor"
            ),
            logger: logger
        )
    }

    @Test func snapshot_becomesTheView_withLeadersFollowersAndTheGroupsOwners() {
        let view = Self.source(ThreeBrokers()).refreshNow()
        #expect(view.clusterID == "test-cluster")
        #expect(view.brokers.map(\.id) == [1, 2, 3])
        #expect(view.brokers.map(\.up) == [true, true, true])
        #expect(view.brokers[0].controller && !view.brokers[1].controller)
        #expect(view.brokers[0].leads == ["transactions/0"] && view.brokers[0].follows == ["transactions/1"])
        #expect(view.topics.map(\.role) == ["transactions"])
        let group = view.groups[0]
        #expect(group.members.map(\.partitions) == [[0, 1]])
        #expect(group.partitions.map(\.owner) == ["monitor-0", "monitor-0"])
        #expect(view.producers.kafkaProducers == 2 && view.producers.queueDepth == 7)
        #expect(view.inspection.error == nil)
    }

    @Test func brokerDown_isNotUp_norInSync_andAFaultMovesItsLeadership() {
        let cluster = Breakable()
        let source = Self.source(ThreeBrokers(), cluster)
        let faults = ClusterFaults(
            cluster: cluster,
            source: source,
            log: source.faultLog,
            monitor: nil,
            groupIDs: ["gateway-monitor"]
        )
        let record = try? faults.stopBroker(2).get()
        #expect(record?.action == "broker_stop")
        #expect(cluster.leaderMoves == ["transactions/1 -> 1"])
        let view = source.refreshNow()
        #expect(view.brokers.first { $0.id == 2 }?.up == false)
        #expect(view.topics[0].partitions.map(\.inSyncReplicas) == [[1, 3], [1, 3]])
        #expect(view.faults.map(\.action) == ["broker_stop"])
    }

    @Test func failedInspection_isSaidInTheView() {
        let view = Self.source(Unreachable()).refreshNow()
        #expect(view.brokers.isEmpty && view.topics.isEmpty)
        #expect(view.inspection.error == "_TRANSPORT: no broker answered")
    }
}
