import KafkaBridge

/// The embedded cluster is the one whose faults the cluster view's buttons cause.
extension EmbeddedKafkaCluster: FaultableCluster {
    var brokersDown: Set<Int32> { brokerFaults.down }
    var addedRoundTripTimes: [Int32: Duration] { brokerFaults.roundTripTimes }
}
