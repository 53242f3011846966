import Foundation
import Logging
import Testing

@testable import GatewayKit

/// A partition's state through the gateway's changelog seam, with no Kafka: the owner's last flush
/// on revocation commits the offset it covers, and the next owner, with an empty state directory,
/// restores the same state from the changelog and starts right after it.
@Suite struct PartitionStateKeeperTests {
    private let logger = Logger(label: "test")

    @Test func revokedPartition_isFlushedAndCommitted_thenRestoredByTheNextOwner() throws {
        let roots = (0..<2).map { _ in NSTemporaryDirectory() + "keeper-\(UUID().uuidString)" }
        defer { for root in roots { try? FileManager.default.removeItem(atPath: root) } }
        let changelog = try StateChangelog(
            log: InMemoryChangelog(),
            follower: ChangelogFollower(configuration: MonitorConfiguration(), logger: logger),
            inputTopic: "transactions",
            logger: logger
        )
        let first = Fixture.monitor(rules: [.highAmount])
        let (owner, consumer) = keeper(first, changelog, stateIn: roots[0])
        #expect(owner.partitionsAssigned([2]).isEmpty, "no state anywhere: the committed offset decides")
        let now = Date().timeIntervalSince(Fixture.start)
        _ = first.record(
            batch: (0..<5).map { (Fixture.tx("tx-\($0)", account: "acc-\($0)", at: now), 2, Int64($0)) }
        )
        owner.partitionsRevoked([2], lost: false)
        #expect(consumer.storedOffsets == [2: 5])
        #expect(first.liveStatistics()[2] == nil, "given up")

        let second = Fixture.monitor(rules: [.highAmount])
        let (next, _) = keeper(second, changelog, stateIn: roots[1])
        #expect(next.partitionsAssigned([2]) == [2: 5])
        let restored = try #require(second.liveStatistics()[2])
        #expect(restored.coveredOffset == 4)
        #expect(restored.statistics.total.count == 5)
        #expect(changelog.counts.restores == 1)
    }

    /// A keeper with its stores under `root`, attached to a stand-in consumer.
    private func keeper(
        _ monitor: Monitor,
        _ changelog: StateChangelog,
        stateIn root: String
    ) -> (PartitionStateKeeper, StandInConsumer) {
        let keeper = PartitionStateKeeper(
            monitor: monitor,
            changelog: changelog,
            directory: StateDirectory(root: root),
            interval: .seconds(60),
            restoring: RestoreProgress(),
            isStopping: { false },
            logger: logger
        )
        let consumer = StandInConsumer(name: "monitor-0") { _ in }
        keeper.attach(consumer)
        return (keeper, consumer)
    }
}
