import ArgumentParser
import GatewayKit

/// `gateway serve` options of the monitor: statistics windows, dedupe and alert rules, shown under
/// their own heading in `--help`. The rules file is applied first, then the single-rule flags.
struct MonitorOptions: ParsableArguments {
    @Option(help: ServeCommand.help("consumers")) var consumers: String?
    @Option(help: ServeCommand.help("group-id")) var groupId: String?
    @Option(help: ServeCommand.help("windows-seconds")) var windowsSeconds: String?
    @Option(help: ServeCommand.help("allowed-lateness-seconds")) var allowedLatenessSeconds: String?
    @Option(help: ServeCommand.help("top-countries")) var topCountries: String?
    @Option(help: ServeCommand.help("dedupe-window-seconds")) var dedupeWindowSeconds: String?
    @Option(help: ServeCommand.help("monitor-memory-mb")) var monitorMemoryMb: String?
    @Option(help: ServeCommand.help("alert-store-capacity")) var alertStoreCapacity: String?
    @Option(help: ServeCommand.help("alerts-per-account-rule")) var alertsPerAccountRule: String?
    @Option(help: ServeCommand.help("checkpoint-interval-ms")) var checkpointIntervalMs: String?
    @Option(help: ServeCommand.help("state-dir")) var stateDir: String?
    @Option(help: ServeCommand.help("monitor-niceness")) var monitorNiceness: String?
    @Option(help: ServeCommand.help("max-monitor-lag")) var maxMonitorLag: String?
    @Option(help: ServeCommand.help("alert-rules")) var alertRules: String?
    @Option(help: ServeCommand.help("high-amount-threshold")) var highAmountThreshold: String?
    @Option(help: ServeCommand.help("velocity-count")) var velocityCount: String?
    @Option(help: ServeCommand.help("velocity-window-seconds")) var velocityWindowSeconds: String?
    @Option(help: ServeCommand.help("amount-spike-multiplier")) var amountSpikeMultiplier: String?
    @Option(help: ServeCommand.help("amount-spike-min-history")) var amountSpikeMinHistory: String?
    @Option(help: ServeCommand.help("country-hop-window-seconds")) var countryHopWindowSeconds: String?
    @Option(help: ServeCommand.help("duplicate-charge-window-seconds")) var duplicateChargeWindowSeconds: String?
    @Option(help: ServeCommand.help("disable-rules")) var disableRules: String?
}
