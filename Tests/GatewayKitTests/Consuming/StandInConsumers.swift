import Synchronization

@testable import GatewayKit

/// Group consumers that read nothing by themselves: a test hands a consumer's handler the records
/// it wants the group to have read, as the consumer's thread would, and sees what was asked of it.
final class StandInConsumers: GroupConsumerFactory {
    private let made = Mutex<[(member: GroupMember, consumer: StandInConsumer)]>([])

    func consumer(
        _ member: GroupMember,
        handler: @escaping @Sendable ([ConsumedRecord]) -> Void
    ) throws -> any GroupConsumer {
        let consumer = StandInConsumer(name: member.name, handler: handler)
        made.withLock { $0.append((member, consumer)) }
        return consumer
    }

    func consumers(
        leavingTogether members: [GroupMember],
        handler: @escaping @Sendable ([ConsumedRecord]) -> Void
    ) throws -> [any GroupConsumer] {
        try members.map { try consumer($0, handler: handler) }
    }

    /// What the consumer named `name` was made for.
    func member(_ name: String) -> GroupMember? { made.withLock { $0.first { $0.member.name == name }?.member } }

    func consumer(_ name: String) -> StandInConsumer? {
        made.withLock { $0.first { $0.member.name == name }?.consumer }
    }
}

/// One stand-in group member: `deliver` runs its handler; stops succeed at once.
final class StandInConsumer: GroupConsumer {
    let name: String
    private let handler: @Sendable ([ConsumedRecord]) -> Void
    private let state = Mutex((started: false, stopped: false, stored: [Int32: Int64](), member: true))

    init(name: String, handler: @escaping @Sendable ([ConsumedRecord]) -> Void) {
        self.name = name
        self.handler = handler
    }

    func deliver(_ records: [ConsumedRecord]) { handler(records) }

    var started: Bool { state.withLock { $0.started } }
    var stopped: Bool { state.withLock { $0.stopped } }
    var storedOffsets: [Int32: Int64] { state.withLock { $0.stored } }

    func start() { state.withLock { $0.started = true } }
    func requestStop(closeBy deadline: ContinuousClock.Instant) { state.withLock { $0.stopped = true } }
    func awaitStop(until deadline: ContinuousClock.Instant) -> Bool { stopped }
    func storeOffsets(_ offsets: [Int32: Int64]) { state.withLock { $0.stored.merge(offsets) { $1 } } }
    func setPaused(_ paused: Bool) {}
    func lag() -> [ConsumerLag] { [] }
    var assignedPartitions: [Int32] { [] }
    var hasJoinedGroup: Bool { true }
    var partitionMoves: (assigned: Int, revoked: Int) { (0, 0) }
    var consumedCount: Int { 0 }
    func setGroupMembership(_ member: Bool) { state.withLock { $0.member = member } }
    var isGroupMember: Bool { state.withLock { $0.member } }
}
