import Foundation
import Testing

/// `GET /cluster` and the faults of `POST /cluster/...` on the real executable: against the embedded
/// cluster, `gateway kafka` (the same mock in another process) and Tansu; and the cluster view page
/// in headless chromium, in English and in Portuguese. Screenshots go to `.build/` (and to
/// `docs/cluster-view*.png` with `UPDATE_CLUSTER_SCREENSHOTS=1`).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ClusterViewEndToEndTests {
    /// What the tests read of `/cluster`.
    struct View {
        let json: [String: Any]

        var brokers: [[String: Any]] { json["brokers"] as? [[String: Any]] ?? [] }
        var faults: [[String: Any]] { json["faults"] as? [[String: Any]] ?? [] }
        func broker(_ id: Int) -> [String: Any]? { brokers.first { $0["id"] as? Int == id } }
        func topic(role: String) -> [String: Any]? {
            (json["topics"] as? [[String: Any]])?.first { $0["role"] as? String == role }
        }
        /// The `transactions` topic's partitions: number -> (leader, in-sync replicas).
        var partitions: [Int: (leader: Int, isr: [Int])] {
            var out: [Int: (leader: Int, isr: [Int])] = [:]
            for p in topic(role: "transactions")?["partitions"] as? [[String: Any]] ?? [] {
                if let n = p["partition"] as? Int {
                    out[n] = (p["leader"] as? Int ?? -1, p["in_sync_replicas"] as? [Int] ?? [])
                }
            }
            return out
        }
        var group: [String: Any]? { (json["groups"] as? [[String: Any]])?.first }
        /// The group's members: client id -> assigned partitions.
        var members: [String: [Int]] {
            var out: [String: [Int]] = [:]
            for m in group?["members"] as? [[String: Any]] ?? [] {
                if let id = m["client_id"] as? String { out[id, default: []] += m["partitions"] as? [Int] ?? [] }
            }
            return out
        }
        /// Six partitions, each with a leader and in-sync replicas, and a group owning all six.
        var isComplete: Bool {
            partitions.count == 6 && partitions.values.allSatisfy { $0.leader >= 0 && !$0.isr.isEmpty }
                && Set(members.values.flatMap { $0 }) == Set(0..<6)
        }
    }

    static func view(_ gateway: GatewayProcess) async throws -> View {
        let response = try await HTTPClient.send("GET", "\(gateway.baseURL)/cluster")
        #expect(response.status == 200)
        return View(json: try response.json())
    }

    /// Polls `/cluster` (bounded) until `condition` holds; returns the last view.
    static func waitForView(
        _ gateway: GatewayProcess,
        timeout: Duration,
        until condition: (View) -> Bool
    ) async throws -> View {
        let deadline = ContinuousClock.now + timeout
        var last = try await view(gateway)
        while !condition(last), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            last = try await view(gateway)
        }
        return last
    }

    @Test func embeddedCluster_showsThreeBrokers_sixPartitionsWithLeadersAndInSyncReplicas_andTheGroup() async throws {
        let gateway = try GatewayProcess.start()
        defer { gateway.stop() }
        let view = try await Self.waitForView(gateway, timeout: .seconds(30)) { $0.isComplete }
        #expect(view.brokers.count == 3)
        #expect(view.brokers.allSatisfy { $0["up"] as? Bool == true })
        #expect(view.json["embedded"] as? Bool == true)
        #expect(view.partitions.count == 6)
        #expect(view.partitions.values.allSatisfy { (1...3).contains($0.leader) && $0.isr.count == 3 })
        #expect(Set(view.members.keys) == ["monitor-0", "monitor-1", "monitor-2"], "\(view.json)")
        #expect(Set(view.members.values.flatMap { $0 }) == Set(0..<6))
        #expect(view.group?["group_id"] as? String == "gateway-monitor")
        #expect(view.topic(role: "state")?["partitions"] as? [Any] != nil, "the state changelog's partitions")
        let inspection = try #require(view.json["inspection"] as? [String: Any])
        #expect((inspection["took_ms"] as? Int ?? 10_000) < 2_000, "bounded")
    }

    @Test func stoppedBroker_showsDown_leadersMoveWithin10s_ingestionAnswers_andStartBringsItBackInSync() async throws {
        let gateway = try GatewayProcess.start(["--delivery-timeout-ms", "5000"])
        defer { gateway.stop() }
        let before = try await Self.waitForView(gateway, timeout: .seconds(30)) { $0.isComplete }
        let victim = try #require(before.partitions[0]?.leader)

        // Traffic on distinct accounts while the broker goes down: every request is answered, 202
        // or 503 with Retry-After, within the delivery timeout and a margin (never a hang).
        let traffic = Task {
            var statuses: [Int] = []
            for index in 0..<40 {
                let started = ContinuousClock.now
                let response = try await HTTPClient.postJSON(
                    "\(gateway.baseURL)/transactions",
                    sampleTransaction(id: "fault-\(index)", account: "acc-fault-\(index)"),
                    headers: ["X-Client-Name": "fault-test"]
                )
                #expect(ContinuousClock.now - started < .seconds(12), "answered within the delivery timeout")
                #expect(response.status == 202 || response.status == 503, "\(response.status) \(response.text)")
                if response.status == 503 { #expect(response.header("Retry-After") != nil) }
                statuses.append(response.status)
                try await Task.sleep(for: .milliseconds(100))
            }
            return statuses
        }
        try await Task.sleep(for: .milliseconds(500))
        let stop = try await HTTPClient.send("POST", "\(gateway.baseURL)/cluster/brokers/\(victim)/stop")
        #expect(stop.status == 200, "\(stop.text)")
        #expect((try stop.json()["action"] as? String) == "broker_stop")

        let down = try await Self.waitForView(gateway, timeout: .seconds(10)) { view in
            view.broker(victim)?["up"] as? Bool == false
                && view.partitions.values.allSatisfy {
                    $0.leader != victim && $0.leader >= 0 && !$0.isr.contains(victim)
                }
        }
        #expect(down.broker(victim)?["up"] as? Bool == false)
        #expect(down.partitions.values.allSatisfy { $0.leader != victim }, "\(down.partitions)")
        #expect(down.partitions.values.allSatisfy { !$0.isr.contains(victim) })
        #expect(down.faults.contains { $0["action"] as? String == "broker_stop" && $0["at"] is String })

        let statuses = try await traffic.value
        #expect(statuses.count == 40)
        #expect(statuses.contains(202), "ingestion goes on on the other brokers")

        let start = try await HTTPClient.send("POST", "\(gateway.baseURL)/cluster/brokers/\(victim)/start")
        #expect(start.status == 200)
        let healed = try await Self.waitForView(gateway, timeout: .seconds(10)) { view in
            view.broker(victim)?["up"] as? Bool == true && view.partitions.values.allSatisfy { $0.isr.count == 3 }
        }
        #expect(healed.broker(victim)?["up"] as? Bool == true)
        #expect(healed.partitions.values.allSatisfy { $0.isr.contains(victim) }, "in sync again")
        let after = try await HTTPClient.postJSON(
            "\(gateway.baseURL)/transactions",
            sampleTransaction(id: "fault-after", account: "acc-fault-after")
        )
        #expect(after.status == 202)
        // The producers as the view names them.
        let clients = (healed.json["producers"] as? [String: Any])?["clients"] as? [[String: Any]] ?? []
        #expect(clients.contains { $0["name"] as? String == "fault-test" && ($0["requests"] as? Int ?? 0) >= 40 })
    }

    @Test func consumerLeavingItsGroup_givesItsPartitionsToTheOthers_andRejoins() async throws {
        let gateway = try GatewayProcess.start()
        defer { gateway.stop() }
        _ = try await Self.waitForView(gateway, timeout: .seconds(30)) { $0.isComplete }
        let leave = try await HTTPClient.send("POST", "\(gateway.baseURL)/cluster/consumers/monitor-1/stop")
        #expect(leave.status == 200, "\(leave.text)")
        let rebalanced = try await Self.waitForView(gateway, timeout: .seconds(20)) { view in
            view.members["monitor-1"] == nil && Set(view.members.values.flatMap { $0 }) == Set(0..<6)
        }
        #expect(rebalanced.members["monitor-1"] == nil)
        #expect(Set(rebalanced.members.values.flatMap { $0 }) == Set(0..<6), "the others took its partitions")
        let join = try await HTTPClient.send("POST", "\(gateway.baseURL)/cluster/consumers/monitor-1/start")
        #expect(join.status == 200)
        let back = try await Self.waitForView(gateway, timeout: .seconds(20)) { view in
            !(view.members["monitor-1"] ?? []).isEmpty && Set(view.members.values.flatMap { $0 }) == Set(0..<6)
        }
        #expect(!(back.members["monitor-1"] ?? []).isEmpty)
        #expect(back.faults.map { $0["action"] as? String } == ["consumer_stop", "consumer_start"])
    }

    @Test func gatewayKafkaCluster_isShown_andFaultsAnswer404AndChangeNothing() async throws {
        let cluster = try GatewayProcess.startCluster()
        defer { cluster.stop() }
        let gateway = try GatewayProcess.start(
            ["--bootstrap-servers", cluster.bootstrapServers],
            environment: ["KAFKA_SESSION_TIMEOUT_MS": "6000", "KAFKA_HEARTBEAT_INTERVAL_MS": "500"]
        )
        defer { gateway.stop() }
        let view = try await Self.waitForView(gateway, timeout: .seconds(40)) { $0.isComplete }
        #expect(view.isComplete, "\(view.json)")
        #expect(view.brokers.count == 3)
        #expect(view.json["embedded"] as? Bool == false)
        #expect(Set(view.members.keys) == ["monitor-0", "monitor-1", "monitor-2"])

        for path in [
            "/cluster/brokers/1/stop", "/cluster/brokers/1/start", "/cluster/brokers/1/rtt",
            "/cluster/partitions/transactions/0/leader", "/cluster/consumers/monitor-0/stop",
        ] {
            let response = try await HTTPClient.postJSON(
                "\(gateway.baseURL)\(path)",
                #"{"broker":2,"milliseconds":100}"#
            )
            #expect(response.status == 404, "\(path): \(response.status)")
        }
        let after = try await Self.waitForView(gateway, timeout: .seconds(3)) { _ in false }
        #expect(after.brokers.allSatisfy { $0["up"] as? Bool == true })
        #expect(after.partitions.mapValues(\.leader) == view.partitions.mapValues(\.leader), "no leader moved")
        #expect(after.faults.isEmpty)
        #expect(Set(after.members.values.flatMap { $0 }) == Set(0..<6))
    }

    @Test func tansu_isShown_withItsBroker_sixPartitions_andTheGroup() async throws {
        let tansu = try TansuBroker(topics: TansuEndToEndTests.topics)
        defer { tansu.stop() }
        let gateway = try GatewayProcess.start(
            ["--bootstrap-servers", tansu.bootstrap, "--producers", "1", "--consumers", "1"],
            environment: TansuEndToEndTests.groupEnvironment
        )
        defer { gateway.stop(grace: .seconds(10)) }
        let view = try await Self.waitForView(gateway, timeout: .seconds(40)) { $0.isComplete }
        #expect(view.isComplete, "\(view.json)\n\(gateway.log.suffix(2000))")
        #expect(view.brokers.count >= 1)
        #expect(view.members.count == 1)
        #expect(view.members.values.first.map(Set.init) == Set(0..<6))
        #expect(view.json["embedded"] as? Bool == false)
        let stop = try await HTTPClient.send("POST", "\(gateway.baseURL)/cluster/brokers/1/stop")
        #expect(stop.status == 404)
    }

    @Test func faults_withAPIKeysOn_needAKey() async throws {
        let key = "cluster-test-key"
        // SHA-256 of the key (`printf %s cluster-test-key | sha256sum`): the file holds digests only.
        let digest = "1cfd8df8cba6ff7da6ed1397da1e4909b2710bc345ff339df2d06ac1c4f045db"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString)")
        try "student:\(digest)\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let gateway = try GatewayProcess.start(["--api-keys-file", file.path])
        defer { gateway.stop() }
        let refused = try await HTTPClient.send(
            "POST",
            "\(gateway.baseURL)/cluster/brokers/2/rtt",
            body: #"{"milliseconds":50}"#
        )
        #expect(refused.status == 401)
        let accepted = try await HTTPClient.send(
            "POST",
            "\(gateway.baseURL)/cluster/brokers/2/rtt",
            body: #"{"milliseconds":50}"#,
            headers: ["Authorization": "Bearer \(key)"]
        )
        #expect(accepted.status == 200, "\(accepted.text)")
        let view = try await HTTPClient.send(
            "GET",
            "\(gateway.baseURL)/cluster",
            headers: ["Authorization": "Bearer \(key)"]
        )
        let faults = try view.json()["faults"] as? [[String: Any]] ?? []
        #expect(faults.count == 1)
    }

    // MARK: - The page in a browser

    @Test func clusterPage_showsThreeBrokersAndSixPartitions_andAStopClickShowsTheBrokerDown() async throws {
        let gateway = try GatewayProcess.start()
        defer { gateway.stop() }
        _ = try await Self.waitForView(gateway, timeout: .seconds(30)) { $0.isComplete }
        for index in 0..<12 {
            let response = try await HTTPClient.postJSON(
                "\(gateway.baseURL)/transactions",
                sampleTransaction(id: "page-\(index)", account: "acc-page-\(index % 4)", amount: "\"1234.56\""),
                headers: ["X-Client-Name": index % 2 == 0 ? "Producer 1" : "Producer 2"]
            )
            #expect(response.status == 202)
        }
        let followed = try await HTTPClient.postJSON(
            "\(gateway.baseURL)/transactions",
            sampleTransaction(id: "page-follow", account: "acc-follow-me"),
            headers: ["X-Client-Name": "Producer 1"]
        )
        let partition = try #require(try followed.json()["partition"] as? Int)

        let browser = try HeadlessChromium(width: 1400, height: 950)
        defer { browser.close() }
        try browser.navigate(to: "\(gateway.baseURL)/cluster.html")
        let shown = try browser.waitUntil(
            "document.querySelectorAll('.broker[data-up=\"true\"]').length === 3 && document.querySelectorAll('#partitions tbody tr').length === 6 && document.querySelectorAll('.client').length === 2",
            timeout: .seconds(15)
        )
        #expect(shown, "three brokers up, six partitions, two producers")
        #expect(try browser.evaluate("document.querySelector('h1').textContent") as? String == "Kafka cluster")

        // Following an account: the page's partitioner agrees with the gateway's 202.
        _ = try browser.evaluate(
            "document.getElementById('follow-input').value = 'acc-follow-me'; document.getElementById('follow-button').click(); 0"
        )
        let shownPartition =
            try browser.evaluate("document.getElementById('follow-result').dataset.partition") as? String
        #expect(shownPartition == String(partition))

        let png = try browser.screenshot()
        try Self.save(png, as: "cluster-view.png")

        _ = try browser.evaluate(
            "document.querySelector('button[data-action=\"stop\"][data-broker-id=\"2\"]').click(); 0"
        )
        let downShown = try browser.waitUntil(
            "document.querySelector('.broker[data-broker-id=\"2\"]').dataset.up === 'false' && document.querySelectorAll('#faults li').length === 1",
            timeout: .seconds(10)
        )
        #expect(downShown, "the click shows broker 2 down and the fault listed")
        let leaders =
            try browser.evaluate(
                "[...document.querySelectorAll('#partitions tbody tr')].map((r) => r.dataset.leader).join(',')"
            ) as? String
        let movedAway = try browser.waitUntil(
            "![...document.querySelectorAll('#partitions tbody tr')].some((r) => r.dataset.leader === '2')",
            timeout: .seconds(10)
        )
        #expect(movedAway, "no partition led by the stopped broker: \(leaders ?? "")")
        try Self.save(try browser.screenshot(), as: "cluster-view-broker-down.png")
    }

    @Test func clusterPage_withAcceptLanguagePtBR_isPortuguese_withRealAmounts() async throws {
        let gateway = try GatewayProcess.start()
        defer { gateway.stop() }
        let time = ISO8601DateFormatter().string(from: Date())
        let batch = try await HTTPClient.send(
            "POST",
            "\(gateway.baseURL)/transactions",
            body: DashboardEndToEndTests.transactions(at: time).joined(separator: "\n"),
            headers: ["Content-Type": "application/x-ndjson", "X-Client-Name": "Produtor 1"]
        )
        #expect(batch.status == 200)
        _ = try await DashboardEndToEndTests.waitForStats(gateway, count: 24)

        let page = try await HTTPClient.send(
            "GET",
            "\(gateway.baseURL)/cluster.html",
            headers: ["Accept-Language": "pt-BR,pt;q=0.9"]
        )
        #expect(page.header("Content-Language") == "pt-BR")
        #expect(page.text.contains(#"<html lang="pt-BR">"#))

        let browser = try HeadlessChromium(width: 1400, height: 950)
        defer { browser.close() }
        try browser.setAcceptLanguage("pt-BR,pt;q=0.9")
        try browser.navigate(to: "\(gateway.baseURL)/cluster.html")
        let shown = try browser.waitUntil(
            "document.querySelectorAll('.broker').length === 3 && !!document.querySelector('[data-money=\"BRL\"]')",
            timeout: .seconds(15)
        )
        #expect(shown)
        #expect(try browser.evaluate("document.querySelector('h1').textContent") as? String == "Cluster Kafka")
        #expect(try browser.evaluate("document.querySelector('.broker .badge').textContent") as? String == "no ar")
        let money = try browser.evaluate("document.querySelector('[data-money=\"BRL\"]').textContent") as? String ?? ""
        let normalized = money.replacingOccurrences(of: "\u{00A0}", with: " ")
        #expect(normalized.wholeMatch(of: /R\$ \d{1,3}(\.\d{3})*,\d{2}/) != nil, "R$ in the Brazilian form: \(money)")
        try Self.save(try browser.screenshot(), as: "cluster-view.pt-BR.png")

        // The dashboard too: Portuguese, and its BRL sums as R$.
        try browser.navigate(to: "\(gateway.baseURL)/")
        let dashboard = try browser.waitUntil(
            "!!document.querySelector('td[data-window=\"total\"][data-currency=\"BRL\"] [data-field=sum]') && document.querySelector('td[data-window=\"total\"][data-currency=\"BRL\"] [data-field=sum]').textContent.startsWith('R$')",
            timeout: .seconds(15)
        )
        #expect(dashboard, "the dashboard's BRL sums in R$")
        #expect(try browser.evaluate("document.documentElement.lang") as? String == "pt-BR")
        #expect(
            try browser.evaluate("document.querySelector('[data-i18n=\"alertsTitle\"]').textContent") as? String
                == "Alertas mais recentes"
        )
        try Self.save(try browser.screenshot(), as: "dashboard.pt-BR.png")
    }

    static func save(_ png: Data, as name: String) throws {
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
        try png.write(to: RepositoryChecks.root.appendingPathComponent(".build/\(name)"))
        if ProcessInfo.processInfo.environment["UPDATE_CLUSTER_SCREENSHOTS"] == "1" {
            try png.write(to: RepositoryChecks.root.appendingPathComponent("docs/\(name)"))
        }
    }
}
