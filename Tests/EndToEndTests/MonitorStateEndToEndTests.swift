import Foundation
import Testing

/// The monitor's state at a size no single record could hold, across restarts: on the same host it
/// comes back from the local store (SIGTERM and kill -9 alike), on a new host from the changelog
/// (Tansu, which keeps every record), and a memory budget too small for the accounts reads them
/// back from disk. Every case compares exact totals, windows and sums with what was posted.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct MonitorStateEndToEndTests {
    /// Short group timeouts (the mock completes a rebalance after session.timeout.ms) and a short
    /// flush interval keep restarts to seconds.
    static let groupArguments =
        ScaleOutEndToEndTests.windows + [
            "--consumers", "2", "--checkpoint-interval-ms", "300", "--shutdown-timeout", "10",
            "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500",
        ]
    typealias Totals = ScaleOutEndToEndTests.Totals

    static func scratchFolder() throws -> String {
        let folder = NSTemporaryDirectory() + "monitor-state-e2e-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Posts `count` transactions, one account each, in NDJSON batches of 500; returns the amounts.
    static func postMany(_ gateway: GatewayProcess, prefix: String, count: Int) async throws -> [Int] {
        var amounts: [Int] = []
        for start in stride(from: 0, to: count, by: 500) {
            let range = start..<min(count, start + 500)
            let lines = range.map {
                ScaleOutEndToEndTests.tx("\(prefix)-\($0)", account: "acc-\(prefix)-\($0)", amount: 1 + $0 % 50)
            }
            amounts += range.map { 1 + $0 % 50 }
            try await ScaleOutEndToEndTests.post(gateway, lines)
        }
        return amounts
    }

    static func metric(_ gateway: GatewayProcess, _ name: String) async throws -> Double {
        let text = try await HTTPClient.send("GET", "\(gateway.baseURL)/metrics").text
        return MetricsText.value(text, name) ?? -1
    }

    @Test func stateLargerThanOneRecord_comesBackExactly_afterSigtermAndKill9_fromTheLocalStore() async throws {
        let cluster = try GatewayProcess.startCluster()
        defer { cluster.stop() }
        let folder = try Self.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let arguments =
            ["--bootstrap-servers", cluster.bootstrapServers, "--state-dir", folder] + Self.groupArguments
        var gateway = try GatewayProcess.start(arguments)
        defer { gateway.stop() }
        try await MonitoringEndToEndTests.waitForPartitions([gateway], 6)

        // 12,000 accounts: their rule state alone is several times what one 256 KiB record holds.
        var amounts = try await Self.postMany(gateway, prefix: "a", count: 12000)
        try await ScaleOutEndToEndTests.post(
            gateway,
            (0..<3).map { ScaleOutEndToEndTests.tx("burst-\($0)", account: "acc-burst", amount: 5) }
        )
        amounts += [5, 5, 5]
        try await ScaleOutEndToEndTests.waitForTotals([gateway], ScaleOutEndToEndTests.expected(amounts))
        let written = try await Self.metric(gateway, "gateway_monitor_state_bytes_written_total")
        let largest = try await Self.metric(gateway, "gateway_monitor_state_largest_record_bytes")
        #expect(written > 3 * 262_144, "the state outgrew one record")
        #expect(largest > 0 && largest < 262_144, "no record over 256 KiB: \(largest)")

        // SIGTERM: the restart reads its stores and no changelog record.
        #expect(gateway.stop() == 0)
        gateway = try GatewayProcess.start(arguments)
        try await MonitoringEndToEndTests.waitForPartitions([gateway], 6)
        try await ScaleOutEndToEndTests.waitForTotals([gateway], ScaleOutEndToEndTests.expected(amounts))
        #expect(try await Self.metric(gateway, "gateway_monitor_state_local_restores_total") == 6)
        #expect(try await Self.metric(gateway, "gateway_monitor_state_restore_records_total") == 0)

        // kill -9 right after more records reached it: the store has the last flush, the rest is
        // read again from the transactions topic and counted once.
        amounts += try await Self.postMany(gateway, prefix: "b", count: 1000)
        try await ScaleOutEndToEndTests.post(
            gateway,
            [ScaleOutEndToEndTests.tx("burst-3", account: "acc-burst", amount: 5)]
        )
        amounts += [5]
        gateway.send(signal: SIGKILL)
        #expect(gateway.waitForExit(timeout: .seconds(10)))
        gateway = try GatewayProcess.start(arguments)
        try await MonitoringEndToEndTests.waitForPartitions([gateway], 6)
        try await ScaleOutEndToEndTests.post(
            gateway,
            [ScaleOutEndToEndTests.tx("burst-4", account: "acc-burst", amount: 5)]
        )
        amounts += [5]
        try await ScaleOutEndToEndTests.waitForTotals([gateway], ScaleOutEndToEndTests.expected(amounts))
        // The velocity burst (5 within 60 s) straddles the kill: one alert, from rule state on disk.
        try await ScaleOutEndToEndTests.expectVelocityAlerts(gateway, account: "acc-burst", count: 1)
        #expect(try await Self.metric(gateway, "gateway_monitor_state_stores_discarded_total") == 0)
    }

    @Test func newInstanceWithAnEmptyStateDirectory_restoresFromTheChangelog_onTansu() async throws {
        let tansu = try TansuBroker(topics: TansuEndToEndTests.topics)
        defer { tansu.stop() }
        let arguments =
            ScaleOutEndToEndTests.windows + [
                "--bootstrap-servers", tansu.bootstrap, "--producers", "1", "--consumers", "1",
            ]
        let first = try GatewayProcess.start(
            arguments + ["--state-dir", try Self.scratchFolder(), "--checkpoint-interval-ms", "300"],
            environment: TansuEndToEndTests.groupEnvironment
        )
        defer { first.stop(grace: .seconds(10)) }
        let amounts = try await Self.postMany(first, prefix: "t", count: 1500)
        do {
            try await ScaleOutEndToEndTests.waitForTotals(
                [first],
                ScaleOutEndToEndTests.expected(amounts),
                timeout: .seconds(60)
            )
        } catch {
            Issue.record("\(error)\n\(first.log.suffix(6000))")
            return
        }
        #expect(first.stop(grace: .seconds(10)) == 0)

        let second = try GatewayProcess.start(
            arguments + ["--state-dir", try Self.scratchFolder()],
            environment: TansuEndToEndTests.groupEnvironment
        )
        defer { second.stop(grace: .seconds(10)) }
        // Until the group assigns, /stats shows the first's partitions from the changelog: wait for the
        // second's own, restored ones.
        do {
            try await MonitoringEndToEndTests.waitForPartitions([second], 6)
            try await ScaleOutEndToEndTests.waitForTotals(
                [second],
                ScaleOutEndToEndTests.expected(amounts),
                timeout: .seconds(60)
            )
        } catch {
            Issue.record("\(error)\n\(second.log.suffix(6000))")
            return
        }
        let (_, partitions) = try await ScaleOutEndToEndTests.totals(second)
        #expect(partitions.allSatisfy { $0["source"] as? String == "live" }, "\(partitions)")
        #expect(try await Self.metric(second, "gateway_monitor_state_restore_records_total") > 1500)
    }

    @Test func memoryBudgetTooSmallForTheAccounts_stillGivesExactTotals_readingAccountsBack() async throws {
        let cluster = try GatewayProcess.startCluster()
        defer { cluster.stop() }
        let folder = try Self.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // 1 MiB: about 800 accounts in memory over the partitions held.
        let gateway = try GatewayProcess.start(
            ["--bootstrap-servers", cluster.bootstrapServers, "--state-dir", folder, "--monitor-memory-mb", "1"]
                + Self.groupArguments
        )
        defer { gateway.stop() }
        try await MonitoringEndToEndTests.waitForPartitions([gateway], 6)
        var amounts = try await Self.postMany(gateway, prefix: "m", count: 4000)
        try await ScaleOutEndToEndTests.waitForTotals([gateway], ScaleOutEndToEndTests.expected(amounts))
        #expect(try await Self.metric(gateway, "gateway_monitor_accounts_tracked") <= 1400)
        #expect(try await Self.metric(gateway, "gateway_monitor_accounts_evicted_total") > 2000)
        // The same accounts again: their state comes back from the stores.
        let again = (0..<500).map {
            ScaleOutEndToEndTests.tx("m2-\($0)", account: "acc-m-\($0)", amount: 3)
        }
        try await ScaleOutEndToEndTests.post(gateway, again)
        amounts += Array(repeating: 3, count: 500)
        try await ScaleOutEndToEndTests.waitForTotals([gateway], ScaleOutEndToEndTests.expected(amounts))
        #expect(try await Self.metric(gateway, "gateway_monitor_accounts_loaded_total") >= 400)
    }
}
