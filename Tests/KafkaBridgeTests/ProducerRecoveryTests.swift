import Foundation
import KafkaBridgeTesting
import Logging
import Testing

@testable import KafkaBridge

/// What the pool reports about its deliveries, and how it heals a producer that cannot recover.
@Suite struct ProducerRecoveryTests {
    @Test func allBrokersDown_failuresShowInDeliveryHealth_andALoggedStreak_untilADeliverySucceeds() async throws {
        let cluster = try makeCluster(topic: "t", partitions: 3)
        defer { cluster.close() }
        let logs = LogCapture()
        let pool = try await warmPool(
            cluster,
            deliveryTimeout: .milliseconds(1500),
            logger: logs.logger("brokers-down-health")
        ) {
            $0.failureLogInterval = .seconds(60)
        }
        defer { pool.close(timeout: .seconds(5)) }
        #expect(pool.deliveryHealth().first?.consecutiveFailures == 0)
        #expect(pool.deliveryHealth().first?.lastSuccessAgo != nil)

        for broker in 1...3 { cluster.setBrokerDown(Int32(broker)) }
        let failures = Collector<Result<DeliveryReport, KafkaError>>()
        for index in 0..<5 {
            try pool.produce(topic: "t", key: "k".bytes, value: "lost-\(index)".bytes, headers: []) {
                failures.append($0)
            }
        }
        #expect(pool.deliveryHealth().first?.pending == 5)
        #expect(await eventually(timeout: .seconds(15)) { failures.count == 5 })
        let failing = try #require(pool.deliveryHealth().first)
        #expect(failing.consecutiveFailures == 5)
        #expect(failing.lastError == "_MSG_TIMED_OUT")
        #expect(failing.pending == 0)
        // One warning for the streak, not one per record (the next line is due in 60 s).
        let warnings = logs.all.filter { $0.message == "Kafka deliveries failing" }
        #expect(warnings.count == 1)
        #expect(warnings.first?.level == .warning)
        #expect(warnings.first?.metadata["errors"] == "_MSG_TIMED_OUT x 1")

        for broker in 1...3 { cluster.setBrokerUp(Int32(broker)) }
        #expect(await produceUntilDelivered(pool) != nil, "producer did not recover after the brokers came back")
        #expect(pool.deliveryHealth().first?.consecutiveFailures == 0)
        #expect(logs.all.contains { $0.message == "Kafka deliveries succeed again" })
    }

    @Test func sustainedFailures_areLoggedOncePerInterval_withCounts_thenAtErrorLevel() async throws {
        let cluster = try makeCluster(topic: "t", partitions: 1)
        defer { cluster.close() }
        let logs = LogCapture()
        let pool = try await warmPool(cluster, deliveryTimeout: .milliseconds(500), logger: logs.logger("log-interval"))
        {
            $0.failureLogInterval = .milliseconds(700)
            $0.failureEscalation = .milliseconds(700)
        }
        defer { pool.close(timeout: .seconds(2)) }

        for broker in 1...3 { cluster.setBrokerDown(Int32(broker)) }
        let failures = Collector<Result<DeliveryReport, KafkaError>>()
        // Five waves of ten records, each failing after the 0.5 s delivery timeout.
        for wave in 0..<5 {
            for index in 0..<10 {
                try pool.produce(topic: "t", key: "k".bytes, value: "w\(wave)-\(index)".bytes, headers: []) {
                    failures.append($0)
                }
            }
            #expect(await eventually(timeout: .seconds(10)) { failures.count == (wave + 1) * 10 })
        }
        let lines = logs.all.filter { $0.message.hasPrefix("Kafka deliveries") }
        #expect(lines.count >= 2 && lines.count < 10, "\(lines.map(\.message))")
        #expect(lines.first?.level == .warning)
        #expect(lines.last?.level == .error)
        #expect(lines.allSatisfy { ($0.metadata["errors"] ?? "").hasPrefix("_MSG_TIMED_OUT x ") })
        #expect((Int(lines.last?.metadata["consecutive_failures"] ?? "") ?? 0) > 10, "\(lines.map(\.metadata))")
    }

