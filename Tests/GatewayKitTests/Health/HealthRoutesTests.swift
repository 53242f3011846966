import Foundation
import Synchronization
import Testing

@testable import GatewayKit

@Suite struct HealthRoutesTests {
    @Test func readyz_ready_namesBrokers_andNotReady_gives503WithTheKafkaError() async throws {
        let ready = RouteHarness(readiness: { .success(["127.0.0.1:9092"]) })
        let up = try #require(await ready.client.execute(.get, "/readyz"))
        #expect(up.status == 200)
        #expect(
            up.text
                == #"{"bootstrap_servers":"127.0.0.1:9092","brokers":["127.0.0.1:9092"],"embedded_cluster":false,"status":"ready"}"#
        )

        let down = RouteHarness(readiness: {
            .failure(BrokerCheckFailure(name: "_MSG_TIMED_OUT", message: "Local: Message timed out"))
        })
        let response = try #require(await down.client.execute(.get, "/readyz"))
        #expect(response.status == 503)
        #expect(response.headers["Retry-After"] == "1")
        #expect(try response.json()["error"] as? String == "_MSG_TIMED_OUT: Local: Message timed out")
        #expect(try #require(await down.client.execute(.get, "/healthz")).status == 200)
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

    // MARK: deliveries (the metadata check answers in all of these)

    @Test func readyz_deliveriesAllFailing_gives503WithTheReason_thoughBrokersAnswer() async throws {
        let failing = ProducerHealth(
            consecutiveFailures: 12,
            failingFor: .seconds(10),
            lastFailureAgo: .milliseconds(500),
            lastError: "_MSG_TIMED_OUT",
            lastSuccessAgo: .seconds(25),
            pending: 3,
            waitingFor: .milliseconds(500)
        )
        let harness = RouteHarness(deliveryHealth: { [failing, ProducerHealth()] })
        let response = try #require(await harness.client.execute(.get, "/readyz"))
        #expect(response.status == 503)
        #expect(response.headers["Retry-After"] == "1")
        let body = try response.json()
        #expect(body["status"] as? String == "not_ready")
        #expect(body["reason"] as? String == "deliveries failing: _MSG_TIMED_OUT x 12 in the last 10 s")
        #expect(body["last_delivery_error"] as? String == "_MSG_TIMED_OUT")
        #expect(body["last_success_seconds_ago"] as? Double == 25)
        #expect(body["brokers"] as? [String] == ["127.0.0.1:9092"])
        #expect(body["error"] == nil)
    }

