import Foundation
import Testing
@testable import Gateway

/// Not a test: measures the monitor's cost per record and its memory after 1,000,000
/// transactions over 100,000 accounts. Disabled unless MONITOR_BENCH is set; run it optimized:
///
///     MONITOR_BENCH=1 swift test -c release -Xswiftc -enable-testing \
///         --scratch-path .build-mon --filter MonitorBenchmark
@Suite(.enabled(if: ProcessInfo.processInfo.environment["MONITOR_BENCH"] != nil))
struct MonitorBenchmark {
    static let total = 1_000_000
    static let accounts = 100_000
    static let chunk = 10_000

    @Test func oneMillionTransactions_over100kAccounts() {
        let rssBefore = Self.residentBytes()
        let monitor = Monitor()
        var generator = SystemRandomNumberGenerator()
        var nanoseconds: UInt64 = 0
        var alerts = 0
        for start in stride(from: 0, to: Self.total, by: Self.chunk) {
            let batch = (start..<start + Self.chunk).map { Self.transaction($0, using: &generator) }
            let began = DispatchTime.now().uptimeNanoseconds
            for tx in batch { alerts += monitor.record(tx, now: tx.receivedAt)?.count ?? 0 }
            nanoseconds += DispatchTime.now().uptimeNanoseconds - began
        }
        let rssAfter = Self.residentBytes()
        let snapshotBegan = DispatchTime.now().uptimeNanoseconds
        let snapshot = monitor.snapshot(now: Self.time(Self.total))
        let snapshotMilliseconds = Double(DispatchTime.now().uptimeNanoseconds - snapshotBegan) / 1e6

        let batched = Monitor()
        var batchedNanoseconds: UInt64 = 0
        for start in stride(from: 0, to: 200_000, by: 1000) {
            let batch = (start..<start + 1000).map { Self.transaction($0, using: &generator) }
            let began = DispatchTime.now().uptimeNanoseconds
            _ = batched.record(contentsOf: batch, now: batch[batch.count - 1].receivedAt)
            batchedNanoseconds += DispatchTime.now().uptimeNanoseconds - began
        }
        let counters = monitor.counters
        print("""
            monitor benchmark: \(Self.total) transactions, \(Self.accounts) accounts
              record(): \(Double(nanoseconds) / Double(Self.total)) ns per record (one lock per record)
              record(contentsOf:) batches of 1000: \(Double(batchedNanoseconds) / 200_000) ns per record
              RSS: +\((rssAfter - rssBefore) / 1_048_576) MiB (includes freed garbage of the generator)
              snapshot: \(snapshotMilliseconds) ms; total \(snapshot.total.count), 1m \(snapshot.windows[0].count)
              alerts: \(alerts), accounts tracked: \(counters.accountsTracked), dedupe entries: \(counters.dedupeEntries), late: \(counters.late)
            """)
        #expect(counters.recorded == Self.total)
    }

    /// 1,000,000 transactions over 30 minutes of event time (~555/s), arriving in order.
    static func time(_ index: Int) -> Date { Fixture.at(Double(index) * 0.0018) }

    static let currencies = ["USD", "USD", "USD", "EUR", "EUR", "BRL", "GBP", "JPY"]
    static let countries = ["US", "BR", "DE", "FR", "GB", "JP", "ES", "IT", "MX", "CA", "AR", "PT", "NL", "SE", "PL", "IN", "CN", "AU", "ZA", "KR"]

    static func transaction(_ index: Int, using generator: inout SystemRandomNumberGenerator) -> Transaction {
        let account = Int.random(in: 0..<accounts, using: &generator)
        let cents = Int.random(in: 100...50_000, using: &generator)
        let at = time(index)
        return Transaction(
            id: UUID().uuidString, accountId: "acc-\(account)",
            amount: Amount(unchecked: Decimal(cents) / 100), currency: currencies[account % currencies.count],
            timestamp: at, merchantId: "merchant-\(Int.random(in: 0..<5000, using: &generator))",
            merchantCategory: nil,
            country: account % 50 == 0 ? countries.randomElement(using: &generator) : countries[account % countries.count],
            channel: Channel.allCases.randomElement(using: &generator), metadata: nil, receivedAt: at)
    }

    static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ")[1]) else { return 0 }
        return kilobytes * 1024
    }
}
