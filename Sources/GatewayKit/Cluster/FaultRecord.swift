/// One fault caused through `POST /cluster/...`, as the cluster view lists it.
struct FaultRecord: Encodable, Sendable, Equatable {
    /// RFC 3339, UTC.
    var at: String
    /// "broker_stop", "broker_start", "broker_rtt", "partition_leader", "consumer_stop", "consumer_start".
    var action: String
    /// "broker 2", "transactions/3", "monitor-1".
    var target: String
    /// What the gateway did, in English (leaders moved, the coordinator moved, ...).
    var detail: String
}
