import Logging
import Synchronization

/// What librdkafka's C callbacks need to reach Swift: the logger and, for consumers, the group
/// state and the bounded committer. Its address is the conf `opaque` of one rd_kafka_t; the owner of that handle keeps the
/// context alive until after `rd_kafka_destroy` returned, so the callbacks never see it freed.
final class ClientContext: Sendable {
    let name: String
    let logger: Logger
    /// Set for consumers: the rebalance callback records assignments here.
    let consumerState: ConsumerGroupState?
    /// Set for consumers: the revocation commit waits for the coordinator through it, bounded.
    let committer: OffsetCommitter?
    /// librdkafka log facilities logged at debug level whatever their level, for messages that
    /// are expected for this handle and would only mislead an operator.
    let debugFacilities: Set<String>
    /// Set for consumers whose application keeps state per partition (see the protocol).
    let partitionListener: (any ConsumerPartitionListener)?
    /// Set for producers: the delivery-report callback records each outcome here.
    let deliveryHealth: DeliveryHealth?
    /// Set for pooled producers: called (from librdkafka's poll thread, so it must not block) when
    /// the handle cannot recover (a fatal error, a producer-id loop), with the reason; the pool
    /// replaces the producer.
    let onUnrecoverable: (@Sendable (Unrecoverable) -> Void)?
    /// Set for consumers once their poll loop exists: run by the rebalance callback first, so that
    /// records the loop gathered are handled before the assignment changes.
    let beforeRebalance = Mutex<(@Sendable () -> Void)?>(nil)

    init(
        name: String,
        logger: Logger,
        consumerState: ConsumerGroupState? = nil,
        committer: OffsetCommitter? = nil,
        partitionListener: (any ConsumerPartitionListener)? = nil,
        debugFacilities: Set<String> = [],
        deliveryHealth: DeliveryHealth? = nil,
        onUnrecoverable: (@Sendable (Unrecoverable) -> Void)? = nil
    ) {
        self.name = name
        var logger = logger
        logger[metadataKey: "client"] = .string(name)
        self.logger = logger
        self.consumerState = consumerState
        self.committer = committer
        self.partitionListener = partitionListener
        self.debugFacilities = debugFacilities
        self.deliveryHealth = deliveryHealth
        self.onUnrecoverable = onUnrecoverable
    }

    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> ClientContext? {
        guard let opaque else { return nil }
        return Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
    }
}
