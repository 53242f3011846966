/// The rules' default thresholds, as the gateway applies them (and as the tests re-check them).
enum RuleThresholds {
    static let highAmountMinor: Int64 = 1_000_000
    static let velocityCount = 5
    static let velocityWindowMillis: Int64 = 60_000
    static let spikeFactor: Int64 = 5
    static let spikeMinimumHistory = 5
    static let countryHopWindowMillis: Int64 = 600_000
    static let duplicateWindowMillis: Int64 = 30_000
}
