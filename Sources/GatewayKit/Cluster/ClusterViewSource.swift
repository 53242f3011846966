import CoreSupport
import Dispatch
import Foundation
import Logging
import Synchronization

/// Builds the `ClusterView` on a thread of its own and keeps the newest for `maxAge`, so that
/// `GET /cluster` and the dashboard's event stream cost one inspection of the cluster per second
/// at most, whoever asks, and no event loop ever waits on Kafka. Inspections run only while someone
/// asked recently; each is bounded by `inspectionTimeout`.
final class ClusterViewSource: Sendable {
    struct Parts: Sendable {
        var inspector: (any ClusterInspecting)?
        var embedded: (any FaultableCluster)?
        var monitor: MonitorService?
        /// The Kafka producers behind ingest, and the records they hold.
        var producerCount: @Sendable () -> Int
        var queueDepth: @Sendable () -> Int
        var clients: ClientTally
        var faults: FaultLog
        var bootstrapServers: String
        var topic: String
        var alertsTopic: String
        var stateTopic: String
        var groupID: String
    }

    static let maxAge: Duration = .seconds(1)
    static let inspectionTimeout: Duration = .milliseconds(1_500)
    /// How long after the last request the view keeps being refreshed without being asked again.
    static let interest: Duration = .seconds(5)

    private struct State {
        var view: ClusterView?
        var bytes: [UInt8]?
        var builtAt: ContinuousClock.Instant?
        var waiting: [@Sendable ([UInt8]?) -> Void] = []
        var wantedAt: ContinuousClock.Instant?
        var stopped = false
        /// Brokers seen in any inspection: a broker missing from the metadata later is down.
        var seenBrokers: [Int32: ClusterSnapshot.Broker] = [:]
    }

    private let parts: Parts
    private let logger: Logger
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let thread = Mutex<JoinableThread?>(nil)
    private let hostName = ProcessInfo.processInfo.hostName

    init(parts: Parts, logger: Logger) {
        self.parts = parts
        self.logger = logger
    }

    var embedded: (any FaultableCluster)? { parts.embedded }
    var faultLog: FaultLog { parts.faults }

    func start() throws {
        let thread = try JoinableThread(name: "cluster-view") { [self] in run() }
        self.thread.withLock { $0 = thread }
    }

