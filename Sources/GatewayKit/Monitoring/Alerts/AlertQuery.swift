import Foundation

/// The filters and paging of `GET /alerts`.
struct AlertQuery: Hashable, Sendable {
    static let defaultLimit = 100
    static let maxLimit = 1000

    var rule: AlertRuleName?
    var severity: AlertSeverity?
    var accountId: String?
    /// Only alerts detected at or after this instant.
    var since: Date?
    var limit = defaultLimit
    /// Continue after this position (the `next_cursor` of the previous page).
    var cursor: AlertCursor?

    init(
        rule: AlertRuleName? = nil,
        severity: AlertSeverity? = nil,
        accountId: String? = nil,
        since: Date? = nil,
        limit: Int = defaultLimit,
        cursor: AlertCursor? = nil
    ) {
        self.rule = rule
        self.severity = severity
        self.accountId = accountId
        self.since = since
        self.limit = limit
        self.cursor = cursor
    }

    static let parameterNames = ["rule", "severity", "account_id", "since", "limit", "cursor"]

    /// Parses decoded query parameters (name, value), reporting every bad one, not just the first.
    static func parse(_ items: [(name: String, value: String)]) -> Result<AlertQuery, AlertQueryError> {
        var query = AlertQuery()
        var problems: [FieldError] = []
        var seen: Set<String> = []
        for (name, value) in items {
            guard parameterNames.contains(name) else {
                problems.append(
                    FieldError(
                        field: name,
                        message: "unknown parameter; expected one of: \(parameterNames.joined(separator: ", "))"
                    )
                )
                continue
            }
            guard seen.insert(name).inserted else {
                problems.append(FieldError(field: name, message: "must appear at most once"))
                continue
            }
            if let message = query.apply(name, value) { problems.append(FieldError(field: name, message: message)) }
        }
        return problems.isEmpty ? .success(query) : .failure(AlertQueryError(problems: problems))
    }

    /// Sets one known parameter; returns what is wrong with the value, if anything.
    private mutating func apply(_ name: String, _ value: String) -> String? {
        switch name {
        case "rule":
            rule = AlertRuleName(rawValue: value)
            return rule == nil
                ? "must be one of: \(AlertRuleName.allCases.map(\.rawValue).joined(separator: ", "))" : nil
        case "severity":
            severity = AlertSeverity(rawValue: value)
            return severity == nil
                ? "must be one of: \(AlertSeverity.allCases.map(\.rawValue).joined(separator: ", "))" : nil
        case "account_id":
            // The transactions' own rule (openapi.yaml's Identifier): a value no account can have
            // is a mistake to report, not a filter that silently matches nothing.
            accountId = value
            return TransactionValidator.isIdentifier(value)
                ? nil : "must be 1-64 characters of A-Z a-z 0-9 . _ : -, like an account_id"
        case "since":
            since = RFC3339.parse(value)
            return since == nil ? "must be an RFC 3339 date-time, e.g. 2024-05-01T12:00:00Z" : nil
        case "limit":
            let parsed = Int(value).flatMap { (1...Self.maxLimit).contains($0) ? $0 : nil }
            limit = parsed ?? Self.defaultLimit
            return parsed == nil ? "must be an integer in 1...\(Self.maxLimit)" : nil
        default:  // "cursor"
            cursor = AlertCursor(encoded: value)
            return cursor == nil ? "not a cursor returned by this API" : nil
        }
    }
}
