import Foundation
import Logging
import Testing

@testable import GatewayKit

/// The monitor's consumer side through the gateway's own consumer seam, with no Kafka: records a
/// group member hands over reach the statistics and the rules, an alert keeps the trace of its
/// record, skipped records are counted per partition, and a stop stops every member.
@Suite struct MonitorServiceConsumingTests {
    private static let trace = "0af7651916cd43dd8448eb211c80319c"

    @Test func consumedRecords_reachStatisticsAndRules_andTheAlertCarriesTheRecordsTrace() throws {
        let producer = StandInProducer()
        let service = Self.service(producer: producer)
        let consumers = StandInConsumers()
        try service.start(factory: consumers, topic: "transactions", groupID: "monitor", consumers: 2)
        #expect(consumers.member("monitor-0")?.commitsHandledRecords == true, "no changelog: offsets as handled")
        #expect(consumers.member("alert-reader")?.maxBatch == 1)
        #expect(consumers.consumer("monitor-1")?.started == true)

        let now = Date().timeIntervalSince(Fixture.start)
        let big = Fixture.tx("tx-big", account: "acc-1", amount: "25000.00", at: now)
        let small = Fixture.tx("tx-small", account: "acc-2", amount: "10", at: now)
        let traceparent = RecordHeader("traceparent", Array("00-\(Self.trace)-b7ad6b7169203331-01".utf8))
        consumers.consumer("monitor-0")?.deliver([
            ConsumedRecord(partition: 0, offset: 7, key: nil, value: TransactionJSONWriter.bytes(of: small)),
            ConsumedRecord(
                partition: 0,
                offset: 8,
                key: nil,
                value: TransactionJSONWriter.bytes(of: big),
                headers: [TransactionRecord.contentType, traceparent]
            ),
            ConsumedRecord(partition: 0, offset: 9, key: nil, value: Array("not a transaction".utf8)),
        ])

        #expect(service.clusterSnapshot().total.count == 2)
        #expect(service.invalidRecordCount == 1)
        let alert = try #require(service.alerts.query(AlertQuery()).alerts.first)
        #expect(alert.accountId == "acc-1")
        #expect(alert.traceId == Self.trace)
        let published = try #require(producer.produced.first)
        #expect(published.topic == "transactions.alerts")
        #expect(published.headers.contains { $0.name == "traceparent" })

        let deadline = ContinuousClock.now + .seconds(1)
        service.beginStop(closeBy: deadline)
        #expect(service.finishStop(until: deadline).isEmpty)
        #expect(consumers.consumer("monitor-0")?.stopped == true)
        #expect(consumers.consumer("alert-reader")?.stopped == true)
    }

    @Test func aSkippedRange_isCountedForItsPartition() throws {
        let service = Self.service(producer: StandInProducer())
        let consumers = StandInConsumers()
        try service.start(factory: consumers, topic: "transactions", groupID: "monitor", consumers: 1)
        let onSkipped = try #require(consumers.member("monitor-0")?.onSkipped)
        onSkipped(SkippedRange(topic: "transactions", partition: 3, from: 100, to: 140))
        #expect(service.skipped.total == 40)
        #expect(service.skipped.byPartition[3] == SkippedRecords.Partition(records: 40, lastFrom: 100, lastTo: 140))
    }

    private static func service(producer: StandInProducer) -> MonitorService {
        MonitorService(
            monitor: Fixture.monitor(rules: [.highAmount]),
            alerts: AlertStore(capacity: 10),
            producer: producer,
            alertsTopic: "transactions.alerts",
            logger: Logger(label: "test")
        )
    }
}
