/// One generated transaction, in the gateway's wire vocabulary.
///
/// Amounts are kept in hundredths of the currency unit (every currency used has two minor
/// digits), so the wire string is exact and rule checks need no floating point.
struct Transaction: Sendable, Equatable {
    var id: String
    var accountID: String
    var amountMinor: Int64
    var currency: String
    var merchantID: String
    var merchantCategory: String
    var country: String
    var channel: Channel
    /// Event time in milliseconds since the Unix epoch (UTC).
    var eventTimeMillis: Int64
    /// Index of the injected fraud pattern this transaction belongs to; nil for normal traffic.
    var pattern: Int?

    /// "129.90" for 12990.
    var amountString: String {
        let major = amountMinor / 100
        let minor = amountMinor % 100
        return "\(major)." + (minor < 10 ? "0" : "") + "\(minor)"
    }
}
