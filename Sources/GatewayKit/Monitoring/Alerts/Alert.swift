import Foundation

/// A fraud/anomaly alert raised by a rule.
///
/// JSON: `{id, rule, severity, account_id, transaction_ids, amount, currency, reason,
/// event_time, detected_at}`, plus `suppressed_before` when it is not 0 and `trace_id` when the
/// triggering transaction's record carried a W3C trace context; `amount` is a decimal string and times are RFC 3339 UTC with
/// milliseconds, whatever the encoder's strategies.
///
/// `id` is derived from the rule and the transaction ids only (see `Alert.id(rule:transactionIds:)`),
/// so the same alert raised twice, e.g. on another instance after a redelivery, has the same id
/// and an `AlertStore` keeps one.
package struct Alert: Codable, Sendable, Hashable {
    var id: String
    var rule: AlertRuleName
    var severity: AlertSeverity
    var accountId: String
    /// The transactions that made the rule fire, oldest first; the triggering one is last.
    var transactionIds: [String]
    /// Amount and currency of the triggering transaction.
    var amount: Amount
    var currency: String
    /// A sentence for a human.
    var reason: String
    /// Event time of the triggering transaction.
    var eventTime: Date
    /// When the monitor raised the alert.
    var detectedAt: Date
    /// Alerts of this account and rule suppressed by the rate bound since the previous one that
    /// was raised (see `AlertRateLimit`); not part of `id`.
    var suppressedBefore: Int
    /// The W3C trace id (32 hex digits) of the transaction that raised the alert; not part of `id`.
    var traceId: String?

    init(
        rule: AlertRuleName,
        severity: AlertSeverity,
        accountId: String,
        transactionIds: [String],
        amount: Amount,
        currency: String,
        reason: String,
        eventTime: Date,
        detectedAt: Date,
        suppressedBefore: Int = 0,
        traceId: String? = nil
    ) {
        self.id = Self.id(rule: rule, transactionIds: transactionIds)
        self.rule = rule
        self.severity = severity
        self.accountId = accountId
        self.transactionIds = transactionIds
        self.amount = amount
        self.currency = currency
        self.reason = reason
        self.eventTime = eventTime
        self.detectedAt = detectedAt
        self.suppressedBefore = suppressedBefore
        self.traceId = traceId
    }

    /// 32 hex digits: FNV-1a (128-bit) over the rule name and the transaction ids,
    /// each length-prefixed so that no two different lists encode alike.
    static func id(rule: AlertRuleName, transactionIds: [String]) -> String {
        var bytes: [UInt8] = []
        for part in [rule.rawValue] + transactionIds {
            let utf8 = Array(part.utf8)
            withUnsafeBytes(of: UInt64(utf8.count).bigEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: utf8)
        }
        return FNV1a128.hex(bytes)
    }

    enum CodingKeys: String, CodingKey {
        case id, rule, severity
        case accountId = "account_id"
        case transactionIds = "transaction_ids"
        case amount, currency, reason
        case eventTime = "event_time"
        case detectedAt = "detected_at"
        case suppressedBefore = "suppressed_before"
        case traceId = "trace_id"
    }

    package init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        rule = try container.decode(AlertRuleName.self, forKey: .rule)
        severity = try container.decode(AlertSeverity.self, forKey: .severity)
        accountId = try container.decode(String.self, forKey: .accountId)
        transactionIds = try container.decode([String].self, forKey: .transactionIds)
        amount = try container.decode(Amount.self, forKey: .amount)
        currency = try container.decode(String.self, forKey: .currency)
        reason = try container.decode(String.self, forKey: .reason)
        eventTime = try Self.decodeDate(container, .eventTime)
        detectedAt = try Self.decodeDate(container, .detectedAt)
        suppressedBefore = try container.decodeIfPresent(Int.self, forKey: .suppressedBefore) ?? 0
        traceId = try container.decodeIfPresent(String.self, forKey: .traceId)
    }

    package func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(rule, forKey: .rule)
        try container.encode(severity, forKey: .severity)
        try container.encode(accountId, forKey: .accountId)
        try container.encode(transactionIds, forKey: .transactionIds)
        try container.encode(amount, forKey: .amount)
        try container.encode(currency, forKey: .currency)
        try container.encode(reason, forKey: .reason)
        try container.encode(RFC3339.format(eventTime), forKey: .eventTime)
        try container.encode(RFC3339.format(detectedAt), forKey: .detectedAt)
        if suppressedBefore > 0 { try container.encode(suppressedBefore, forKey: .suppressedBefore) }
        if let traceId { try container.encode(traceId, forKey: .traceId) }
    }

    private static func decodeDate(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Date {
        let text = try container.decode(String.self, forKey: key)
        guard let date = RFC3339.parse(text) else {
            throw DecodingError.dataCorruptedError(
                forKey: key,
                in: container,
                debugDescription: "not an RFC 3339 date-time: \(text)"
            )
        }
        return date
    }
}
