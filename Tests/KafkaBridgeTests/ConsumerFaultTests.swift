import Foundation
import Testing

@testable import KafkaBridge

/// A consumer whose brokers vanish must still stop within its bound (a synchronous
/// revocation commit inside rd_kafka_consumer_close waited forever).
@Suite struct ConsumerFaultTests {
    /// Down: connections refused. Silent: brokers accept but answer only after ten minutes, as a
    /// stopped broker process does (SIGSTOP).
    enum Fault: CaseIterable { case down, silent }

    @Test(arguments: Fault.allCases)
    func brokersGone_stopReturnsWithinItsBound(fault: Fault) async throws {
        let cluster = try makeCluster(topic: "t", partitions: 3)
        defer { cluster.close() }
        let pool = try KafkaProducerPool(
            configuration: producerConfiguration(cluster),
            logger: testLogger("down-producer")
        )
        defer { pool.close(timeout: .seconds(5)) }
        for index in 0..<30 {
            _ = try await pool.produce(topic: "t", key: "key-\(index % 7)".bytes, value: "\(index)".bytes, headers: [])
        }
        let worker = try KafkaConsumerWorker(
            configuration: consumerConfiguration(cluster, group: "down"),
            name: "down",
            logger: testLogger("down"),
            handler: { _ in }
        )
        worker.start()
        #expect(await eventually(timeout: .seconds(20)) { worker.consumedCount == 30 })

        for broker in 1...3 {
            switch fault {
            case .down: cluster.setBrokerDown(Int32(broker))
            case .silent: cluster.setBrokerRoundTripTime(Int32(broker), .seconds(600))
            }
        }
        let clock = ContinuousClock()
        let started = clock.now
        let closed = worker.stop(timeout: .seconds(3))
        let elapsed = clock.now - started
        // The bound is the assertion (with slack for a loaded machine), not a timing claim.
        #expect(elapsed < .seconds(5), "stop took \(elapsed) (closed: \(closed))")
        #expect(worker.stop(timeout: .seconds(3)) == closed)  // idempotent, and quick the second time
        #expect(clock.now - started < .seconds(6))
    }
}
