/// The alert rules, by their wire names (`rule` in alerts, in `GET /alerts?rule=` and in the
/// rules configuration file).
package enum AlertRuleName: String, Codable, CaseIterable, Hashable, Sendable, Comparable {
    case highAmount = "high_amount"
    case velocity
    case amountSpike = "amount_spike"
    case countryHop = "country_hop"
    case duplicateCharge = "duplicate_charge"

    package static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