    @Test func fatalError_replacesTheProducerInItsSlot_countsIt_andTheNextProduceSucceeds() async throws {
        let cluster = try makeCluster(topic: "t", partitions: 3)
        defer { cluster.close() }
        let logs = LogCapture()
        let pool = try KafkaProducerPool(
            configuration: producerConfiguration(cluster, poolSize: 1),
            logger: logs.logger("fatal")
        )
        defer { pool.close(timeout: .seconds(5)) }
        let before = try await pool.produce(topic: "t", key: "k".bytes, value: "before".bytes, headers: [])
        #expect(pool.replacements == 0)

        // A record in flight on the old producer when it dies: the brokers are slow to answer.
        for broker in 1...3 { cluster.setBrokerRoundTripTime(Int32(broker), .seconds(3)) }
        let inFlight = Collector<Result<DeliveryReport, KafkaError>>()
        try pool.produce(topic: "t", key: "k".bytes, value: "in-flight".bytes, headers: []) { inFlight.append($0) }
        pool.raiseFatalError(
            slot: 0,
            code: 59,
            reason: "UNKNOWN_PRODUCER_ID from a broker that lost its state"
        )

        #expect(await eventually(timeout: .seconds(10)) { pool.replacements == 1 })
        #expect(await eventually(timeout: .seconds(10)) { inFlight.count == 1 })
        if case .success(let report) = inFlight.all.first {
            Issue.record("in-flight record acknowledged by a dead producer: \(report)")
        }
        let replaced = logs.all.filter { $0.message.hasPrefix("Kafka producer replaced") }
        #expect(replaced.count == 1)
        #expect(replaced.first?.level == .error)
        #expect(replaced.first?.metadata["reason"]?.contains("test_fatal_error") == true, "\(replaced)")

        for broker in 1...3 { cluster.setBrokerRoundTripTime(Int32(broker), .zero) }
        let after = try await pool.produce(topic: "t", key: "k".bytes, value: "after".bytes, headers: [])
        // Same key, same partition: the key's place in the pool and its partitioning survive.
        #expect(after.partition == before.partition)
        #expect(after.offset > before.offset)
        #expect(pool.replacements == 1)
    }

    @Test func replacementInAPoolOfTwo_keepsTheOtherProducer_andEveryKeyStillProduces() async throws {
        let cluster = try makeCluster(topic: "t", partitions: 6)
        defer { cluster.close() }
        let pool = try KafkaProducerPool(
            configuration: producerConfiguration(cluster, poolSize: 2),
            logger: testLogger("fatal-pool")
        )
        defer { pool.close(timeout: .seconds(5)) }
        _ = try await pool.produce(topic: "t", key: "warm".bytes, value: "up".bytes, headers: [])
        pool.raiseFatalError(slot: 1, code: 45, reason: "OUT_OF_ORDER_SEQUENCE_NUMBER")
        #expect(await eventually(timeout: .seconds(10)) { pool.replacements == 1 })
        for index in 0..<20 {
            _ = try await pool.produce(topic: "t", key: "acc-\(index)".bytes, value: "v".bytes, headers: [])
        }
        #expect(pool.replacements == 1)
        #expect(pool.deliveryHealth().allSatisfy { $0.consecutiveFailures == 0 })
    }

    /// The issue's case: a broker that lost its state answers metadata, while librdkafka 2.0.2 loops
    /// on UNKNOWN_PRODUCER_ID internally and reports nothing but `_MSG_TIMED_OUT`.
    @Test func everyDeliveryTimingOutWhileBrokersAnswer_replacesTheProducer_andIngestionResumes() async throws {
        let cluster = try makeCluster(topic: "t", partitions: 1)
        defer { cluster.close() }
        let logs = LogCapture()
        let pool = try await warmPool(cluster, deliveryTimeout: .seconds(1), logger: logs.logger("pid-loop")) {
            $0.stuckProducerAfter = .milliseconds(1500)
        }
        defer { pool.close(timeout: .seconds(2)) }

        // UNKNOWN_PRODUCER_ID on the next 200 Produce requests: several seconds of librdkafka's loop
        // (the mock then answers again, so a fresh producer gets through after the errors are used up).
        cluster.pushRequestErrors(apiKey: 0, errors: Array(repeating: 59, count: 200))
        let results = Collector<Result<DeliveryReport, KafkaError>>()
        let replaced = await eventually(timeout: .seconds(20)) {
            try? pool.produce(topic: "t", key: "k".bytes, value: "v".bytes, headers: []) { results.append($0) }
            usleep(100_000)
            return pool.replacements >= 1
        }
        #expect(replaced, "no replacement; outcomes: \(results.all.prefix(3))")
        #expect(
            results.all.contains { if case .failure(let error) = $0 { error.name == "_MSG_TIMED_OUT" } else { false } }
        )
        let line = logs.all.first { $0.message.hasPrefix("Kafka producer replaced") }
        #expect(
            line?.metadata["reason"]?.contains("every delivery failed (_MSG_TIMED_OUT)") == true,
            "\(String(describing: line))"
        )

        #expect(await produceUntilDelivered(pool, timeout: .seconds(20)) != nil, "ingestion did not resume")
    }

    @Test func allBrokersDown_producerIsNotReplaced() async throws {
        let cluster = try makeCluster(topic: "t", partitions: 1)
        defer { cluster.close() }
        let pool = try await warmPool(cluster, deliveryTimeout: .milliseconds(400), logger: testLogger("down-kept")) {
            $0.stuckProducerAfter = .milliseconds(500)
        }
        defer { pool.close(timeout: .seconds(1)) }
        for broker in 1...3 { cluster.setBrokerDown(Int32(broker)) }
        let results = Collector<Result<DeliveryReport, KafkaError>>()
        for _ in 0..<8 {
            try pool.produce(topic: "t", key: "k".bytes, value: "v".bytes, headers: []) { results.append($0) }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(await eventually(timeout: .seconds(10)) { results.count == 8 })
        // Give a replacement that was wrongly started (its metadata check takes up to 2 s) time to show.
        #expect(await eventually(timeout: .seconds(3)) { pool.replacements > 0 } == false)
    }
}
