import Foundation
import Testing

@testable import KafkaBridge

/// Fault injection through the mock cluster: broker errors, lost brokers.
@Suite struct ProducerFaultTests {
    /// Kafka's protocol API key of Produce requests.
    private let produceAPIKey: Int16 = 0

    @Test func nonRetriableProduceError_surfacesAsKafkaErrorWithLibrdkafkasName() async throws {
        let cluster = try makeCluster(topic: "t", partitions: 1)
        defer { cluster.close() }
        let pool = try KafkaProducerPool(
            configuration: producerConfiguration(cluster, poolSize: 1),
            logger: testLogger("invalid-record")
        )
        defer { pool.close(timeout: .seconds(5)) }
        _ = try await pool.produce(topic: "t", key: "k".bytes, value: "warm-up".bytes, headers: [])

        cluster.pushRequestErrors(apiKey: produceAPIKey, errors: [87])  // INVALID_RECORD
        do {
            let report = try await pool.produce(topic: "t", key: "k".bytes, value: "rejected".bytes, headers: [])
            Issue.record("expected INVALID_RECORD, got \(report)")
        } catch {
            #expect(error.code == 87)
            #expect(error.name == "INVALID_RECORD")
            #expect(!error.isRetriable)
            #expect(!error.isTimedOut)
        }
        // The producer keeps working after a permanent per-record failure.
        let report = try await pool.produce(topic: "t", key: "k".bytes, value: "accepted".bytes, headers: [])
        #expect(report.offset >= 1)
    }

    @Test func retriableProduceErrors_areRetriedUntilTheRecordIsWritten() async throws {
        let cluster = try makeCluster(topic: "t", partitions: 1)
        defer { cluster.close() }
        let pool = try KafkaProducerPool(
            configuration: producerConfiguration(cluster, poolSize: 1),
            logger: testLogger("retriable")
        )
        defer { pool.close(timeout: .seconds(5)) }
        _ = try await pool.produce(topic: "t", key: "k".bytes, value: "warm-up".bytes, headers: [])

        // NOT_ENOUGH_REPLICAS three times, then the broker accepts.
        cluster.pushRequestErrors(apiKey: produceAPIKey, errors: [19, 19, 19])
        let report = try await pool.produce(topic: "t", key: "k".bytes, value: "eventually".bytes, headers: [])
        #expect(report.offset == 1)
        // Idempotence: retries did not write duplicates.
        let lines = try kcatRead(cluster, topic: "t")
        #expect(lines.filter { $0.hasPrefix("k|eventually|") }.count == 1, "\(lines)")
    }

    @Test func allBrokersDown_deliveryTimesOut_checkBrokersFails_thenRecovers() async throws {
        let cluster = try makeCluster(topic: "t", partitions: 3)
        defer { cluster.close() }
        let pool = try KafkaProducerPool(
            configuration: producerConfiguration(cluster, deliveryTimeout: .milliseconds(1500), poolSize: 1),
            logger: testLogger("brokers-down")
        )
        defer { pool.close(timeout: .seconds(5)) }
        _ = try await pool.produce(topic: "t", key: "k".bytes, value: "warm-up".bytes, headers: [])
        let healthy = try pool.checkBrokers(timeout: .seconds(5)).get()
        #expect(healthy.count == 3)

        for broker in 1...3 { cluster.setBrokerDown(Int32(broker)) }
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let report = try await pool.produce(topic: "t", key: "k".bytes, value: "lost".bytes, headers: [])
            Issue.record("delivered with all brokers down: \(report)")
        } catch {
            #expect(error.name == "_MSG_TIMED_OUT", "\(error)")
            #expect(error.isTimedOut)
            #expect(error.isRetriable)
        }
        // A bound, not a timing claim: the 1.5 s delivery timeout must end the wait, not a hang.
        #expect(clock.now - start < .seconds(15))

        switch pool.checkBrokers(timeout: .milliseconds(500)) {
        case .success(let brokers): Issue.record("metadata answered with all brokers down: \(brokers)")
        case .failure(let error): #expect(error.code < 0, "expected a local error, got \(error)")
        }

        for broker in 1...3 { cluster.setBrokerUp(Int32(broker)) }
        #expect(await produceUntilDelivered(pool) != nil, "producer did not recover after the brokers came back")
        #expect((try? pool.checkBrokers(timeout: .seconds(5)).get().count) == 3)
    }

    @Test func fullLocalQueue_throwsQueueFullSynchronously() async throws {
        let cluster = try makeCluster(topic: "t", partitions: 1)
        defer { cluster.close() }
        var configuration = producerConfiguration(cluster, poolSize: 1)
        configuration.maxQueuedMessages = 5
        let pool = try KafkaProducerPool(configuration: configuration, logger: testLogger("queue-full"))
        defer { pool.close(timeout: .milliseconds(200)) }
        _ = try await pool.produce(topic: "t", key: nil, value: "warm-up".bytes, headers: [])

        // With the brokers away nothing leaves the queue, so the sixth record overflows it.
        for broker in 1...3 { cluster.setBrokerDown(Int32(broker)) }
        let completions = Collector<Result<DeliveryReport, KafkaError>>()
        for _ in 0..<5 {
            try pool.produce(topic: "t", key: nil, value: "v".bytes, headers: []) { completions.append($0) }
        }
        do {
            try pool.produce(topic: "t", key: nil, value: "overflow".bytes, headers: []) { completions.append($0) }
            Issue.record("sixth record accepted by a queue of five")
        } catch {
            #expect(error.name == "_QUEUE_FULL")
            #expect(error.isQueueFull && error.isRetriable)
        }
        pool.close(timeout: .milliseconds(200))
        // The five accepted records complete (purged); the refused one never does.
        #expect(completions.count == 5)
    }

    @Test func slowBroker_stillDelivers() async throws {
        let cluster = try makeCluster(topic: "t", partitions: 1, label: "rtt")
        defer { cluster.close() }
        let pool = try KafkaProducerPool(
            configuration: producerConfiguration(cluster, poolSize: 1),
            logger: testLogger("rtt")
        )
        defer { pool.close(timeout: .seconds(5)) }
        _ = try await pool.produce(topic: "t", key: nil, value: "warm-up".bytes, headers: [])
        for broker in 1...3 { cluster.setBrokerRoundTripTime(Int32(broker), .milliseconds(300)) }
        let clock = ContinuousClock()
        let start = clock.now
        _ = try await pool.produce(topic: "t", key: nil, value: "slow".bytes, headers: [])
        #expect(clock.now - start >= .milliseconds(250))
    }
}
