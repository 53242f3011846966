import Foundation
import Testing

/// Cooperative rebalancing (`cooperative-sticky`, incremental assign): when a second instance
/// joins, the first gives up only the partitions that move; those that stay are neither revoked nor
/// restored, and are owned throughout. Default group settings: the gateway detects the mock cluster
/// of `gateway kafka` and shortens the session timeout itself.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct CooperativeRebalanceEndToEndTests {
    static func metrics(_ gateway: GatewayProcess) async throws -> String {
        try await HTTPClient.send("GET", "\(gateway.baseURL)/metrics").text
    }

    @Test func secondInstanceJoining_movesOnlyItsPartitions_theStayingOnesAreNotRevokedNorRestored() async throws {
        let cluster = try GatewayProcess.startCluster()
        defer { cluster.stop() }
        let arguments =
            ScaleOutEndToEndTests.windows + [
                "--bootstrap-servers", cluster.bootstrapServers, "--consumers", "2", "--checkpoint-interval-ms", "300",
            ]
        let first = try GatewayProcess.start(arguments)
        defer { first.stop() }
        try await MonitoringEndToEndTests.waitForPartitions([first], 6)
        // State on every partition, checkpointed, so that a partition that moves is restored.
        let amounts = Array(repeating: 5, count: 60)
        try await ScaleOutEndToEndTests.post(
            first,
            (0..<60).map { ScaleOutEndToEndTests.tx("co-\($0)", account: "acc-co-\($0)", amount: 5) }
        )
        try await ScaleOutEndToEndTests.waitForTotals([first], ScaleOutEndToEndTests.expected(amounts))
        try await Task.sleep(for: .seconds(1))
        let before = try await Self.metrics(first)
        #expect(MetricsText.value(before, "gateway_consumer_partitions_assigned_total") == 6)
        #expect(MetricsText.value(before, "gateway_consumer_partitions_revoked_total") == 0)
        #expect(MetricsText.value(before, "gateway_monitor_state_restores_total") == 0)

        let second = try GatewayProcess.start(arguments)
        defer { second.stop() }
        // The first never owns fewer than what it keeps: sampled while the second joins.
        var fewest = 6.0
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let owned = [
                MetricsText.value(try await Self.metrics(first), "gateway_consumer_assigned_partitions") ?? 0,
                MetricsText.value(try await Self.metrics(second), "gateway_consumer_assigned_partitions") ?? 0,
            ]
            fewest = min(fewest, owned[0])
            if owned[0] + owned[1] == 6 && owned[1] > 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let after = try await Self.metrics(first)
        let kept = try #require(MetricsText.value(after, "gateway_consumer_assigned_partitions"))
        #expect(kept > 0 && kept < 6)
        #expect(fewest == kept, "the first instance owned \(fewest) at one point, keeps \(kept)")
        // Only the partitions that moved were revoked; none was assigned again or restored.
        #expect(MetricsText.value(after, "gateway_consumer_partitions_revoked_total") == 6 - kept)
        #expect(MetricsText.value(after, "gateway_consumer_partitions_assigned_total") == 6)
        #expect(MetricsText.value(after, "gateway_monitor_state_restores_total") == 0)
        // The moved ones were restored by the second, which took them over with their state.
        let joined = try await Self.metrics(second)
        #expect(MetricsText.value(joined, "gateway_consumer_partitions_assigned_total") == 6 - kept)
        #expect(MetricsText.value(joined, "gateway_monitor_state_restores_total") == 6 - kept)
        try await ScaleOutEndToEndTests.waitForTotals([first, second], ScaleOutEndToEndTests.expected(amounts))
    }
}
