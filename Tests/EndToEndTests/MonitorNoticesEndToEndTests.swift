import Foundation
import Testing

/// What a user sees while the figures are not the whole stream: right after start the monitor is
/// still joining its consumer group (`/stats` says so, with the partitions not read yet, instead of
/// plain zeros), and after the cluster dropped records the monitor never read, `/stats` and the
/// dashboard say the statistics are incomplete. The cluster runs in its own process, stopped
/// (SIGSTOP) right after the gateway listens so that the joining lasts until the test resumes it.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct MonitorNoticesEndToEndTests {
    @Test func joiningAndSkippedRecords_showIn_stats_andOnTheDashboard() async throws {
        let cluster = try GatewayProcess.startCluster()
        defer {
            cluster.send(signal: SIGCONT)
            cluster.stop()
        }
        let producer = try GatewayProcess.start(["--bootstrap-servers", cluster.bootstrapServers, "--consumers", "0"])
        defer { producer.stop() }
        let (accepted, partition) = try await SkippedRecordsEndToEndTests.flood(
            producer,
            account: "acc-bulk",
            prefix: "early",
            count: 2000
        )

        let monitor = try GatewayProcess.start(["--bootstrap-servers", cluster.bootstrapServers])
        defer { monitor.stop() }
        cluster.send(signal: SIGSTOP)
        let joining = try await SkippedRecordsEndToEndTests.stats(monitor)
        let group = try #require(joining["group"] as? [String: Any], "\(joining)")
        #expect(group["state"] as? String == "joining", "\(group)")
        #expect(group["waiting_partitions"] as? [Int] == [0, 1, 2, 3, 4, 5], "\(group)")
        #expect(group["consumers"] as? Int == 3)

        let browser = try HeadlessChromium(width: 1280, height: 900)
        defer { browser.close() }
        try browser.navigate(to: "\(monitor.baseURL)/")
        #expect(
            try browser.waitUntil(
                #"(document.querySelector('[data-notice="joining"]')?.textContent || "").includes("partitions 0, 1, 2, 3, 4, 5 are not read yet")"#,
                timeout: .seconds(20)
            ),
            "the dashboard says the monitor is joining"
        )

        cluster.send(signal: SIGCONT)
        try await SkippedRecordsEndToEndTests.expectSkipReported(monitor, accepted: accepted, partition: partition)
        // The skip shows once one consumer reads again; the group is "joined" once every consumer had
        // its first assignment, which may take a rebalance round more (bounded wait).
        var state: String?
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let joined = try await SkippedRecordsEndToEndTests.stats(monitor)
            state = (joined["group"] as? [String: Any])?["state"] as? String
            if state == "joined" { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(state == "joined")
        #expect(
            try browser.waitUntil(
                #"!document.querySelector('[data-notice="joining"]') && (document.querySelector('[data-notice="skipped"]')?.textContent || "").includes("partition \#(partition)")"#,
                timeout: .seconds(20)
            ),
            "the dashboard warns that records were skipped"
        )
    }
}
