import Foundation
import Synchronization
import Testing

/// Signals on the real gateway: SIGTERM under load loses no acknowledged record; with the brokers
/// gone it still exits within `--shutdown-timeout`, naming what it abandoned; a second signal
/// exits at once. The cluster runs in a process of its own (`gateway kafka`), so that it outlives
/// the gateway (records are read back afterwards) and can be stopped (SIGSTOP: connections stay
/// open and nothing answers, as when brokers die under load).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ShutdownEndToEndTests {
    /// The mock cluster rebalances after session.timeout.ms; short values keep the tests quick.
    static let groupEnvironment = ["KAFKA_SESSION_TIMEOUT_MS": "6000", "KAFKA_HEARTBEAT_INTERVAL_MS": "500"]

    @Test(arguments: [SIGTERM, SIGKILL])
    func signalUnderLoad_losesNoAcknowledgedRecord(signal: Int32) async throws {
        let cluster = try GatewayProcess.startCluster()
        defer { cluster.stop() }
        let gateway = try GatewayProcess.start(["--bootstrap-servers", cluster.bootstrapServers, "--consumers", "0"])
        defer { gateway.stop() }

        let load = Load(url: "\(gateway.baseURL)/transactions", clients: 8)
        let running = Task { await load.run() }
        #expect(await load.waitForAcknowledged(atLeast: 100, timeout: .seconds(30)))
        gateway.send(signal: signal)
        #expect(gateway.waitForExit(timeout: .seconds(40)))
        load.stop()
        await running.value

        if signal == SIGTERM {
            #expect(gateway.terminationStatus == 0, "\(gateway.log.suffix(3000))")
            #expect(gateway.log.contains("gateway stopped"))
            #expect(!gateway.log.contains("shutdown abandoned work"))
        }
        let acknowledged = load.acknowledged
        let inKafka = Set(
            try Kcat.consumeAll(bootstrap: cluster.bootstrapServers, topic: "transactions")
                .compactMap { $0.value.firstMatch(of: /"id":"([^"]+)"/).map { String($0.1) } }
        )
        #expect(acknowledged.count >= 100)
        let lost = acknowledged.subtracting(inKafka)
        #expect(lost.isEmpty, "acknowledged with 202 but not in Kafka: \(lost.sorted().prefix(10))")
    }

    /// SIGTERM with a healthy embedded cluster: the consumers commit and leave in order (none
    /// leaves the group while another still commits), so nothing is logged above info and the exit
    /// is clean. Also right after start, while the group is still forming (librdkafka 2.0.2 aborted
    /// destroying a cooperative consumer between its JoinGroup and first SyncGroup).
    @Test(arguments: [false, true])
    func cleanStop_logsNoWarning(whileJoining: Bool) async throws {
        let gateway = try GatewayProcess.start()
        defer { gateway.stop() }
        if !whileJoining {
            try await MonitoringEndToEndTests.waitForPartitions([gateway], 6)
            for index in 0..<12 {
                let response = try await HTTPClient.postJSON(
                    "\(gateway.baseURL)/transactions",
                    sampleTransaction(id: "clean-\(index)", account: "acc-clean-\(index)")
                )
                #expect(response.status == 202)
            }
            _ = try await MonitoringEndToEndTests.waitFor(gateway, "gateway_monitor_recorded_total", 12)
        }
        let signalled = ContinuousClock.now
        gateway.send(signal: SIGTERM)
        #expect(gateway.waitForExit(timeout: .seconds(20)))
        #expect(gateway.terminationStatus == 0, "\(gateway.log.suffix(3000))")
        #expect(gateway.log.contains("gateway stopped"))
        let loud = gateway.log.split(separator: "\n").filter {
            $0.contains(" warning ") || $0.contains(" error ") || $0.contains(" critical ")
        }
        #expect(loud.isEmpty, "\(loud.joined(separator: "\n"))")
        // Not a timing claim (the machine is shared): the bound only catches a wait for a timeout.
        #expect(ContinuousClock.now - signalled < .seconds(5))
    }

    /// A gateway whose consumers own all partitions, on a cluster process that `body` may stop.
    private func withGatewayInAGroup(
        shutdownTimeout: Int,
        _ body: (_ gateway: GatewayProcess, _ cluster: GatewayProcess) async throws -> Void
    ) async throws {
        let cluster = try GatewayProcess.startCluster()
        defer {
            cluster.send(signal: SIGCONT)
            cluster.stop()
        }
        let gateway = try GatewayProcess.start(
            ["--bootstrap-servers", cluster.bootstrapServers, "--shutdown-timeout", "\(shutdownTimeout)"],
            environment: Self.groupEnvironment
        )
        defer { gateway.stop(grace: .seconds(2)) }
        try await MonitoringEndToEndTests.waitForPartitions([gateway], 6)
        try await body(gateway, cluster)
    }

    @Test func sigterm_withTheBrokersGone_exitsWithinTheShutdownTimeout_namingWhatWasAbandoned() async throws {
        try await withGatewayInAGroup(shutdownTimeout: 5) { gateway, cluster in
            cluster.send(signal: SIGSTOP)
            // A request Kafka cannot answer now, in flight when the signal comes.
            let stuck = Task {
                try await HTTPClient.postJSON("\(gateway.baseURL)/transactions", sampleTransaction(id: "stuck-1"))
            }
            _ = try await MonitoringEndToEndTests.waitFor(
                gateway,
                "gateway_kafka_producer_queue_depth",
                1,
                timeout: .seconds(20)
            )
            let signalled = ContinuousClock.now
            gateway.send(signal: SIGTERM)
            // The bound is the assertion (5 s plus slack for a loaded machine), not a timing claim.
            #expect(
                gateway.waitForExit(timeout: .seconds(10)),
                "still running 10 s after SIGTERM with --shutdown-timeout 5"
            )
            let elapsed = ContinuousClock.now - signalled
            #expect(elapsed < .seconds(10))
            #expect(gateway.terminationStatus == 1, "abandoned work gives a non-zero exit")

            let answer = try await stuck.value
            #expect(answer.status == 503, "\(answer.text)")
            #expect(answer.header("Retry-After") != nil)
            let line = try #require(
                gateway.log.split(separator: "\n").first { $0.contains("shutdown abandoned work") },
                "\(gateway.log.suffix(3000))"
            )
            #expect(line.contains("error"))
            #expect(line.contains("requests_cut_off=1"), "\(line)")
            #expect(line.firstMatch(of: /records_undelivered=[1-9]/) != nil, "\(line)")
        }
    }

    @Test func secondSigterm_exitsAtOnce() async throws {
        try await withGatewayInAGroup(shutdownTimeout: 120) { gateway, cluster in
            // With no broker answering, the consumers' close alone would take half of the 120 s.
            cluster.send(signal: SIGSTOP)
            gateway.send(signal: SIGTERM)
            _ = try gateway.waitForLine(containing: "shutting down", timeout: .seconds(10))
            #expect(
                !gateway.waitForExit(timeout: .milliseconds(500)),
                "the first signal starts a shutdown that waits for the consumers"
            )
            let signalled = ContinuousClock.now
            gateway.send(signal: SIGTERM)
            #expect(gateway.waitForExit(timeout: .seconds(10)), "still running 10 s after the second SIGTERM")
            #expect(ContinuousClock.now - signalled < .seconds(10))
            #expect(gateway.terminationStatus == 1)
            #expect(gateway.log.contains("second signal: exiting at once"), "\(gateway.log.suffix(3000))")
        }
    }
}

/// Clients posting transactions back to back until stopped or refused; remembers the ids
/// answered 202.
private final class Load: Sendable {
    let url: String
    let clients: Int
    private let state = Mutex((acknowledged: Set<String>(), stopped: false))

    init(url: String, clients: Int) {
        self.url = url
        self.clients = clients
    }

    var acknowledged: Set<String> { state.withLock { $0.acknowledged } }

    func stop() { state.withLock { $0.stopped = true } }

    func run() async {
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask { await self.client(client) }
            }
        }
    }

    /// Polls (bounded) until `count` ids were acknowledged.
    func waitForAcknowledged(atLeast count: Int, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if acknowledged.count >= count { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    private func client(_ client: Int) async {
        var sequence = 0
        while !state.withLock({ $0.stopped }) {
            sequence += 1
            let id = "load-\(client)-\(sequence)"
            // Refused or reset once the gateway stops listening: this client is done.
            guard
                let response = try? await HTTPClient.postJSON(
                    url,
                    sampleTransaction(id: id, account: "acc-\(sequence % 50)")
                )
            else { return }
            if response.status == 202 { state.withLock { _ = $0.acknowledged.insert(id) } }
        }
    }
}
