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
    var countryHop = WindowedRule.countryHopDefault
    var duplicateCharge = WindowedRule.duplicateChargeDefault

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

    /// Decodes a rules file, e.g. `--alert-rules rules.json`.
    static func decode(from data: Data) throws -> Self {
        try JSONDecoder().decode(Self.self, from: data)
    }

    /// `high_amount`: amount >= threshold in the transaction's currency.
    struct HighAmount: Codable, Sendable, Equatable {
        var enabled = true
        var severity = AlertSeverity.high
        var threshold = Amount(unchecked: 10_000)
        /// Thresholds for particular currency codes, e.g. {"JPY": 1500000}.
        var perCurrency: [String: Amount] = [:]

        init() {}

        enum CodingKeys: String, CodingKey, CaseIterable {
            case enabled, severity, threshold, perCurrency = "per_currency"
        }

        init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? enabled
            severity = try c.decodeIfPresent(AlertSeverity.self, forKey: .severity) ?? severity
            threshold = try c.decodeIfPresent(Amount.self, forKey: .threshold) ?? threshold
            perCurrency = try c.decodeIfPresent([String: Amount].self, forKey: .perCurrency) ?? perCurrency
        }
    }

    /// `velocity`: `count` or more transactions of one account within `window_seconds`.
    struct Velocity: Codable, Sendable, Equatable {
        var enabled = true
        var severity = AlertSeverity.medium
        var count = 5
        var windowSeconds = 60.0

        init() {}

        enum CodingKeys: String, CodingKey, CaseIterable {
            case enabled, severity, count, windowSeconds = "window_seconds"
        }

        init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? enabled
            severity = try c.decodeIfPresent(AlertSeverity.self, forKey: .severity) ?? severity
            count = try c.decodeIfPresent(Int.self, forKey: .count) ?? count
            windowSeconds = try c.decodeIfPresent(Double.self, forKey: .windowSeconds) ?? windowSeconds
            try c.require(count >= 2 && count <= 1000, .count, "must be an integer in 2...1000")
            try c.require(windowSeconds > 0, .windowSeconds, "must be greater than 0")
        }
    }

    /// `amount_spike`: amount > `multiplier` x the account's mean, after `min_history` transactions.
    struct AmountSpike: Codable, Sendable, Equatable {
        var enabled = true
        var severity = AlertSeverity.medium
        var multiplier = Amount(unchecked: 5)
        var minHistory = 5

        init() {}

        enum CodingKeys: String, CodingKey, CaseIterable {
            case enabled, severity, multiplier, minHistory = "min_history"
        }

        init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? enabled
            severity = try c.decodeIfPresent(AlertSeverity.self, forKey: .severity) ?? severity
            multiplier = try c.decodeIfPresent(Amount.self, forKey: .multiplier) ?? multiplier
            minHistory = try c.decodeIfPresent(Int.self, forKey: .minHistory) ?? minHistory
            try c.require(minHistory >= 1, .minHistory, "must be at least 1")
        }
    }

    /// `country_hop` (one account in two countries within `window_seconds`) and `duplicate_charge`
    /// (same account, merchant and amount within `window_seconds`, different ids): one shape, each
    /// rule with its own defaults, so a file's section is applied over the rule's defaults.
    struct WindowedRule: Codable, Sendable, Equatable {
        var enabled = true
        var severity: AlertSeverity
        var windowSeconds: Double

        init(severity: AlertSeverity, windowSeconds: Double) {
            self.severity = severity
            self.windowSeconds = windowSeconds
        }

        static let countryHopDefault = WindowedRule(severity: .high, windowSeconds: 600)
        static let duplicateChargeDefault = WindowedRule(severity: .medium, windowSeconds: 30)

        enum CodingKeys: String, CodingKey, CaseIterable {
            case enabled, severity, windowSeconds = "window_seconds"
        }

        /// Decodable needs a standalone init; `AlertRulesConfiguration` uses `updated(from:)` instead.
        init(from decoder: Decoder) throws {
            self = try WindowedRule(severity: .medium, windowSeconds: 60).updated(from: decoder)
        }

        /// These settings with the fields the decoder holds applied over them.
        func updated(from decoder: Decoder) throws -> WindowedRule {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            var rule = self
            rule.enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? enabled
            rule.severity = try c.decodeIfPresent(AlertSeverity.self, forKey: .severity) ?? severity
            rule.windowSeconds = try c.decodeIfPresent(Double.self, forKey: .windowSeconds) ?? windowSeconds
            try c.require(rule.windowSeconds > 0, .windowSeconds, "must be greater than 0")
            return rule
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case highAmount = "high_amount", velocity, amountSpike = "amount_spike"
        case countryHop = "country_hop", duplicateCharge = "duplicate_charge"
    }

    package init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        highAmount = try c.decodeIfPresent(HighAmount.self, forKey: .highAmount) ?? highAmount
        velocity = try c.decodeIfPresent(Velocity.self, forKey: .velocity) ?? velocity
        amountSpike = try c.decodeIfPresent(AmountSpike.self, forKey: .amountSpike) ?? amountSpike
        countryHop = try countryHop.updated(fromKey: .countryHop, in: c)
        duplicateCharge = try duplicateCharge.updated(fromKey: .duplicateCharge, in: c)
    }
}

extension AlertRulesConfiguration.WindowedRule {
    /// Applied over these settings when the file has the section (absent or null keeps them).
    fileprivate func updated(fromKey key: AlertRulesConfiguration.CodingKeys,
                             in container: KeyedDecodingContainer<AlertRulesConfiguration.CodingKeys>) throws -> Self {
        guard container.contains(key), try !container.decodeNil(forKey: key) else { return self }
        return try updated(from: container.superDecoder(forKey: key))
    }
}

extension Decoder {
    /// Throws `DecodingError.dataCorrupted` naming the first key of the object that `Keys` lacks.
    fileprivate func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws {
        let container = try container(keyedBy: JSONKey.self)
        let known = Set(Keys.allCases.map(\.stringValue))
        if let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            let expected = Keys.allCases.map(\.stringValue).joined(separator: ", ")
            throw DecodingError.dataCorrupted(.init(
                codingPath: codingPath + [JSONKey(stringValue: unknown)],
                debugDescription: "unknown key \"\(unknown)\"; expected one of: \(expected)"))
        }
    }
}

extension KeyedDecodingContainer {
    fileprivate func require(_ condition: Bool, _ key: Key, _ message: String) throws {
        if !condition { throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: message) }
    }
}
