import CoreSupport
import Glibc
import Synchronization

/// Lets the consumers of one application that stop together leave their group only after every one
/// of them has committed.
///
/// Closing consumers one after another, or side by side without it, the first LeaveGroup starts a
/// rebalance while the others are still committing what they applied: the coordinator then refuses
/// their commits (REBALANCE_IN_PROGRESS on librdkafka's mock cluster; with eager rebalancing a
/// consumer even rejoined, and its commit waited behind the JoinGroup, which the mock holds for the
/// session timeout), so the next owner reads those records again and the stop waited out the commit
/// bound. With the barrier each consumer, in its last revocation (inside `rd_kafka_consumer_close`),
/// commits and then waits (bounded) until all have arrived; a consumer with nothing assigned arrives
/// as its close begins. Only then do they send LeaveGroup.
public final class ConsumerCloseBarrier: Sendable {
    private let parties: Int
    private let arrived = Atomic<Int>(0)

    /// `parties`: how many consumers share it (each arrives once).
    public init(parties: Int) {
        self.parties = parties
    }

    func arrive() {
        arrived.add(1, ordering: .releasing)
    }

    /// Waits until every party arrived or `deadline` (MonotonicClock nanoseconds) passed; returns
    /// whether all arrived. The wait is short (the others' commits), so it polls.
    @discardableResult
    func wait(until deadline: UInt64) -> Bool {
        while arrived.load(ordering: .acquiring) < parties {
            if MonotonicClock.now() >= deadline { return false }
            usleep(2_000)
        }
        return true
    }
}
