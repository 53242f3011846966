/// The state the embedded cluster's broker faults left: which brokers are down, which answer late.
public struct BrokerFaults: Sendable, Equatable {
    public var down: Set<Int32> = []
    public var roundTripTimes: [Int32: Duration] = [:]

    public init() {}
}
