import Benchmark
import Foundation
import GatewayKit

/// A partition's checkpoint after the 1,000,000 transactions over 100,000 accounts (all in
/// one partition: the worst case for one record in the changelog): the time to write it (encode),
/// the time to restore it (decode and install, what a new owner pays on assignment), and its size
/// (the custom metric "checkpoint bytes").
func checkpointBenchmarks() {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, .custom("checkpoint bytes", useScalingFactor: false)],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        scalingFactor: .one,
        maxDuration: .seconds(30),
        maxIterations: 10
    )
    Benchmark("checkpoint write after 1M transactions, 100k accounts", configuration: configuration) {
        benchmark,
        filled in
        benchmark.startMeasurement()
        let bytes = filled.monitor.checkpoint(of: Monitor.unpartitioned, createdAt: filled.now)
        benchmark.stopMeasurement()
        benchmark.measurement(.custom("checkpoint bytes", useScalingFactor: false), bytes?.count ?? 0)
        blackHole(bytes)
    } setup: {
        try filledMonitor()
    }
    Benchmark("checkpoint restore after 1M transactions, 100k accounts", configuration: configuration) {
        (benchmark: Benchmark, stored: Stored) in
        let monitor = Monitor()
        benchmark.startMeasurement()
        let restored = try monitor.restore(checkpoint: stored.bytes)
        benchmark.stopMeasurement()
        benchmark.measurement(.custom("checkpoint bytes", useScalingFactor: false), stored.bytes.count)
        // A restore that lost the accounts or the statistics measured less work than it claims.
        let counters = monitor.counters
        if counters.accountsTracked != stored.accounts || counters.dedupeEntries != stored.dedupeEntries
            || restored.partition != Monitor.unpartitioned
        {
            benchmark.error("restore lost state: \(counters.accountsTracked) of \(stored.accounts) accounts")
        }
    } setup: {
        let filled = try filledMonitor()
        let counters = filled.monitor.counters
        return Stored(
            bytes: filled.monitor.checkpoint(of: Monitor.unpartitioned, createdAt: filled.now) ?? [],
            accounts: counters.accountsTracked,
            dedupeEntries: counters.dedupeEntries
        )
    }
}

struct Stored {
    var bytes: [UInt8]
    var accounts: Int
    var dedupeEntries: Int
}

/// The workload recorded into one monitor, as the snapshot benchmark does.
func filledMonitor() throws -> (monitor: Monitor, now: Date) {
    let workload = try Workload.make()
    let monitor = Monitor()
    for index in workload.transactions.indices {
        _ = monitor.record(workload.transactions[index], now: workload.times[index])
    }
    return (monitor, workload.times[workload.times.count - 1])
}
