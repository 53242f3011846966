import Foundation
import Testing

@testable import KafkaBridge

@Suite struct KafkaProducerPoolTests {
    @Test func produce_awaitsDeliveryReport_andKcatReadsKeyValueHeaders() async throws {
        let cluster = try makeCluster(topic: "payments", partitions: 3)
        defer { cluster.close() }
        let pool = try KafkaProducerPool(configuration: producerConfiguration(cluster), logger: testLogger("produce"))
        defer { pool.close(timeout: .seconds(5)) }

        var reports: [String: DeliveryReport] = [:]
        for index in 1...3 {
            let report = try await pool.produce(
                topic: "payments",
                key: "acct-\(index)".bytes,
                value: "value-\(index)".bytes,
                headers: [KafkaHeader("request-id", "req-\(index)".bytes), KafkaHeader("source", "test".bytes)]
            )
            #expect(report.topic == "payments")
            #expect((0..<3).contains(report.partition))
            #expect(report.offset >= 0)
            reports["acct-\(index)"] = report
        }
        // The awaiting task resumes inside the delivery-report callback, a moment before
        // librdkafka takes the record off its queue count.
        #expect(await eventually(timeout: .seconds(2)) { pool.queueDepth == 0 })

        let lines = try kcatRead(cluster, topic: "payments")
        #expect(lines.count == 3)
        for index in 1...3 {
            let report = try #require(reports["acct-\(index)"])
            let expected =
                "acct-\(index)|value-\(index)|\(report.partition)|\(report.offset)|request-id=req-\(index),source=test"
            #expect(lines.contains(expected), "missing \(expected) in \(lines)")
        }
    }

    @Test func sameKey_landsOnSamePartition_inProduceOrder_whereJavaPutsIt() async throws {
        let cluster = try makeCluster(topic: "keys", partitions: 6)
        defer { cluster.close() }
        let pool = try KafkaProducerPool(
            configuration: producerConfiguration(cluster, poolSize: 3),
            logger: testLogger("keys")
        )
        defer { pool.close(timeout: .seconds(5)) }

        let keys = (0..<8).map { "account-\($0)" }
        let reports = Collector<(key: String, sequence: Int, report: DeliveryReport)>()
        let failures = Collector<KafkaError>()
        for sequence in 0..<40 {
            for key in keys {
                try pool.produce(topic: "keys", key: key.bytes, value: "\(sequence)".bytes, headers: []) { result in
                    switch result {
                    case .success(let report): reports.append((key, sequence, report))
                    case .failure(let error): failures.append(error)
                    }
                }
            }
        }
        let total = 40 * keys.count
        #expect(await eventually(timeout: .seconds(15)) { reports.count + failures.count == total })
        #expect(failures.all.isEmpty, "\(failures.all)")

        for key in keys {
            let ofKey = reports.all.filter { $0.key == key }.sorted { $0.sequence < $1.sequence }
            #expect(ofKey.count == 40)
            let partitions = Set(ofKey.map(\.report.partition))
            #expect(
                partitions == [javaPartition(key: key.bytes, partitions: 6)],
                "key \(key) spread over \(partitions)"
            )
            let offsets = ofKey.map(\.report.offset)
            #expect(offsets == offsets.sorted(), "key \(key) out of order")
        }
        // Eight keys over six partitions: the keys really are spread, not all on one partition.
        #expect(Set(reports.all.map(\.report.partition)).count > 1)
    }

    @Test func close_failsUndeliverableRecordsExactlyOnce_andRefusesNewOnes() async throws {
        let cluster = try makeCluster(topic: "t", partitions: 2)
        defer { cluster.close() }
        let pool = try KafkaProducerPool(configuration: producerConfiguration(cluster), logger: testLogger("close"))
        _ = try await pool.produce(topic: "t", key: nil, value: "warm-up".bytes, headers: [])

        for broker in 1...3 { cluster.setBrokerDown(Int32(broker)) }
        let results = Collector<Result<DeliveryReport, KafkaError>>()
        for index in 0..<10 {
            try pool.produce(topic: "t", key: "k\(index)".bytes, value: "v".bytes, headers: []) { results.append($0) }
        }
        // rd_kafka_outq_len also counts pending callbacks (the brokers-down error events).
        #expect(pool.queueDepth >= 10)
        pool.close(timeout: .milliseconds(300))
        pool.close(timeout: .milliseconds(300))  // idempotent

        #expect(results.count == 10)
        for result in results.all {
            guard case .failure(let error) = result else {
                Issue.record("delivered while all brokers were down")
                continue
            }
            #expect(error.name.hasPrefix("_PURGE"), "\(error)")
        }
        #expect(throws: KafkaError.self) {
            try pool.produce(topic: "t", key: nil, value: [], headers: []) { _ in }
        }
        do {
            try pool.produce(topic: "t", key: nil, value: [], headers: []) { _ in }
        } catch {
            #expect(error.name == "_DESTROY")
        }
        #expect(pool.queueDepth == 0)
    }

    @Test func invalidProperty_isRejectedWithLibrdkafkasExplanation() throws {
        let cluster = try makeCluster(topic: "t", partitions: 1)
        defer { cluster.close() }
        var configuration = producerConfiguration(cluster)
        configuration.kafka.properties["no.such.property"] = "1"
        do {
            _ = try KafkaProducerPool(configuration: configuration, logger: testLogger("invalid"))
            Issue.record("pool accepted an unknown property")
        } catch {
            #expect(error.name == "_INVALID_ARG")
            #expect(error.message.contains("no.such.property"))
        }
    }

    /// Records that arrive while a wave is in flight wait for it, but not behind a broker that is
    /// down: past the hold bound they leave anyway, and the partitions that answer deliver them.
    @Test func aPartitionWhoseBrokerIsDown_doesNotHoldRecordsForTheOthers() async throws {
        let cluster = try makeCluster(topic: "w", partitions: 2)
        defer { cluster.close() }
        cluster.setPartitionLeader(topic: "w", partition: 0, broker: 1)
        cluster.setPartitionLeader(topic: "w", partition: 1, broker: 2)
        let pool = try KafkaProducerPool(
            configuration: producerConfiguration(cluster, poolSize: 1),
            logger: testLogger("hold")
        )
        defer { pool.close(timeout: .milliseconds(300)) }
        for partition: Int32 in [0, 1] {
            let delivered = Collector<Result<DeliveryReport, KafkaError>>()
            try pool.produce(topic: "w", partition: partition, key: nil, value: "warm-up".bytes, headers: []) {
                delivered.append($0)
            }
            #expect(await eventually(timeout: .seconds(10)) { delivered.count == 1 })
        }

        cluster.setBrokerDown(1)
        let stuck = Collector<Result<DeliveryReport, KafkaError>>()
        try pool.produce(topic: "w", partition: 0, key: nil, value: "to a broker that is down".bytes, headers: []) {
            stuck.append($0)
        }
        let behind = Collector<Result<DeliveryReport, KafkaError>>()
        for index in 0..<20 {
            try pool.produce(topic: "w", partition: 1, key: nil, value: "behind \(index)".bytes, headers: []) {
                behind.append($0)
            }
        }
        #expect(await eventually(timeout: .seconds(5)) { behind.count == 20 })
        #expect(behind.all.allSatisfy { if case .success = $0 { true } else { false } }, "\(behind.all)")
        #expect(stuck.count == 0, "the record for the broker that is down was answered first: \(stuck.all)")
    }
}
