import Foundation

/// The alert rules' settings, as read from a JSON file.
///
/// Every field is optional, so a partial file works: what it leaves out keeps its default.
/// Unknown keys are rejected (a misspelt "treshold" silently ignored would be worse).
/// Amounts and multipliers take a JSON number or a decimal string. Example:
/// ```json
/// {"high_amount": {"threshold": 5000, "per_currency": {"JPY": 1500000}},
///  "velocity": {"count": 10, "window_seconds": 120},
///  "country_hop": {"enabled": false}}
/// ```
package struct AlertRulesConfiguration: Codable, Sendable, Equatable {
    var highAmount = HighAmount()
    var velocity = Velocity()
    var amountSpike = AmountSpike()
    var countryHop = WindowedRule(severity: .high, windowSeconds: 600)
    var duplicateCharge = WindowedRule(severity: .medium, windowSeconds: 30)

    init() {}

    /// Turns one rule off (`--disable-rules`).
    package mutating func disable(_ rule: AlertRuleName) {
        switch rule {
        case .highAmount: highAmount.enabled = false
        case .velocity: velocity.enabled = false
        case .amountSpike: amountSpike.enabled = false
        case .countryHop: countryHop.enabled = false
        case .duplicateCharge: duplicateCharge.enabled = false
        }
    }

    /// The enabled rules and the severity each gives its alerts.
    var enabledSeverities: [AlertRuleName: AlertSeverity] {
        var severities: [AlertRuleName: AlertSeverity] = [:]
        if highAmount.enabled { severities[.highAmount] = highAmount.severity }
        if velocity.enabled { severities[.velocity] = velocity.severity }
        if amountSpike.enabled { severities[.amountSpike] = amountSpike.severity }
        if countryHop.enabled { severities[.countryHop] = countryHop.severity }
        if duplicateCharge.enabled { severities[.duplicateCharge] = duplicateCharge.severity }
        return severities
    }

    /// Decodes a rules file, e.g. `--alert-rules rules.json`: the file's members are laid over the
    /// defaults (`JSONOverlay`, which also rejects unknown keys), then decoded and checked. So no
    /// rule needs a hand-written decoder to keep what the file leaves out.
    static func decode(from data: Data) throws -> Self {
        let defaults = try JSONSerialization.jsonObject(with: StableJSON.encoder().encode(Self()))
        let file = try JSONSerialization.jsonObject(with: data)
        let merged = try JSONOverlay.lay(file, over: defaults, freeMaps: ["per_currency"])
        let rules = try JSONDecoder().decode(Self.self, from: JSONSerialization.data(withJSONObject: merged))
        try rules.validate()
        return rules
    }

    /// The bounds a decoded file must respect, reported like a decoding error with the field's path.
    func validate() throws {
        try require(
            velocity.count >= 2 && velocity.count <= 1000,
            "velocity",
            "count",
            "must be an integer in 2...1000"
        )
        try require(velocity.windowSeconds > 0, "velocity", "window_seconds", "must be greater than 0")
        try require(amountSpike.minHistory >= 1, "amount_spike", "min_history", "must be at least 1")
        try require(countryHop.windowSeconds > 0, "country_hop", "window_seconds", "must be greater than 0")
        try require(duplicateCharge.windowSeconds > 0, "duplicate_charge", "window_seconds", "must be greater than 0")
    }

    private func require(_ condition: Bool, _ rule: String, _ field: String, _ message: String) throws {
        guard !condition else { return }
        throw DecodingError.dataCorrupted(
            .init(codingPath: [JSONKey(rule), JSONKey(field)], debugDescription: message)
        )
    }

    /// `high_amount`: amount >= threshold in the transaction's currency.
    struct HighAmount: Codable, Sendable, Equatable {
        var enabled = true
        var severity = AlertSeverity.high
        var threshold = Amount(unchecked: 10_000)
        /// Thresholds for particular currency codes, e.g. {"JPY": 1500000}.
        var perCurrency: [String: Amount] = [:]

        enum CodingKeys: String, CodingKey {
            case enabled, severity, threshold
            case perCurrency = "per_currency"
        }
    }

    /// `velocity`: `count` or more transactions of one account within `window_seconds`.
    struct Velocity: Codable, Sendable, Equatable {
        var enabled = true
        var severity = AlertSeverity.medium
        var count = 5
        var windowSeconds = 60.0

        enum CodingKeys: String, CodingKey {
            case enabled, severity, count
            case windowSeconds = "window_seconds"
        }
    }

    /// `amount_spike`: amount > `multiplier` x the account's mean, after `min_history` transactions.
    struct AmountSpike: Codable, Sendable, Equatable {
        var enabled = true
        var severity = AlertSeverity.medium
        var multiplier = Amount(unchecked: 5)
        var minHistory = 5

        enum CodingKeys: String, CodingKey {
            case enabled, severity, multiplier
            case minHistory = "min_history"
        }
    }

    /// `country_hop` (one account in two countries within `window_seconds`) and `duplicate_charge`
    /// (same account, merchant and amount within `window_seconds`, different ids): one shape, each
    /// rule with its own defaults.
    struct WindowedRule: Codable, Sendable, Equatable {
        var enabled = true
        var severity: AlertSeverity
        var windowSeconds: Double

        init(severity: AlertSeverity, windowSeconds: Double) {
            self.severity = severity
            self.windowSeconds = windowSeconds
        }

        enum CodingKeys: String, CodingKey {
            case enabled, severity
            case windowSeconds = "window_seconds"
        }
    }

    enum CodingKeys: String, CodingKey {
        case highAmount = "high_amount"
        case velocity
        case amountSpike = "amount_spike"
        case countryHop = "country_hop"
        case duplicateCharge = "duplicate_charge"
    }
}
