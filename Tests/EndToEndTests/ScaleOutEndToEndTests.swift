import Foundation
import Testing

/// Two gateways on one `gateway kafka` cluster: `/stats` answers for the whole cluster on
/// either, and the per-partition state survives a SIGTERM and a kill -9 of an instance exactly:
/// totals stay exact, later records count once, a velocity burst straddling the hand-over alerts once.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct ScaleOutEndToEndTests {
    /// Short group timeouts (the mock completes a rebalance after session.timeout.ms) and a short
    /// checkpoint interval keep the hand-overs to seconds. Windows of 5 minutes and more: every
    /// window holds every transaction of the test, however long a loaded machine makes it (with a
    /// 1-minute window the first ones left it when the test ran past 60 s).
    static let windows = ["--windows-seconds", "300,600,900"]
    static let arguments =
        windows + [
            "--consumers", "2", "--checkpoint-interval-ms", "300", "--shutdown-timeout", "10",
            "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500",
        ]

    static func start(_ cluster: GatewayProcess) throws -> GatewayProcess {
        try GatewayProcess.start(["--bootstrap-servers", cluster.bootstrapServers] + arguments)
    }

    /// A transaction at the current time (so every window holds it), amount in whole units.
    static func tx(_ id: String, account: String, amount: Int) -> String {
        let time = ISO8601DateFormatter().string(from: Date())
        return
            #"{"id":"\#(id)","account_id":"\#(account)","amount":"\#(amount).00","currency":"EUR","merchant_id":"m-\#(id)","channel":"pix","timestamp":"\#(time)"}"#
    }

    static func post(_ gateway: GatewayProcess, _ lines: [String]) async throws {
        let response = try await HTTPClient.send(
            "POST",
            "\(gateway.baseURL)/transactions",
            body: lines.joined(separator: "\n"),
            headers: ["Content-Type": "application/x-ndjson"]
        )
        #expect(response.status == 200)
        #expect(try response.jsonArray().allSatisfy { $0["status"] as? String == "accepted" })
    }

    /// What must agree between instances and with what was posted.
    struct Totals: Equatable, CustomStringConvertible {
        var total: Int
        var windows: [Int]
        var sum: String
        var description: String { "total \(total), windows \(windows), sum \(sum)" }
    }

    static func totals(_ gateway: GatewayProcess) async throws -> (Totals, [[String: Any]]) {
        let stats = try await HTTPClient.send("GET", "\(gateway.baseURL)/stats").json()
        let total = stats["total"] as? [String: Any] ?? [:]
        let windows = stats["windows"] as? [String: Any] ?? [:]
        let counts = ["5m", "10m", "15m"].map { ((windows[$0] as? [String: Any])?["count"] as? Int) ?? -1 }
        let sum = ((total["currencies"] as? [String: Any])?["EUR"] as? [String: Any])?["sum"] as? String ?? "0"
        return (
            Totals(total: total["count"] as? Int ?? -1, windows: counts, sum: sum),
            stats["partitions"] as? [[String: Any]] ?? []
        )
    }

    /// Waits (bounded) until every gateway's /stats shows `expected` over all 6 partitions.
    static func waitForTotals(
        _ gateways: [GatewayProcess],
        _ expected: Totals,
        timeout: Duration = .seconds(30)
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        var seen: [String] = []
        while ContinuousClock.now < deadline {
            seen = []
            var done = true
            for gateway in gateways {
                let (totals, partitions) = try await Self.totals(gateway)
                seen.append("\(totals) over \(partitions.count) partitions")
                done = done && totals == expected && partitions.count == 6
            }
            if done { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestFailure("expected \(expected) on every instance, saw \(seen)")
    }

    static func expected(_ amounts: [Int]) -> Totals {
        Totals(
            total: amounts.count,
            windows: [amounts.count, amounts.count, amounts.count],
            sum: "\(amounts.reduce(0, +))"
        )
    }

    static func velocityAlerts(_ gateway: GatewayProcess, account: String) async throws -> Int {
        let alerts = try await HTTPClient.send("GET", "\(gateway.baseURL)/alerts?rule=velocity&account_id=\(account)")
            .json()
        return (alerts["alerts"] as? [[String: Any]])?.count ?? -1
    }

    /// Waits (bounded) for `count` velocity alerts of `account` on `gateway`, then checks no more come.
    static func expectVelocityAlerts(_ gateway: GatewayProcess, account: String, count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        var seen = 0
        while ContinuousClock.now < deadline {
            seen = try await velocityAlerts(gateway, account: account)
            if seen >= count { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(seen == count, "velocity alerts of \(account)")
    }

    @Test func twoInstances_shareTheClusterView_andKeepExactCountsAcrossSigtermAndKill() async throws {
        let cluster = try GatewayProcess.startCluster()
        defer { cluster.stop() }
        let first = try Self.start(cluster)
        defer { first.stop() }
        var second = try Self.start(cluster)
        defer { second.stop() }
        try await MonitoringEndToEndTests.waitForPartitions([first, second], 6)

        // 1. Posted to both: each /stats answers for all of it, identically.
        var amounts: [Int] = []
        for (index, gateway) in [first, second].enumerated() {
            let lines = (0..<20).map { Self.tx("a\(index)-\($0)", account: "acc-\(index)-\($0)", amount: 10 + $0) }
            amounts += (0..<20).map { 10 + $0 }
            try await Self.post(gateway, lines)
        }
        try await Self.waitForTotals([first, second], Self.expected(amounts))
        // Each record was applied by exactly one instance (per-instance counters add up).
        var recorded = 0.0
        for gateway in [first, second] {
            let metrics = try await HTTPClient.send("GET", "\(gateway.baseURL)/metrics").text
            recorded += MetricsText.value(metrics, "gateway_monitor_recorded_total") ?? 0
        }
        #expect(recorded == 40)

        // 2. SIGTERM the second: its last checkpoints hand its partitions over with their state. A
        // velocity burst (5 within 60 s) gets 3 transactions before and 2 after the hand-over.
        try await Self.post(first, (0..<3).map { Self.tx("burst-a-\($0)", account: "acc-burst-a", amount: 1) })
        amounts += [1, 1, 1]
        try await Self.waitForTotals([first, second], Self.expected(amounts))
        #expect(second.stop() == 0)
        try await MonitoringEndToEndTests.waitForPartitions([first], 6)
        try await Self.waitForTotals([first], Self.expected(amounts))
        try await Self.post(
            first,
            (3..<5).map { Self.tx("burst-a-\($0)", account: "acc-burst-a", amount: 1) }
                + (0..<10).map { Self.tx("b-\($0)", account: "acc-b-\($0)", amount: 100) }
        )
        amounts += [1, 1] + Array(repeating: 100, count: 10)
        try await Self.waitForTotals([first], Self.expected(amounts))
        try await Self.expectVelocityAlerts(first, account: "acc-burst-a", count: 1)

        // 3. A new second instance takes partitions back, restored from the first's checkpoints.
        second = try Self.start(cluster)
        try await MonitoringEndToEndTests.waitForPartitions([first, second], 6)
        try await Self.waitForTotals([first, second], Self.expected(amounts))

        // 4. kill -9 the first just after records reached it: the second resumes each partition
        // from its last checkpoint, reads what followed again, and counts it once.
        try await Self.post(
            second,
            (0..<3).map { Self.tx("burst-c-\($0)", account: "acc-burst-c", amount: 2) }
                + (0..<10).map { Self.tx("c-\($0)", account: "acc-c-\($0)", amount: 7) }
        )
        amounts += [2, 2, 2] + Array(repeating: 7, count: 10)
        first.send(signal: SIGKILL)
        #expect(first.waitForExit(timeout: .seconds(10)))
        try await MonitoringEndToEndTests.waitForPartitions([second], 6)
        try await Self.waitForTotals([second], Self.expected(amounts))
        try await Self.post(second, (3..<5).map { Self.tx("burst-c-\($0)", account: "acc-burst-c", amount: 2) })
        amounts += [2, 2]
        try await Self.waitForTotals([second], Self.expected(amounts))
        // Settle: a record counted twice would show up now.
        try await Task.sleep(for: .seconds(1))
        #expect(try await Self.totals(second).0 == Self.expected(amounts))
        try await Self.expectVelocityAlerts(second, account: "acc-burst-c", count: 1)
        try await Self.expectVelocityAlerts(second, account: "acc-burst-a", count: 1)
        // Every partition is live on the survivor: with cooperative rebalancing a partition moving
        // between its consumers is briefly served from its checkpoint, so this is waited for.
        let deadline = ContinuousClock.now + .seconds(30)
        var partitions: [[String: Any]] = []
        while ContinuousClock.now < deadline {
            partitions = try await Self.totals(second).1
            if partitions.count == 6 && partitions.allSatisfy({ $0["source"] as? String == "live" }) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(partitions.allSatisfy { $0["source"] as? String == "live" }, "\(partitions)")
    }

    @Test func clusterWithoutTheStateTopic_refusesToStart_sayingWhy() throws {
        let cluster = try GatewayProcess.startCluster(topics: "transactions,transactions.alerts")
        defer { cluster.stop() }
        do {
            let gateway = try GatewayProcess.start(
                ["--bootstrap-servers", cluster.bootstrapServers],
                timeout: .seconds(20)
            )
            gateway.stop()
            Issue.record("the gateway started without its state topic")
        } catch {
            #expect("\(error)".contains("state topic transactions.monitor-state does not exist"), "\(error)")
        }
    }
}
