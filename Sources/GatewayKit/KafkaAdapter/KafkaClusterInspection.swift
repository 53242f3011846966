import KafkaBridge

/// The cluster view's questions asked of Kafka through KafkaBridge's `ClusterInspector`, and its
/// answer translated into the gateway's `ClusterSnapshot`.
extension ClusterInspector: ClusterInspecting {
    func inspect(
        topics: [String],
        watermarkTopics: [String],
        timeout: Duration
    ) -> Result<ClusterSnapshot, ClusterInspectionFailure> {
        describe(topics: topics, watermarkTopics: Set(watermarkTopics), timeout: timeout)
            .map(ClusterSnapshot.init)
            .mapError { ClusterInspectionFailure(name: $0.name, message: $0.message) }
    }
}

extension ClusterSnapshot {
    init(_ description: ClusterDescription) {
        self.init(
            clusterID: description.clusterID,
            controllerID: description.controllerID,
            brokers: description.brokers.map { Broker(id: $0.id, host: $0.host, port: $0.port) },
            topics: description.topics.map { topic in
                Topic(
                    name: topic.name,
                    partitions: topic.partitions.map(ClusterView.Partition.init),
                    error: topic.error
                )
            },
            groups: description.groups.map { group in
                Group(
                    id: group.id,
                    state: group.state,
                    members: group.members?.map(Member.init),
                    describeError: group.describeError
                )
            },
            took: description.took,
            truncated: description.truncated
        )
    }
}

extension ClusterSnapshot.Member {
    init(_ member: ClusterDescription.Member) {
        self.init(
            memberID: member.memberID,
            clientID: member.clientID,
            host: member.host,
            assignment: Dictionary(grouping: member.assignment, by: \.topic).mapValues { $0.map(\.partition) }
        )
    }
}

extension ClusterView.Partition {
    init(_ partition: ClusterDescription.Partition) {
        self.init(
            partition: partition.id,
            leader: partition.leader,
            replicas: partition.replicas,
            inSyncReplicas: partition.inSyncReplicas,
            lowWatermark: partition.lowWatermark,
            highWatermark: partition.highWatermark,
            error: partition.error
        )
    }
}
