/// What a cluster said about itself at one moment, in the gateway's terms: its brokers, the
/// partitions of the gateway's topics, and the monitor's consumer group. `ClusterViewSource` turns
/// it into the `ClusterView` users see; `ClusterInspecting` is who asks for it.
struct ClusterSnapshot: Sendable, Equatable {
    struct Broker: Sendable, Equatable {
        var id: Int32
        var host: String
        var port: Int32
    }

    struct Topic: Sendable, Equatable {
        var name: String
        /// With every replica the cluster reports in sync: the view takes out the brokers it knows are down.
        var partitions: [ClusterView.Partition]
        var error: String?
    }

    struct Member: Sendable, Equatable {
        var memberID: String
        var clientID: String
        var host: String
        /// The partitions the group gave the member, by topic.
        var assignment: [String: [Int32]]
    }

    struct Group: Sendable, Equatable {
        var id: String
        /// The group's state as the cluster names it ("Stable", "PreparingRebalance", ...).
        var state: String?
        /// nil when the cluster could not describe the group (why: `describeError`).
        var members: [Member]?
        var describeError: String?
    }

    var clusterID: String?
    var controllerID: Int32?
    var brokers: [Broker]
    var topics: [Topic]
    var groups: [Group]
    /// How long the inspection took, and whether it stopped a query early to keep its bound.
    var took: Duration
    var truncated: Bool
}

/// Who answers the cluster view's questions: `KafkaClusterInspection` (KafkaAdapter/) asks Kafka.
/// Blocking, bounded by `timeout`: called from the view's own thread.
protocol ClusterInspecting: Sendable {
    func inspect(
        topics: [String],
        watermarkTopics: [String],
        timeout: Duration
    ) -> Result<ClusterSnapshot, ClusterInspectionFailure>
}

/// Why an inspection gave no snapshot, with the Kafka client's name for it.
struct ClusterInspectionFailure: Error, Sendable, Equatable {
    var name: String
    var message: String
}
