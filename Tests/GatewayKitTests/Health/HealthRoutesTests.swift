import Foundation
import KafkaBridge
import Synchronization
import Testing

@testable import GatewayKit

@Suite struct HealthRoutesTests {
    @Test func readyz_ready_namesBrokers_andNotReady_gives503WithTheKafkaError() async throws {
        let ready = RouteHarness(readiness: { .success(["127.0.0.1:9092"]) })
        let up = try #require(await ready.client.execute("GET", "/readyz"))
        #expect(up.status == 200)
        #expect(up.text == #"{"bootstrap_servers":"127.0.0.1:9092","brokers":["127.0.0.1:9092"],"embedded_cluster":false,"status":"ready"}"#)

        let down = RouteHarness(readiness: { .failure(KafkaError.messageTimedOut) })
        let response = try #require(await down.client.execute("GET", "/readyz"))
        #expect(response.status == 503)
        #expect(response.headers["Retry-After"] == "1")
        #expect(try response.json()["error"] as? String == "_MSG_TIMED_OUT: Local: Message timed out")
        #expect(try #require(await down.client.execute("GET", "/healthz")).status == 200)
    }

    @Test func concurrentProbes_shareOneCheck() async throws {
        let checks = Atomic<Int>(0)
        let gate = Mutex(false)
        let probe = ReadinessProbe(freshness: .seconds(60)) {
            checks.add(1, ordering: .relaxed)
            while !gate.withLock({ $0 }) { usleep(1000) }  // held until every probe is waiting
            return .success(["b"])
        }
        let answered = Atomic<Int>(0)
        for _ in 0..<50 { probe.probe { _ in answered.add(1, ordering: .relaxed) } }
        gate.withLock { $0 = true }
        try await waitUntil { answered.load(ordering: .relaxed) == 50 }
        probe.probe { _ in answered.add(1, ordering: .relaxed) }  // fresh: from the cached result
        #expect(answered.load(ordering: .relaxed) == 51)
        #expect(checks.load(ordering: .relaxed) == 1)
    }
}
