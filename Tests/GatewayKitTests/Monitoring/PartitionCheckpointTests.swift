import Foundation
import Testing

@testable import GatewayKit

/// A partition's state written as a checkpoint and read back is the same state: the statistics
/// read the same, the dedupe ids still skip, and the rules continue where they were.
@Suite struct PartitionCheckpointTests {
    /// A mix that touches every part of the state: two currencies, countries, channels, a partial
    /// velocity burst, a running mean, a country, a recent charge, and a non-UUID id.
    static let history: [Transaction] = [
        Fixture.tx("3f2b8c1e-0d4a-4f6b-9a7e-1c2d3e4f5a6b", account: "acc-v", amount: "12.34", at: 1),
        Fixture.tx(
            "3F2B8C1E-0D4A-4F6B-9A7E-1C2D3E4F5A6C",
            account: "acc-v",
            amount: "50",
            currency: "EUR",
            at: 2,
            country: "DE"
        ),
        Fixture.tx(
            "plain-id-3",
            account: "acc-v",
            amount: "7.5",
            at: 3,
            merchant: "shop-9",
            country: nil,
            channel: nil
        ),
        Fixture.tx(
            "plain-id-4",
            account: "acc-w",
            amount: "9999.99",
            currency: "BRL",
            at: 4,
            country: "BR",
            channel: .pix
        ),
    ]

    static func checkpointed(_ monitor: Monitor, partition: Int32 = Monitor.unpartitioned) throws -> PartitionCheckpoint
    {
        let state = try #require(monitor.state(of: partition))
        let checkpoint = PartitionCheckpoint(
            partition: partition,
            coveredOffset: state.coveredOffset,
            createdAt: 1234,
            writer: "test",
            state: state
        )
        return try PartitionCheckpoint(decoding: checkpoint.encoded(), configuration: monitor.configuration)
    }

    @Test func roundTrip_givesTheSameStatistics_andKeepsHeader() throws {
        let monitor = Fixture.monitor(rules: [.velocity, .amountSpike, .countryHop, .duplicateCharge])
        for tx in Self.history { monitor.feed(tx) }
        let restored = try Self.checkpointed(monitor)
        #expect(restored.createdAt == 1234 && restored.writer == "test" && restored.partition == Monitor.unpartitioned)
        let copy = Fixture.monitor(rules: [.velocity, .amountSpike, .countryHop, .duplicateCharge])
        copy.install(restored.state, for: Monitor.unpartitioned)
        #expect(copy.snapshot(now: Fixture.at(10)) == monitor.snapshot(now: Fixture.at(10)))
        #expect(copy.counters.accountsTracked == 2 && copy.counters.dedupeEntries == 4)
    }

