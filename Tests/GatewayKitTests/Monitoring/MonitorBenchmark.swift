import Foundation
import Testing
@testable import GatewayKit

/// Not a test: measures the monitor's cost per record (thread CPU time) and its memory after 1,000,000
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
        let monitor = Monitor()
        let rssBefore = Self.residentBytes()
        var generator = SystemRandomNumberGenerator()
        var nanoseconds: UInt64 = 0
        var alerts = 0
        for start in stride(from: 0, to: Self.total, by: Self.chunk) {
            let batch = (start..<start + Self.chunk).map { Self.transaction($0, using: &generator) }
            let began = Self.cpuNanoseconds()
            for tx in batch { alerts += monitor.record(tx, now: tx.receivedAt)?.count ?? 0 }
            nanoseconds += Self.cpuNanoseconds() - began
        }
        let rssAfter = Self.residentBytes()
        let snapshotBegan = Self.cpuNanoseconds()
        let snapshot = monitor.snapshot(now: Self.time(Self.total))
        let snapshotMilliseconds = Double(Self.cpuNanoseconds() - snapshotBegan) / 1e6

        let batched = Monitor()
        let batchedNanoseconds = Self.measure(batched, count: 200_000, batch: 1000, using: &generator)
        var statisticsOnly = MonitorConfiguration()
        for rule in AlertRuleName.allCases { statisticsOnly.rules.disable(rule) }
        let withoutRules = Self.measure(Monitor(configuration: statisticsOnly), count: 200_000, batch: 1, using: &generator)
        let counters = monitor.counters
        print("""
            monitor benchmark: \(Self.total) transactions, \(Self.accounts) accounts
              record(): \(Double(nanoseconds) / Double(Self.total)) ns per record (one lock per record)
              record(contentsOf:) batches of 1000: \(batchedNanoseconds) ns per record (first 200,000)
              record() with every rule disabled: \(withoutRules) ns per record (first 200,000)
              RSS: +\((rssAfter - rssBefore) / 1_048_576) MiB (after malloc_trim)
              snapshot: \(snapshotMilliseconds) ms; total \(snapshot.total.count), 1m \(snapshot.windows[0].count)
              alerts: \(alerts), accounts tracked: \(counters.accountsTracked), dedupe entries: \(counters.dedupeEntries), late: \(counters.late)
            """)
        #expect(counters.recorded == Self.total)
    }

    /// Nanoseconds per record over `count` new transactions, recorded `batch` at a time.
    static func measure(_ monitor: Monitor, count: Int, batch: Int, using generator: inout SystemRandomNumberGenerator) -> Double {
        var nanoseconds: UInt64 = 0
        for start in stride(from: 0, to: count, by: chunk) {
            let transactions = (start..<start + chunk).map { transaction($0, using: &generator) }
            let began = Self.cpuNanoseconds()
            if batch == 1 {
                for tx in transactions { _ = monitor.record(tx, now: tx.receivedAt) }
            } else {
                for offset in stride(from: 0, to: chunk, by: batch) {
                    let slice = Array(transactions[offset..<offset + batch])
                    _ = monitor.record(contentsOf: slice, now: slice[slice.count - 1].receivedAt)
                }
            }
            nanoseconds += Self.cpuNanoseconds() - began
        }
        return Double(nanoseconds) / Double(count)
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

    /// CPU time of this thread: other processes sharing the 2 cores (parallel builds) inflate
    /// wall-clock time, not this.
    static func cpuNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Resident memory after asking malloc to give freed memory back (so the transactions the
    /// generator made and dropped do not count). `malloc_trim` is looked up dynamically because
    /// the Glibc module does not export <malloc.h>.
    static func residentBytes() -> Int {
        typealias Trim = @convention(c) (Int) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") {
            _ = unsafeBitCast(symbol, to: Trim.self)(0)
        }
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ")[1]) else { return 0 }
        return kilobytes * 1024
    }
}
