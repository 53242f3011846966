/// How urgent an alert is. Ordered: low < medium < high < critical.
enum AlertSeverity: String, Codable, CaseIterable, Hashable, Sendable, Comparable {
    case low, medium, high, critical

    static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
