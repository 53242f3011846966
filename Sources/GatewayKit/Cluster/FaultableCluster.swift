/// What the fault buttons need of a cluster that lets itself be broken on purpose: the embedded
/// one (`EmbeddedKafkaCluster`, conforming in KafkaAdapter/). A real cluster is not one.
protocol FaultableCluster: AnyObject, Sendable {
    /// Brokers are numbered 1 to `brokerCount`.
    var brokerCount: Int { get }
    var brokersDown: Set<Int32> { get }
    /// The round-trip time added to each broker's answers, where one was.
    var addedRoundTripTimes: [Int32: Duration] { get }

    func setBrokerDown(_ id: Int32)
    func setBrokerUp(_ id: Int32)
    func setPartitionLeader(topic: String, partition: Int32, broker: Int32)
    func setGroupCoordinator(_ group: String, broker: Int32)
    func setBrokerRoundTripTime(_ id: Int32, _ rtt: Duration)
}
