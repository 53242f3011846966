import Foundation
import Testing

/// `/readyz` on the real gateway against a cluster process that stops answering (SIGSTOP: the
/// sockets stay open and nothing answers, as a hung broker does) and comes back (SIGCONT).
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ReadinessEndToEndTests {
    @Test func clusterStopped_readyzTurns503WithAReason_andBackTo200OnceADeliverySucceeds() async throws {
        let cluster = try GatewayProcess.startCluster()
        defer {
            cluster.send(signal: SIGCONT)
            cluster.stop()
        }
        let gateway = try GatewayProcess.start([
            "--bootstrap-servers", cluster.bootstrapServers, "--consumers", "0",
            "--producers", "1", "--delivery-timeout-ms", "3000",
        ])
        defer { gateway.stop(grace: .seconds(5)) }
        let readyz = "\(gateway.baseURL)/readyz"
        #expect(try await HTTPClient.poll(readyz, timeout: .seconds(10)) { $0.status == 200 } != nil)
        let before = try await HTTPClient.postJSON("\(gateway.baseURL)/transactions", sampleTransaction(id: "before"))
        #expect(before.status == 202)

        cluster.send(signal: SIGSTOP)
        let stopped = ContinuousClock.now
        let posts = (0..<3).map { index in
            Task {
                try await HTTPClient.postJSON(
                    "\(gateway.baseURL)/transactions",
                    sampleTransaction(id: "during-\(index)")
                )
            }
        }
        // Within the 3 s delivery timeout plus a bound for a loaded machine.
        let notReady = try await HTTPClient.poll(readyz, timeout: .seconds(13)) { $0.status == 503 }
        #expect(ContinuousClock.now - stopped < .seconds(13))
        #expect(notReady?.header("Retry-After") != nil)
        #expect(((try notReady?.json()["reason"] as? String) ?? "").isEmpty == false)
        for post in posts { #expect(try await post.value.status == 503) }
        // The three records timed out: the delivery side of the reason says so, by librdkafka's name.
        let failing = try await HTTPClient.poll(readyz, timeout: .seconds(10)) {
            ((try? $0.json()["reason"] as? String) ?? "").contains("deliveries failing: _MSG_TIMED_OUT x 3")
        }
        #expect(failing != nil)
        #expect(gateway.log.contains("Kafka deliveries failing"), "\(gateway.log.suffix(2000))")

        cluster.send(signal: SIGCONT)
        let delivered = try await HTTPClient.poll(
            "\(gateway.baseURL)/transactions",
            method: "POST",
            body: sampleTransaction(id: "after"),
            timeout: .seconds(20)
        ) { $0.status == 202 }
        #expect(delivered != nil, "no record acknowledged after SIGCONT")
        let ready = try await HTTPClient.poll(readyz, timeout: .seconds(5)) { $0.status == 200 }
        #expect(ready != nil)
        #expect(try ready?.json()["reason"] == nil)
    }
}
