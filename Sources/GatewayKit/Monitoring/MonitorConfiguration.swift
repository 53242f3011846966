import Histogram

/// Settings of the monitor (statistics, dedupe, rules). Defaults follow the issue.
package struct MonitorConfiguration: Sendable {
    /// Sliding window lengths on event time; labels derive from them ("1m", "5m", "15m").
    var windows: [Duration] = [.seconds(60), .seconds(300), .seconds(900)]
    /// Time buckets per window: eviction granularity (a 1 m window with 60 buckets slides by
    /// 1 s). Memory of the windows grows linearly with it.
    var bucketsPerWindow = 60
    /// How far behind the highest event time seen a record may be and still enter the windows.
    var allowedLateness: Duration = .seconds(30)
    /// How far ahead of the monitor's clock an event time may be and still enter the windows.
    var maxFutureSkew: Duration = .seconds(300)
    /// Countries shown by name per window; the rest as "other".
    var topCountries = 10
    /// Distinct countries counted by name at all (first come); beyond, counted as "other".
    var maxTrackedCountries = 300
    /// Distinct currencies with their own sums and quantiles (first come); beyond, "other".
    var maxCurrencies = 20
    /// Precision of the amount histograms: two significant digits is about 1 % error and
    /// ~7 KB per histogram for amounts up to 10,000.00; three is 0.1 % and ~8x the memory.
    var histogramPrecision: SignificantDigits = .two
    /// How long (monitor clock) a transaction id is remembered to skip duplicates.
    var dedupeWindow: Duration = .seconds(600)
    /// How many transaction ids are remembered at most (about 60 bytes each).
    var dedupeCapacity = 1_000_000
    /// Accounts whose rule state is kept, least recently seen evicted first (about 600 bytes each,
    /// so the default bounds rule state near 150 MB; an evicted account starts its rules afresh).
    var maxAccounts = 250_000
    /// Bytes the monitor may hold in memory for account rule state and dedupe ids, over all the
    /// partitions it holds (split evenly between them, three quarters to accounts). Nil: each
    /// partition is bounded by `maxAccounts` and `dedupeCapacity` instead (no partition store).
    package var memoryBudgetBytes: Int?

    /// `memoryBudgetBytes` in MiB, as the command line takes it (0 when unset).
    package var memoryBudgetMegabytes: Int {
        get { (memoryBudgetBytes ?? 0) >> 20 }
        set { memoryBudgetBytes = newValue << 20 }
    }
    package var rules = AlertRulesConfiguration()
    /// Alerts per account and rule per minute of event time; more are suppressed (counted only).
    /// 0: no bound. Five is more than a fraud case needs to be seen, and bounds a storm's cost.
    var alertsPerAccountRule = 5

    package init() {}

    /// What is wrong with these settings, in words for a command-line error; empty when valid.
    var problems: [String] {
        var problems: [String] = []
        let lengths = windows.map(MonitorClock.milliseconds)
        if windows.isEmpty { problems.append("windows: at least one window is needed") }
        if lengths.contains(where: { $0 < 1000 }) { problems.append("windows: each window must be at least 1 s") }
        if Set(lengths.map(MonitorClock.label(milliseconds:))).count != lengths.count {
            problems.append("windows: each window must have a different length")
        }
        if !(1...3600).contains(bucketsPerWindow) { problems.append("bucketsPerWindow: must be in 1...3600") }
        if allowedLateness < .zero { problems.append("allowedLateness: must not be negative") }
        if maxFutureSkew < .zero { problems.append("maxFutureSkew: must not be negative") }
        if topCountries < 0 { problems.append("topCountries: must not be negative") }
        if maxTrackedCountries < topCountries { problems.append("maxTrackedCountries: must be at least topCountries") }
        if maxCurrencies < 0 { problems.append("maxCurrencies: must not be negative") }
        if dedupeWindow < .zero { problems.append("dedupeWindow: must not be negative") }
        if dedupeCapacity < 1 { problems.append("dedupeCapacity: must be at least 1") }
        if !(1..<Int(Int32.max)).contains(maxAccounts) { problems.append("maxAccounts: must be in 1..<2^31") }
        if alertsPerAccountRule < 0 { problems.append("alertsPerAccountRule: must not be negative") }
        if let budget = memoryBudgetBytes, budget < 1 << 20 { problems.append("memoryBudget: must be at least 1 MiB") }
        return problems
    }
}

extension MonitorConfiguration {
    /// The gateway's defaults: a memory budget of 128 MiB (accounts beyond it wait on disk), which
    /// keeps the whole process near 250 MiB resident after 10 M transactions over a million accounts
    /// (bench/scale.sh). Tests and benchmarks that build a `Monitor` alone keep per-partition bounds.
    package static var gatewayDefault: MonitorConfiguration {
        var configuration = MonitorConfiguration()
        configuration.memoryBudgetBytes = 128 << 20
        return configuration
    }
}
