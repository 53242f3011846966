import Foundation
import Testing

/// The embedded cluster keeps about 5 MB per partition: a monitor that falls further behind has its
/// position reset past records it never read. That must never pass in silence: `/stats` says the
/// statistics are not complete and how many records were skipped where, `/metrics` counts them per
/// partition, and the log has an error line with the offsets. Records of about 4 KB (metadata)
/// make the cluster drop records after about 1,200 of them.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct SkippedRecordsEndToEndTests {
    /// A transaction of about 4.3 KB, all on one account (so one partition).
    static func bulky(_ id: String, account: String) -> String {
        let filler = String(repeating: "x", count: 250)
        let metadata = (0..<16).map { #""k\#($0)":"\#(filler)""# }.joined(separator: ",")
        return
            #"{"id":"\#(id)","account_id":"\#(account)","amount":"1.00","currency":"EUR","merchant_id":"m-1","timestamp":"2026-11-25T16:20:00Z","metadata":{\#(metadata)}}"#
    }

    /// Posts `count` bulky transactions of `account` in batches of 200 (under 1 MB each); returns
    /// how many were accepted and the partition they went to.
    static func flood(
        _ gateway: GatewayProcess,
        account: String,
        prefix: String,
        count: Int
    ) async throws -> (
        accepted: Int, partition: Int
    ) {
        var accepted = 0
        var partition = -1
        for start in stride(from: 0, to: count, by: 200) {
            let lines = (start..<min(count, start + 200)).map { bulky("\(prefix)-\($0)", account: account) }
            let response = try await HTTPClient.send(
                "POST",
                "\(gateway.baseURL)/transactions",
                body: lines.joined(separator: "\n"),
                headers: ["Content-Type": "application/x-ndjson"],
                timeout: 30
            )
            #expect(response.status == 200, "\(response.text.prefix(300))")
            for item in try response.jsonArray() where item["status"] as? String == "accepted" {
                accepted += 1
                partition = item["partition"] as? Int ?? partition
            }
        }
        return (accepted, partition)
    }

    static func stats(_ gateway: GatewayProcess) async throws -> [String: Any] {
        try await HTTPClient.send("GET", "\(gateway.baseURL)/stats").json()
    }

    /// Waits (bounded) until the monitor has accounted for `expected` records: applied or skipped.
    static func waitForAccounted(_ gateway: GatewayProcess, _ expected: Int) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(60)
        var last: [String: Any] = [:]
        while ContinuousClock.now < deadline {
            last = try await stats(gateway)
            let total = (last["total"] as? [String: Any])?["count"] as? Int ?? 0
            let skipped = last["skipped_records"] as? Int ?? 0
            if total + skipped >= expected { return last }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw TestFailure("the monitor did not account for \(expected) records: \(last)")
    }

    /// Checks what a user sees after the cluster dropped records before the monitor read them.
    static func expectSkipReported(
        _ gateway: GatewayProcess,
        accepted: Int,
        partition: Int
    ) async throws {
        let stats = try await waitForAccounted(gateway, accepted)
        let total = (stats["total"] as? [String: Any])?["count"] as? Int ?? -1
        let skipped = stats["skipped_records"] as? Int ?? -1
        #expect(stats["complete"] as? Bool == false, "\(stats)")
        #expect(skipped > 0, "\(stats)")
        #expect(total + skipped == accepted, "total \(total) + skipped \(skipped) != accepted \(accepted)")
        let byPartition = try #require(stats["skipped"] as? [[String: Any]])
        #expect(byPartition.count == 1 && byPartition.first?["partition"] as? Int == partition, "\(byPartition)")
        #expect(byPartition.first?["records"] as? Int == skipped)
        let from = byPartition.first?["last_from_offset"] as? Int ?? -1
        let to = byPartition.first?["last_to_offset"] as? Int ?? -1

        let metrics = try await HTTPClient.send("GET", "\(gateway.baseURL)/metrics").text
        #expect(
            MetricsText.value(metrics, "gateway_monitor_skipped_records_total", ["partition": "\(partition)"])
                == Double(skipped)
        )
        let lint = try MetricsText.checkWithPromtool(metrics)
        #expect(lint.status == 0 && lint.output.isEmpty, "promtool check metrics: \(lint.output)")

        let line = try #require(
            gateway.log.split(separator: "\n").first { $0.contains("monitor skipped records") },
            "\(gateway.log.suffix(3000))"
        )
        #expect(line.contains("error"), "\(line)")
        #expect(line.contains("partition=\(partition)"), "\(line)")
        #expect(line.contains("from_offset=\(from)") && line.contains("to_offset=\(to)"), "\(line)")
    }

    /// A monitor that joins after more than the cluster keeps was produced to one partition: what
    /// was dropped before its first read is reported, the rest applied.
    @Test func monitorStartingAfterTheClusterDroppedRecords_reportsTheSkip() async throws {
        let cluster = try GatewayProcess.startCluster()
        defer { cluster.stop() }
        let producer = try GatewayProcess.start(["--bootstrap-servers", cluster.bootstrapServers, "--consumers", "0"])
        defer { producer.stop() }
        let (accepted, partition) = try await Self.flood(producer, account: "acc-bulk", prefix: "early", count: 2000)
        #expect(accepted == 2000)

        let monitor = try GatewayProcess.start(["--bootstrap-servers", cluster.bootstrapServers, "--consumers", "1"])
        defer { monitor.stop() }
        try await Self.expectSkipReported(monitor, accepted: accepted, partition: partition)
    }

    /// A monitor stopped (SIGSTOP) while more than the cluster keeps goes to its partition: its
    /// position is reset past records when it resumes. What it had applied before stays, what was
    /// dropped is reported, what was left is applied. The partition's state keeps the count: after
    /// a restart the statistics still say they are incomplete.
    @Test func monitorFallingBehindTheClusterRetention_reportsTheSkip_evenAfterARestart() async throws {
        let cluster = try GatewayProcess.startCluster()
        defer { cluster.stop() }
        let folder = NSTemporaryDirectory() + "skipped-state-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let arguments = [
            "--bootstrap-servers", cluster.bootstrapServers, "--consumers", "1", "--checkpoint-interval-ms", "300",
            "--state-dir", folder,
        ]
        var monitor = try GatewayProcess.start(arguments)
        defer {
            monitor.send(signal: SIGCONT)
            monitor.stop()
        }
        let producer = try GatewayProcess.start(["--bootstrap-servers", cluster.bootstrapServers, "--consumers", "0"])
        defer { producer.stop() }
        try await MonitoringEndToEndTests.waitForPartitions([monitor], 6)
        let before = try await Self.flood(producer, account: "acc-bulk", prefix: "before", count: 100)
        _ = try await Self.waitForAccounted(monitor, before.accepted)
        // Let a checkpoint and a commit cover those.
        try await Task.sleep(for: .seconds(1))
        #expect(try await Self.stats(monitor)["complete"] as? Bool == true)

        monitor.send(signal: SIGSTOP)
        let during = try await Self.flood(producer, account: "acc-bulk", prefix: "during", count: 2000)
        monitor.send(signal: SIGCONT)
        #expect(during.partition == before.partition)
        try await Self.expectSkipReported(
            monitor,
            accepted: before.accepted + during.accepted,
            partition: during.partition
        )
        let skipped = try await Self.stats(monitor)["skipped_records"] as? Int ?? -1
        #expect(try await Self.skippedInState(monitor, partition: during.partition) == skipped)

        // Let a flush cover the skip, then restart on the same state directory.
        try await Task.sleep(for: .seconds(1))
        #expect(monitor.stop() == 0)
        monitor = try GatewayProcess.start(arguments)
        try await MonitoringEndToEndTests.waitForPartitions([monitor], 6)
        let after = try await Self.stats(monitor)
        #expect(after["complete"] as? Bool == false, "\(after)")
        #expect(after["skipped_records"] as? Int == 0, "this instance skipped nothing since it started")
        #expect(try await Self.skippedInState(monitor, partition: during.partition) == skipped)
    }

    /// `partitions[].skipped_records` of `/stats` for one partition.
    static func skippedInState(_ gateway: GatewayProcess, partition: Int) async throws -> Int? {
        let partitions = try await stats(gateway)["partitions"] as? [[String: Any]] ?? []
        return partitions.first { $0["partition"] as? Int == partition }?["skipped_records"] as? Int
    }
}