    @Test func restoredState_continuesTheRules_andSkipsKnownIds() throws {
        let rules: Set<AlertRuleName> = [.velocity, .duplicateCharge, .countryHop]
        let before = Fixture.monitor(rules: rules) { $0.rules.velocity.count = 4 }
        for tx in Self.history.prefix(3) { before.feed(tx) }
        let after = Fixture.monitor(rules: rules) { $0.rules.velocity.count = 4 }
        after.install(try Self.checkpointed(before).state, for: Monitor.unpartitioned)
        // An id applied before the checkpoint is still a duplicate after it.
        #expect(after.record(Self.history[0], now: Fixture.at(5)) == nil)
        // The fourth transaction completes the burst begun before the checkpoint (count 4), and
        // the same merchant and amount as "plain-id-3" is a duplicate charge.
        let alerts = after.feed(
            Fixture.tx("after-1", account: "acc-v", amount: "7.5", at: 6, merchant: "shop-9", country: "FR")
        )
        #expect(Set(alerts.map(\.rule)) == [.velocity, .duplicateCharge, .countryHop])
        #expect(alerts.first { $0.rule == .velocity }?.transactionIds.first == "3f2b8c1e-0d4a-4f6b-9a7e-1c2d3e4f5a6b")
        #expect(
            alerts.first { $0.rule == .countryHop }?.transactionIds
                == ["3F2B8C1E-0D4A-4F6B-9A7E-1C2D3E4F5A6C", "after-1"]
        )
    }

    @Test func mergingPartitions_equalsOneStateOfEverything() {
        // Slots are first come per partition: partition 0 sees USD first, partition 1 EUR first.
        let one = Fixture.monitor()
        let split = Fixture.monitor()
        let transactions = (0..<40).map { index in
            Fixture.tx(
                "m-\(index)",
                account: "acc-\(index % 7)",
                amount: "\(index * 3 + 1).25",
                currency: index % 3 == 0 ? "EUR" : "USD",
                at: Double(index) * 5,
                country: ["US", "DE", "BR"][index % 3],
                channel: index % 2 == 0 ? .pix : .atm
            )
        }
        for (index, tx) in transactions.enumerated() {
            _ = one.record(tx, source: 0, now: Fixture.at(200))
            _ = split.record(tx, source: index < 20 ? Int32(index % 2) : Int32(1 - index % 2), now: Fixture.at(200))
        }
        var merged = split.snapshot(now: Fixture.at(200))
        var single = one.snapshot(now: Fixture.at(200))
        // Only the per-partition lateness differs by construction; none is late here.
        #expect(merged.late == 0 && single.late == 0)
        merged.generatedAt = single.generatedAt
        single.partitions = nil
        #expect(merged == single)
        #expect(merged.total.currencies["EUR"]?.count == 14)
    }

    @Test func truncatedOrForeignBytes_throwInsteadOfTrapping() throws {
        let monitor = Fixture.monitor(rules: [.velocity])
        for tx in Self.history { monitor.feed(tx) }
        let state = try #require(monitor.state(of: Monitor.unpartitioned))
        let bytes = PartitionCheckpoint(partition: 3, coveredOffset: 41, createdAt: 0, writer: "w", state: state)
            .encoded()
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 50)) {
            #expect(throws: StateFormatError.self) {
                try PartitionCheckpoint(decoding: Array(bytes.prefix(cut)), configuration: monitor.configuration)
            }
        }
        #expect(throws: StateFormatError.self) {
            try PartitionCheckpoint(decoding: Array("not a checkpoint".utf8), configuration: monitor.configuration)
        }
        let header = try PartitionCheckpoint.statistics(from: bytes, configuration: monitor.configuration).header
        #expect(header.partition == 3 && header.coveredOffset == 41)
    }

    @Test func amountHistogram_isCumulativeWithExactSums_inMetrics() {
        let monitor = Fixture.monitor()
        for (index, amount) in ["0.50", "1", "1.01", "99.99", "250000"].enumerated() {
            monitor.feed(Fixture.tx("h-\(index)", amount: amount, at: Double(index)))
        }
        let service = MonitorService(
            monitor: monitor,
            alerts: AlertStore(capacity: 10),
            producer: StandInProducer(),
            alertsTopic: "transactions.alerts",
            logger: .init(label: "test")
        )
        let text = MonitorMetrics.render(service)
        #expect(text.contains("# TYPE gateway_transaction_amount histogram\n"))
        #expect(text.contains("\ngateway_transaction_amount_bucket{currency=\"USD\",le=\"1\"} 2\n"))
        #expect(text.contains("\ngateway_transaction_amount_bucket{currency=\"USD\",le=\"5\"} 3\n"))
        #expect(text.contains("\ngateway_transaction_amount_bucket{currency=\"USD\",le=\"100\"} 4\n"))
        #expect(text.contains("\ngateway_transaction_amount_bucket{currency=\"USD\",le=\"100000\"} 4\n"))
        #expect(text.contains("\ngateway_transaction_amount_bucket{currency=\"USD\",le=\"+Inf\"} 5\n"))
        #expect(text.contains("\ngateway_transaction_amount_sum{currency=\"USD\"} 250102.5\n"))
        #expect(text.contains("\ngateway_transaction_amount_count{currency=\"USD\"} 5\n"))
        #expect(!text.contains("quantile") && !text.contains("gateway_window_amount_sum"))
    }
}
