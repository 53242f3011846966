import Foundation
import Synchronization
import Testing

@testable import KafkaBridge

@Suite struct KafkaConsumerWorkerTests {
    private func produce(_ pool: KafkaProducerPool, count: Int, from start: Int = 0) async throws {
        let results = Collector<Result<DeliveryReport, KafkaError>>()
        for index in start..<(start + count) {
            try pool.produce(topic: "t", key: "key-\(index % 13)".bytes, value: "\(index)".bytes, headers: []) {
                results.append($0)
            }
        }
        #expect(await eventually(timeout: .seconds(15)) { results.count == count })
        #expect(results.all.allSatisfy { if case .success = $0 { true } else { false } })
    }

    @Test func worker_readsAll_commits_andLaterWorkerInGroupDoesNotReRead() async throws {
        let cluster = try makeCluster(topic: "t", partitions: 6)
        defer { cluster.close() }
        let pool = try KafkaProducerPool(
            configuration: producerConfiguration(cluster),
            logger: testLogger("group-producer")
        )
        defer { pool.close(timeout: .seconds(5)) }
        try await produce(pool, count: 60)

        let first = Collector<KafkaRecord>()
        let worker1 = try KafkaConsumerWorker(
            configuration: consumerConfiguration(cluster, group: "stats"),
            name: "w1",
            logger: testLogger("w1"),
            handler: { first.append($0) }
        )
        worker1.start()
        #expect(await eventually(timeout: .seconds(20)) { worker1.consumedCount == 60 })
        #expect(worker1.assignedPartitions == Array(0..<6))
        #expect(Set(first.all.map(\.value)) == Set((0..<60).map { "\($0)".bytes }))
        #expect(first.all.allSatisfy { $0.topic == "t" && $0.key != nil })
        // Caught up: once the high watermarks are known, every partition reports zero lag.
        #expect(
            await eventually(timeout: .seconds(10)) {
                let lag = worker1.lag()
                return lag.count == 6 && lag.allSatisfy { $0.lag == 0 }
            }
        )
        worker1.stop()
        worker1.stop()  // idempotent
        #expect(worker1.assignedPartitions.isEmpty)
        #expect(worker1.lag().isEmpty)

        try await produce(pool, count: 20, from: 60)
        let second = Collector<KafkaRecord>()
        let worker2 = try KafkaConsumerWorker(
            configuration: consumerConfiguration(cluster, group: "stats"),
            name: "w2",
            logger: testLogger("w2"),
            handler: { second.append($0) }
        )
        worker2.start()
        defer { worker2.stop() }
        // Joining the group after the first member left can take several mock rebalance rounds.
        #expect(await eventually(timeout: .seconds(45)) { worker2.consumedCount >= 20 })
        // Give a re-read (if there were one) time to show up.
        try await Task.sleep(for: .milliseconds(500))
        #expect(worker2.consumedCount == 20)
        #expect(Set(second.all.map(\.value)) == Set((60..<80).map { "\($0)".bytes }))
    }

    @Test func lag_countsRecordsNotYetHandled() async throws {
        let cluster = try makeCluster(topic: "t", partitions: 3)
        defer { cluster.close() }
        let pool = try KafkaProducerPool(
            configuration: producerConfiguration(cluster),
            logger: testLogger("lag-producer")
        )
        defer { pool.close(timeout: .seconds(5)) }
        try await produce(pool, count: 30)

        // The handler holds the first record until released, so the rest stays unconsumed.
        let release = Atomic(false)
        let worker = try KafkaConsumerWorker(
            configuration: consumerConfiguration(cluster, group: "slow"),
            name: "slow",
            logger: testLogger("slow"),
            handler: { _ in
                let clock = ContinuousClock()
                let deadline = clock.now + .seconds(30)
                while !release.load(ordering: .acquiring) && clock.now < deadline { usleep(5_000) }
            }
        )
        worker.start()
        defer {
            release.store(true, ordering: .releasing)
            worker.stop()
        }
        // 30 records, the one in the handler counts as taken: 29 or 30 behind, depending on
        // whether librdkafka counts the in-flight one as consumed.
        #expect(
            await eventually(timeout: .seconds(20)) {
                let lag = worker.lag()
                let total = lag.reduce(0) { $0 + $1.lag }
                return lag.count == 3 && (29...30).contains(total)
            },
            "lag: \(worker.lag())"
        )
        release.store(true, ordering: .releasing)
        #expect(await eventually(timeout: .seconds(10)) { worker.lag().reduce(0) { $0 + $1.lag } == 0 })
        #expect(worker.consumedCount == 30)
    }

    @Test func rebalance_betweenRunningWorkers_neitherLosesNorReCounts() async throws {
        let cluster = try makeCluster(topic: "t", partitions: 6)
        defer { cluster.close() }
        let pool = try KafkaProducerPool(
            configuration: producerConfiguration(cluster),
            logger: testLogger("rebalance-producer")
        )
        defer { pool.close(timeout: .seconds(5)) }
        try await produce(pool, count: 60)

        let seen = Collector<String>()
        let handler: @Sendable (KafkaRecord) -> Void = { seen.append("\($0.partition)/\($0.offset)") }
        let worker1 = try KafkaConsumerWorker(
            configuration: consumerConfiguration(cluster, group: "pair"),
            name: "a",
            logger: testLogger("a"),
            handler: handler
        )
        worker1.start()
        defer { worker1.stop() }
        #expect(await eventually(timeout: .seconds(20)) { worker1.consumedCount == 60 })
        // Let the caught-up commit land before the second member joins: the mock coordinator
        // (unlike a real broker) refuses every commit from the moment a rebalance starts, so the
        // commit on revocation cannot save records processed after that moment.
        try await Task.sleep(for: .seconds(1))

        let worker2 = try KafkaConsumerWorker(
            configuration: consumerConfiguration(cluster, group: "pair"),
            name: "b",
            logger: testLogger("b"),
            handler: handler
        )
        worker2.start()
        defer { worker2.stop() }
        let split: @Sendable () -> Bool = {
            let a = worker1.assignedPartitions
            let b = worker2.assignedPartitions
            return !a.isEmpty && !b.isEmpty && Set(a).isDisjoint(with: b) && a.count + b.count == 6
        }
        // Stable for a second: the mock sometimes needs more than one round to settle a join.
        var stableSince: ContinuousClock.Instant? = nil
        #expect(
            await eventually(timeout: .seconds(25)) {
                guard split() else {
                    stableSince = nil
                    return false
                }
                let now = ContinuousClock.now
                if stableSince == nil { stableSince = now }
                return now - stableSince! >= .seconds(1)
            },
            "assignments: \(worker1.assignedPartitions) / \(worker2.assignedPartitions)"
        )
        #expect(seen.count == 60, "records re-read during the hand-over: \(seen.count - 60)")

        try await produce(pool, count: 60, from: 60)
        #expect(await eventually(timeout: .seconds(20)) { seen.count >= 120 })
        try await Task.sleep(for: .milliseconds(500))
        let all = seen.all
        #expect(all.count == 120, "duplicates: \(all.count - Set(all).count)")
        #expect(Set(all).count == 120)
        #expect(worker1.consumedCount > 60 || worker2.consumedCount > 0)
    }
}
