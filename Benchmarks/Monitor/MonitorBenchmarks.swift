import Benchmark
import Foundation
import GatewayKit

/// The monitor at the scale the issue names: 1,000,000 transactions over 100,000 accounts.
/// Each sample records the whole stream into a new monitor; with the scaling factor of one million,
/// times and malloc counts are per record.
///
///     swift package -c release benchmark --target MonitorBenchmark
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        timeUnits: .nanoseconds,
        warmupIterations: 0,
        scalingFactor: .mega,
        maxDuration: .seconds(60),
        maxIterations: 3
    )
    // Memory after the run: what the monitor keeps (malloc bytes not freed, per record) and the
    // growth of the resident set.
    let memory: [BenchmarkMetric] = [.memoryLeakedBytes, .peakMemoryResidentDelta]
    recordBenchmark("record, all rules", configuration: MonitorConfiguration(), extraMetrics: memory)
    recordBenchmark("record, rules off", configuration: .statisticsOnly, extraMetrics: [])
    batchBenchmark()
    snapshotBenchmark()
    checkpointBenchmarks()
}

extension MonitorConfiguration {
    /// Dedupe and statistics only: what the rules cost is the difference to the default.
    static var statisticsOnly: MonitorConfiguration {
        var configuration = MonitorConfiguration()
        for rule in AlertRuleName.allCases { configuration.rules.disable(rule) }
        return configuration
    }
}

/// `Monitor.record` per transaction (one lock per record), as the consumers call it.
func recordBenchmark(_ name: String, configuration: MonitorConfiguration, extraMetrics: [BenchmarkMetric]) {
    let metrics = Benchmark.defaultConfiguration.metrics + extraMetrics
    Benchmark(name, configuration: .init(metrics: metrics)) { benchmark, workload in
        let monitor = Monitor(configuration: configuration)
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            blackHole(monitor.record(workload.transactions[index], now: workload.times[index]))
        }
        benchmark.stopMeasurement()
        check(monitor, recorded: benchmark.scaledIterations.count, benchmark)
    } setup: {
        try Workload.make()
    }
}

/// `Monitor.record(contentsOf:)` in batches of 1,000 (one lock per batch).
func batchBenchmark() {
    Benchmark("record(contentsOf:), batches of 1000") { benchmark, batches in
        let monitor = Monitor()
        benchmark.startMeasurement()
        for batch in batches { blackHole(monitor.record(contentsOf: batch.transactions, now: batch.now)) }
        benchmark.stopMeasurement()
        check(monitor, recorded: benchmark.scaledIterations.count, benchmark)
    } setup: {
        try Workload.make().batches(of: 1000)
    }
}

/// `Monitor.snapshot` after the whole stream: what `/stats` and `/metrics` pay per scrape.
func snapshotBenchmark() {
    // Wall clock only: CPU time comes from getrusage in 10 ms steps, coarser than a snapshot.
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        timeUnits: .microseconds,
        warmupIterations: 1,
        scalingFactor: .one,
        maxDuration: .seconds(5),
        maxIterations: 100
    )
    Benchmark("snapshot after 1M transactions", configuration: configuration) { benchmark, filled in
        blackHole(filled.monitor.snapshot(now: filled.now))
    } setup: {
        try filledMonitor()
    }
}

/// A run that lost records measured less work than it claims: fail it.
func check(_ monitor: Monitor, recorded expected: Int, _ benchmark: Benchmark) {
    let recorded = monitor.counters.recorded
    if recorded != expected { benchmark.error("recorded \(recorded) of \(expected) transactions") }
}
