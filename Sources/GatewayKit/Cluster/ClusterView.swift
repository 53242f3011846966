/// `GET /cluster` and the dashboard's `cluster` event: the cluster as this gateway sees it, with no
/// Kafka client type in it. Built by `ClusterViewSource` from an inspection of the cluster, this
/// instance's consumers and producers, and the faults caused through the API.
struct ClusterView: Encodable, Sendable, Equatable {
    struct Broker: Encodable, Sendable, Equatable {
        var id: Int32
        var host: String
        var port: Int32
        /// false: stopped through the API (embedded cluster), or listed before and missing now.
        var up: Bool
        var controller: Bool
        /// The round-trip time added through the API (embedded cluster), if any.
        var addedRoundTripMilliseconds: Int?
        /// "topic/partition" of each partition this broker leads, and of each it follows.
        var leads: [String]
        var follows: [String]

        enum CodingKeys: String, CodingKey {
            case id, host, port, up, controller, leads, follows
            case addedRoundTripMilliseconds = "added_rtt_ms"
        }
    }

    struct Partition: Encodable, Sendable, Equatable {
        var partition: Int32
        /// -1: no leader.
        var leader: Int32
        var replicas: [Int32]
        var inSyncReplicas: [Int32]
        var lowWatermark: Int64?
        var highWatermark: Int64?
        var error: String?

        enum CodingKeys: String, CodingKey {
            case partition, leader, replicas, error
            case inSyncReplicas = "in_sync_replicas"
            case lowWatermark = "low_watermark"
            case highWatermark = "high_watermark"
        }
    }

    struct Topic: Encodable, Sendable, Equatable {
        var name: String
        /// "transactions", "alerts" or "state": what the gateway uses the topic for.
        var role: String
        var partitions: [Partition]
        var error: String?
    }

    struct Member: Encodable, Sendable, Equatable {
        var clientID: String
        var host: String
        var memberID: String?
        var partitions: [Int32]
        /// Whether the member is one of this instance's consumers.
        var local: Bool

        enum CodingKeys: String, CodingKey {
            case host, partitions, local
            case clientID = "client_id"
            case memberID = "member_id"
        }
    }

    struct GroupPartition: Encodable, Sendable, Equatable {
        var partition: Int32
        var highWatermark: Int64?
        /// Records between the owner's position and the partition's end, when the owner is one of
        /// this instance's consumers (nil for another instance's partitions).
        var lag: Int64?
        var owner: String?

        enum CodingKeys: String, CodingKey {
            case partition, lag, owner
            case highWatermark = "high_watermark"
        }
    }

    struct Group: Encodable, Sendable, Equatable {
        var groupID: String
        var topic: String
        var state: String?
        var members: [Member]
        /// "cluster" (DescribeGroups), or "instance" when the cluster cannot describe groups
        /// (librdkafka's mock) and the members are this instance's own consumers.
        var membersSource: String
        var describeError: String?
        var partitions: [GroupPartition]
        var totalLag: Int64?

        enum CodingKeys: String, CodingKey {
            case topic, state, members, partitions
            case groupID = "group_id"
            case membersSource = "members_source"
            case describeError = "describe_error"
            case totalLag = "total_lag"
        }
    }

    struct Consumer: Encodable, Sendable, Equatable {
        var name: String
        /// false after `POST /cluster/consumers/{name}/stop`, until `.../start`.
        var member: Bool
        var partitions: [Int32]
        /// Records between the consumer's position and each partition's end, summed.
        var lag: Int64
        var consumed: Int
    }

    struct Producers: Encodable, Sendable, Equatable {
        /// The HTTP clients posting transactions, by their `X-Client-Name`.
        var clients: [ClientTally.Client]
        /// This instance's Kafka producers and the records waiting in them.
        var kafkaProducers: Int
        var queueDepth: Int

        enum CodingKeys: String, CodingKey {
            case clients
            case kafkaProducers = "kafka_producers"
            case queueDepth = "queue_depth"
        }
    }

    struct Inspection: Encodable, Sendable, Equatable {
        var tookMilliseconds: Int
        var truncated: Bool
        var error: String?

        enum CodingKeys: String, CodingKey {
            case truncated, error
            case tookMilliseconds = "took_ms"
        }
    }

    var generatedAt: String
    var bootstrapServers: String
    var clusterID: String?
    /// true: the embedded cluster, whose faults `POST /cluster/...` can cause.
    var embedded: Bool
    var brokers: [Broker]
    var topics: [Topic]
    var groups: [Group]
    var consumers: [Consumer]
    var producers: Producers
    var faults: [FaultRecord]
    var inspection: Inspection

    enum CodingKeys: String, CodingKey {
        case embedded, brokers, topics, groups, consumers, producers, faults, inspection
        case generatedAt = "generated_at"
        case bootstrapServers = "bootstrap_servers"
        case clusterID = "cluster_id"
    }
}
