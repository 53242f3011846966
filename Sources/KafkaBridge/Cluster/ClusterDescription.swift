/// What a cluster said about itself at one moment (`ClusterInspector.describe`): brokers, the
/// partitions of some topics with leaders, replicas, in-sync replicas and watermarks, and some
/// a consumer group with its members. Plain values, no librdkafka types.
public struct ClusterDescription: Sendable, Equatable {
    public struct Broker: Sendable, Equatable {
        public var id: Int32
        public var host: String
        public var port: Int32
    }

    public struct Partition: Sendable, Equatable {
        public var id: Int32
        /// -1 when the partition has no leader.
        public var leader: Int32
        public var replicas: [Int32]
        public var inSyncReplicas: [Int32]
        /// nil when the watermark query failed or ran out of the inspection's time.
        public var lowWatermark: Int64?
        public var highWatermark: Int64?
        /// librdkafka's error name for the partition's metadata, if any.
        public var error: String?
    }

    public struct Topic: Sendable, Equatable {
        public var name: String
        public var partitions: [Partition]
        public var error: String?
    }

    public struct Member: Sendable, Equatable {
        public var memberID: String
        public var clientID: String
        public var host: String
        public var assignment: [TopicPartition]
    }

    public struct Group: Sendable, Equatable {
        public var id: String
        /// librdkafka's name of the group's state ("Stable", "PreparingRebalance", ...); nil when
        /// the cluster could not describe the group.
        public var state: String?
        /// nil when the cluster could not describe the group (librdkafka's mock cluster has no
        /// DescribeGroups API); the reason is in `describeError`.
        public var members: [Member]?
        public var describeError: String?
    }

    public var clusterID: String?
    public var controllerID: Int32?
    public var brokers: [Broker]
    public var topics: [Topic]
    public var groups: [Group]
    /// How long the inspection took, and whether it stopped a query early to keep its bound.
    public var took: Duration
    public var truncated: Bool
}