    func stop() {
        let waiting = state.withLock { state in
            state.stopped = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for completion in waiting { completion(nil) }
        wake.signal()
        thread.withLock { thread in
            defer { thread = nil }
            return thread
        }?.join()
    }

    /// The view's JSON, at most `maxAge` old: at once from the cache, or after the next inspection
    /// (from the source's thread). nil once stopped or when the view cannot be encoded.
    func view(_ completion: @escaping @Sendable ([UInt8]?) -> Void) {
        let now = ContinuousClock.now
        let cached: [UInt8]?? = state.withLock { state in
            state.wantedAt = now
            if let builtAt = state.builtAt, now - builtAt < Self.maxAge, let bytes = state.bytes { return bytes }
            if state.stopped { return .some(nil) }
            state.waiting.append(completion)
            return nil
        }
        if let cached { completion(cached) } else { wake.signal() }
    }

    /// The newest view's JSON without waiting (the event stream's, once a second); asking keeps
    /// the view refreshed.
    func latestBytes() -> [UInt8]? {
        state.withLock { state in
            state.wantedAt = .now
            return state.bytes
        }
    }

    /// Blocking (off event loops): a fresh inspection now, for faults that need the current leaders.
    func refreshNow() -> ClusterView {
        let view = build()
        store(view)
        return view
    }

    /// After a fault: the next reader gets a new inspection, and viewers get it within a second.
    func invalidate() {
        state.withLock { $0.builtAt = nil }
        wake.signal()
    }

    private func run() {
        while true {
            _ = wake.wait(timeout: .now() + .milliseconds(Int(Self.maxAge.clampedNanoseconds / 1_000_000)))
            let now = ContinuousClock.now
            let (stopped, due) = state.withLock { state -> (Bool, Bool) in
                let wanted = !state.waiting.isEmpty || state.wantedAt.map { now - $0 < Self.interest } == true
                let stale = state.builtAt.map { now - $0 >= Self.maxAge } ?? true
                return (state.stopped, wanted && stale)
            }
            if stopped { return }
            if due { store(build()) }
        }
    }

    private func store(_ view: ClusterView) {
        let bytes = StableJSON.bytes(view)
        let waiting = state.withLock { state in
            state.view = view
            state.bytes = bytes
            state.builtAt = .now
            defer { state.waiting = [] }
            return state.waiting
        }
        for completion in waiting { completion(bytes) }
    }

    // MARK: - Building

    private func build() -> ClusterView {
        let topics = [parts.topic, parts.alertsTopic, parts.stateTopic]
        let result = parts.inspector?.inspect(
            topics: topics,
            watermarkTopics: [parts.topic, parts.stateTopic],
            timeout: Self.inspectionTimeout
        )
        let description: ClusterSnapshot?
        var inspection = ClusterView.Inspection(tookMilliseconds: 0, truncated: false, error: nil)
        switch result {
        case nil:
            description = nil
            inspection.error = "the cluster inspector could not be created (see the log at start-up)"
        case .success(let found):
            description = found
            inspection.tookMilliseconds = Int(found.took.clampedNanoseconds / 1_000_000)
            inspection.truncated = found.truncated
        case .failure(let error):
            description = nil
            inspection.error = "\(error.name): \(error.message)"
        }
        let roundTripTimes = parts.embedded?.addedRoundTripTimes ?? [:]
        let seen = state.withLock { state in
            for broker in description?.brokers ?? [] { state.seenBrokers[broker.id] = broker }
            return state.seenBrokers
        }
        let listed = Set(description?.brokers.map(\.id) ?? [])
        let down = (parts.embedded?.brokersDown ?? []).union(
            description == nil ? [] : Set<Int32>(seen.keys).subtracting(listed)
        )
        let viewTopics = (description?.topics ?? []).map { topic in
            ClusterView.Topic(
                name: topic.name,
                role: topic.name == parts.topic ? "transactions" : topic.name == parts.stateTopic ? "state" : "alerts",
                partitions: topic.partitions.map { partition in
                    var partition = partition
                    // The mock reports every replica in sync; a broker that is down is not.
                    partition.inSyncReplicas.removeAll { down.contains($0) }
                    return partition
                },
                error: topic.error
            )
        }
        let brokers = seen.values.sorted { $0.id < $1.id }.map { broker in
            var leads: [String] = []
            var follows: [String] = []
            for topic in viewTopics {
                for partition in topic.partitions {
                    if partition.leader == broker.id {
                        leads.append("\(topic.name)/\(partition.partition)")
                    } else if partition.replicas.contains(broker.id) {
                        follows.append("\(topic.name)/\(partition.partition)")
                    }
                }
            }
            return ClusterView.Broker(
                id: broker.id,
                host: broker.host,
                port: broker.port,
                up: !down.contains(broker.id),
                controller: description?.controllerID == broker.id,
                addedRoundTripMilliseconds: roundTripTimes[broker.id].map {
                    Int($0.clampedNanoseconds / 1_000_000)
                },
                leads: leads,
                follows: follows
            )
        }
        var localLag: [Int32: Int64] = [:]
        let consumers = (parts.monitor?.consumers ?? []).map { worker in
            let lag = worker.lag().filter { $0.topic == parts.topic }
            for partition in lag { localLag[partition.partition] = partition.lag }
            return ClusterView.Consumer(
                name: worker.name,
                member: worker.isGroupMember,
                partitions: worker.assignedPartitions,
                lag: lag.reduce(0) { $0 + $1.lag },
                consumed: worker.consumedCount
            )
        }
        let groups = (description?.groups ?? []).map {
            group($0, topics: viewTopics, consumers: consumers, localLag: localLag)
        }
        return ClusterView(
            generatedAt: RFC3339.format(Date()),
            bootstrapServers: parts.bootstrapServers,
            clusterID: description?.clusterID,
            embedded: parts.embedded != nil,
            brokers: brokers,
            topics: viewTopics,
            groups: groups,
            consumers: consumers,
            producers: ClusterView.Producers(
                clients: parts.clients.clients(),
                kafkaProducers: parts.producerCount(),
                queueDepth: parts.queueDepth()
            ),
            faults: parts.faults.all,
            inspection: inspection
        )
    }

    private func group(
        _ group: ClusterSnapshot.Group,
        topics: [ClusterView.Topic],
        consumers: [ClusterView.Consumer],
        localLag: [Int32: Int64]
    ) -> ClusterView.Group {
        let members: [ClusterView.Member]
        let source: String
        if let described = group.members {
            source = "cluster"
            members = described.map { member in
                var partitions = (member.assignment[parts.topic] ?? []).sorted()
                var clientID = member.clientID
                // librdkafka names a member "<client.id>-<uuid>". Some brokers (Tansu) describe a
                // member without its client id or assignment: this instance's own consumers fill
                // them in from what they were given.
                let mine = consumers.first {
                    $0.name == member.clientID || (member.clientID.isEmpty && member.memberID.hasPrefix($0.name + "-"))
                }
                if let mine, clientID.isEmpty || member.assignment.isEmpty {
                    clientID = mine.name
                    if partitions.isEmpty { partitions = mine.partitions }
                }
                return ClusterView.Member(
                    clientID: clientID,
                    host: member.host.isEmpty ? (mine != nil ? hostName : "") : member.host,
                    memberID: member.memberID,
                    partitions: partitions,
                    local: mine.map { $0.partitions == partitions } ?? false
                )
            }
        } else {
            source = "instance"
            members = consumers.filter(\.member).map {
                ClusterView.Member(
                    clientID: $0.name,
                    host: hostName,
                    memberID: nil,
                    partitions: $0.partitions,
                    local: true
                )
            }
        }
        let input = topics.first { $0.name == parts.topic }
        var total: Int64? = 0
        let partitions = (input?.partitions ?? []).map { partition in
            let lag = localLag[partition.partition]
            total = lag.flatMap { lag in total.map { $0 + lag } }
            return ClusterView.GroupPartition(
                partition: partition.partition,
                highWatermark: partition.highWatermark,
                lag: lag,
                owner: members.first { $0.partitions.contains(partition.partition) }?.clientID
            )
        }
        return ClusterView.Group(
            groupID: group.id,
            topic: parts.topic,
            state: group.state,
            members: members,
            membersSource: source,
            describeError: group.describeError,
            partitions: partitions,
            totalLag: partitions.isEmpty ? nil : total
        )
    }
}
