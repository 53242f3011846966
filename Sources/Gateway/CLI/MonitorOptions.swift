import ArgumentParser
import Foundation

/// `gateway serve` options of the monitor: statistics windows, dedupe and alert rules. A rule
/// flag overrides the same setting from `--alert-rules` (file first, then flags).
struct MonitorOptions: ParsableArguments {
    @Option(help: "Rolling windows, comma-separated seconds (GATEWAY_WINDOWS_SECONDS).")
    var windowsSeconds: String = Environment.string("GATEWAY_WINDOWS_SECONDS", "60,300,900")

    @Option(help: "Seconds a record may trail the highest event time and still enter the windows (GATEWAY_ALLOWED_LATENESS_SECONDS).")
    var allowedLatenessSeconds: Int = Environment.int("GATEWAY_ALLOWED_LATENESS_SECONDS", 30)

    @Option(help: "Countries shown by name per window; the rest count as other (GATEWAY_TOP_COUNTRIES).")
    var topCountries: Int = Environment.int("GATEWAY_TOP_COUNTRIES", 10)

    @Option(help: "Seconds a transaction id is remembered to skip duplicates (GATEWAY_DEDUPE_WINDOW_SECONDS).")
    var dedupeWindowSeconds: Int = Environment.int("GATEWAY_DEDUPE_WINDOW_SECONDS", 600)

    @Option(help: "Transaction ids remembered at most for dedupe (GATEWAY_DEDUPE_CAPACITY).")
    var dedupeCapacity: Int = Environment.int("GATEWAY_DEDUPE_CAPACITY", 1_000_000)

    @Option(help: "Accounts whose rule state is kept, least recently seen evicted (GATEWAY_MAX_ACCOUNTS).")
    var maxAccounts: Int = Environment.int("GATEWAY_MAX_ACCOUNTS", 250_000)

    @Option(help: "Alerts kept in memory for GET /alerts (GATEWAY_ALERT_STORE_CAPACITY).")
    var alertStoreCapacity: Int = Environment.int("GATEWAY_ALERT_STORE_CAPACITY", 10_000)

    @Option(help: "JSON file of alert rule settings, every field optional (GATEWAY_ALERT_RULES).")
    var alertRules: String?

    @Option(help: "high_amount: threshold in any currency (default 10000).")
    var highAmountThreshold: String?

    @Option(help: "velocity: transactions of one account that make a burst (default 5).")
    var velocityCount: Int?

    @Option(help: "velocity: window in seconds (default 60).")
    var velocityWindowSeconds: Double?

    @Option(help: "amount_spike: multiple of the account's running mean (default 5).")
    var amountSpikeMultiplier: String?

    @Option(help: "amount_spike: earlier transactions needed (default 5).")
    var amountSpikeMinHistory: Int?

    @Option(help: "country_hop: window in seconds (default 600).")
    var countryHopWindowSeconds: Double?

    @Option(help: "duplicate_charge: window in seconds (default 30).")
    var duplicateChargeWindowSeconds: Double?

    @Option(help: "Rules to disable, comma-separated (e.g. country_hop,velocity).")
    var disableRules: String?

    func resolved() throws -> MonitorConfiguration {
        var config = MonitorConfiguration()
        let windows = windowsSeconds.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !windows.isEmpty, windows.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--windows-seconds must be positive whole seconds, like 60,300,900")
        }
        config.windows = windows.map { .seconds($0 ?? 0) }
        config.allowedLateness = .seconds(allowedLatenessSeconds)
        config.topCountries = topCountries
        config.dedupeWindow = .seconds(dedupeWindowSeconds)
        config.dedupeCapacity = dedupeCapacity
        config.maxAccounts = maxAccounts
        if let path = alertRules ?? Environment.string("GATEWAY_ALERT_RULES") {
            do {
                config.rules = try AlertRulesConfiguration.decode(from: Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw ValidationError("--alert-rules \(path): \(error)")
            }
        }
        try applyRuleFlags(to: &config.rules)
        let problems = config.problems
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "; ")) }
        return config
    }

    private func applyRuleFlags(to rules: inout AlertRulesConfiguration) throws {
        if let text = highAmountThreshold { rules.highAmount.threshold = try amount(text, "--high-amount-threshold") }
        if let velocityCount { rules.velocity.count = velocityCount }
        if let velocityWindowSeconds { rules.velocity.windowSeconds = velocityWindowSeconds }
        if let text = amountSpikeMultiplier { rules.amountSpike.multiplier = try amount(text, "--amount-spike-multiplier") }
        if let amountSpikeMinHistory { rules.amountSpike.minHistory = amountSpikeMinHistory }
        if let countryHopWindowSeconds { rules.countryHop.windowSeconds = countryHopWindowSeconds }
        if let duplicateChargeWindowSeconds { rules.duplicateCharge.windowSeconds = duplicateChargeWindowSeconds }
        for name in (disableRules ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let rule = AlertRuleName(rawValue: name) else { throw ValidationError("--disable-rules: unknown rule \(name)") }
            rules.disable(rule)
        }
    }

    private func amount(_ text: String, _ flag: String) throws -> Amount {
        do { return try Amount(validating: text) } catch { throw ValidationError("\(flag) \(text): \(error.message)") }
    }
}