    @Test func readyz_readyAgainOnceADeliverySucceeds() async throws {
        let outcomes = Mutex(
            ProducerHealth(
                consecutiveFailures: 5,
                failingFor: .seconds(4),
                lastFailureAgo: .seconds(1),
                lastError: "UNKNOWN_PRODUCER_ID"
            )
        )
        let harness = RouteHarness(deliveryHealth: { [outcomes.withLock { $0 }] })
        #expect(try #require(await harness.client.execute(.get, "/readyz")).status == 503)

        outcomes.withLock { $0 = ProducerHealth(lastSuccessAgo: .milliseconds(200)) }
        let response = try #require(await harness.client.execute(.get, "/readyz"))
        #expect(response.status == 200)
        #expect(
            response.text
                == #"{"bootstrap_servers":"127.0.0.1:9092","brokers":["127.0.0.1:9092"],"embedded_cluster":false,"last_success_seconds_ago":0.2,"status":"ready"}"#
        )
    }

    @Test func readyz_fewFailuresOrAStaleStreak_stayReady_butShowTheLastError() async throws {
        let two = ProducerHealth(
            consecutiveFailures: 2,
            failingFor: .seconds(1),
            lastFailureAgo: .seconds(1),
            lastError: "_MSG_TIMED_OUT"
        )
        let few = try #require(await RouteHarness(deliveryHealth: { [two] }).client.execute(.get, "/readyz"))
        #expect(few.status == 200)
        #expect(try few.json()["last_delivery_error"] as? String == "_MSG_TIMED_OUT")

        // The last failure is older than two delivery timeouts (20 s): nobody sent records since,
        // so the instance gets its chance again instead of staying out of rotation for good.
        let stale = ProducerHealth(
            consecutiveFailures: 40,
            failingFor: .seconds(60),
            lastFailureAgo: .seconds(21),
            lastError: "_MSG_TIMED_OUT"
        )
        let old = try #require(await RouteHarness(deliveryHealth: { [stale] }).client.execute(.get, "/readyz"))
        #expect(old.status == 200)
        #expect(try old.json()["reason"] == nil)
    }

    @Test func readinessSettings_setTheStreakLengthAndHowLongItCounts() throws {
        let configuration = try ServeSettings.resolve(
            flags: ["readiness-failures": "5"],
            kafkaFlags: [],
            environment: ["GATEWAY_READINESS_FAILURE_WINDOW_MS": "60000"]
        )
        let readiness = configuration.deliveryReadiness
        func streak(_ failures: Int, lastFailureAgo: Duration) -> ProducerHealth {
            ProducerHealth(
                consecutiveFailures: failures,
                failingFor: .seconds(30),
                lastFailureAgo: lastFailureAgo,
                lastError: "_MSG_TIMED_OUT"
            )
        }
        #expect(readiness.judge([streak(4, lastFailureAgo: .seconds(1))]).reason == nil)
        #expect(
            readiness.judge([streak(5, lastFailureAgo: .seconds(1))]).reason
                == "deliveries failing: _MSG_TIMED_OUT x 5 in the last 30 s"
        )
        // Older than the default two delivery timeouts (20 s), within the 60 s set.
        #expect(readiness.judge([streak(5, lastFailureAgo: .seconds(45))]).reason != nil)
        #expect(readiness.judge([streak(5, lastFailureAgo: .seconds(61))]).reason == nil)
        // Defaults: three failures, two delivery timeouts.
        let defaults = GatewayConfiguration().deliveryReadiness
        #expect(defaults.judge([streak(3, lastFailureAgo: .seconds(19))]).reason != nil)
        #expect(defaults.judge([streak(3, lastFailureAgo: .seconds(21))]).reason == nil)
    }

    @Test func readyz_recordsWaitingWithoutAnyReportPastTheDeliveryTimeout_gives503() async throws {
        let silent = ProducerHealth(
            lastSuccessAgo: .seconds(30),
            pending: 40,
            waitingFor: .milliseconds(12_300)
        )
        let response = try #require(await RouteHarness(deliveryHealth: { [silent] }).client.execute(.get, "/readyz"))
        #expect(response.status == 503)
        #expect(try response.json()["reason"] as? String == "no delivery report for 12.3 s with 40 records waiting")

        let busy = ProducerHealth(lastSuccessAgo: .milliseconds(5), pending: 40, waitingFor: .milliseconds(5))
        #expect(
            try #require(await RouteHarness(deliveryHealth: { [busy] }).client.execute(.get, "/readyz")).status == 200
        )
    }

    @Test func readyz_noBrokerAnswers_reasonNamesTheMetadataError() async throws {
        let harness = RouteHarness(readiness: {
            .failure(BrokerCheckFailure(name: "_ALL_BROKERS_DOWN", message: "Local: All broker connections are down"))
        })
        let response = try #require(await harness.client.execute(.get, "/readyz"))
        #expect(response.status == 503)
        #expect(try response.json()["reason"] as? String == "no broker answers a metadata request: _ALL_BROKERS_DOWN")
    }

    @Test func metrics_countProducerReplacements() async throws {
        let response = try #require(await RouteHarness().client.execute(.get, "/metrics"))
        #expect(
            response.text.contains(
                "# TYPE gateway_kafka_producer_replacements_total counter\ngateway_kafka_producer_replacements_total 0\n"
            )
        )
    }
}
