import Foundation

/// Every field error of one transaction.
package struct ValidationFailure: Error {
    let errors: [FieldError]
}

/// Turns a decoded payload into a `Transaction`, or the complete list of what is wrong with it.
package struct TransactionValidator: Sendable {
    static let maxMetadataKeys = 16
    static let maxMetadataValueLength = 256
    /// ISO 4217 codes known to Foundation (includes a few historic codes it still lists).
    static let currencies: Set<String> = Set(Locale.Currency.isoCurrencies.map(\.identifier))
    /// ISO 3166-1 alpha-2 codes (Foundation's region list without its numeric UN M49 areas).
    static let countries: Set<String> = Set(Locale.Region.isoRegions.map(\.identifier).filter { $0.count == 2 })

    /// Built once: joining the channel names on every call cost a twentieth of a POST's instructions.
    static let channelMessage = "must be one of " + Channel.allCases.map(\.rawValue).joined(separator: ", ")

    package init() {}

    package func validate(_ payload: TransactionPayload, receivedAt: Date) -> Result<Transaction, ValidationFailure> {
        guard payload.isObject else { return .failure(ValidationFailure(errors: payload.errors)) }
        var errors = payload.errors
        let alreadyBad = payload.fieldsWithErrors
        func require<T>(_ value: T?, _ field: String) -> T? {
            if value == nil, !alreadyBad.contains(field) {
                errors.append(FieldError(field: field, message: "is required"))
            }
            return value
        }
        func check(_ field: String, _ value: String?, _ message: String, _ isValid: (String) -> Bool) {
            if let value, !isValid(value) { errors.append(FieldError(field: field, message: message)) }
        }
        let identifierMessage = "must be 1-64 characters of A-Z a-z 0-9 . _ : -"
        let id = require(payload.id, "id")
        let accountId = require(payload.accountId, "account_id")
        let amount = require(payload.amount, "amount")
        let currency = require(payload.currency, "currency")
        check("id", id, identifierMessage, Self.isIdentifier)
        check("account_id", accountId, identifierMessage, Self.isIdentifier)
        check("merchant_id", payload.merchantId, identifierMessage, Self.isIdentifier)
        check("currency", currency, "must be an ISO 4217 alpha-3 code in upper case, like BRL") {
            Self.currencies.contains($0)
        }
        check("country", payload.country, "must be an ISO 3166-1 alpha-2 code in upper case, like BR") {
            Self.countries.contains($0)
        }
        check("merchant_category", payload.merchantCategory, "must be a 4-digit MCC, like 5411") { Self.isMCC($0) }
        let channel = payload.channel.flatMap(Channel.init(rawValue:))
        check("channel", payload.channel, Self.channelMessage) { _ in channel != nil }
        var eventTime: Date? = receivedAt
        if let text = payload.timestamp {
            eventTime = RFC3339.parse(text)
            check("timestamp", text, "must be an RFC 3339 date-time, like 2026-11-25T16:20:00Z") { _ in eventTime != nil
            }
        }
        errors += Self.metadataErrors(payload.metadata)

        guard errors.isEmpty, let id, let accountId, let amount, let currency, let eventTime else {
            return .failure(ValidationFailure(errors: Self.inFieldOrder(errors)))
        }
        return .success(
            Transaction(
                id: id,
                accountId: accountId,
                amount: amount,
                currency: currency,
                timestamp: eventTime,
                merchantId: payload.merchantId,
                merchantCategory: payload.merchantCategory,
                country: payload.country,
                channel: channel,
                metadata: payload.metadata,
                receivedAt: receivedAt
            )
        )
    }

    /// Errors in the order the contract lists the fields (unknown fields last), so answers are stable.
    static func inFieldOrder(_ errors: [FieldError]) -> [FieldError] {
        let order = Transaction.CodingKeys.allCases.map(\.rawValue)
        func rank(_ error: FieldError) -> (Int, String) {
            let base = error.field.split(separator: ".").first.map(String.init) ?? error.field
            return (order.firstIndex(of: base) ?? order.count, error.field)
        }
        return errors.sorted { rank($0) < rank($1) }
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard (1...64).contains(text.utf8.count) else { return false }
        // Over the contiguous bytes: iterating the String's UTF8View cost about 500 instructions
        // per identifier, three identifiers per transaction.
        var text = text
        return text.withUTF8 { bytes in
            bytes.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                    UInt8(ascii: ":"), UInt8(ascii: "-"):
                    return true
                default:
                    return false
                }
            }
        }
    }

    static func isMCC(_ text: String) -> Bool {
        text.utf8.count == 4 && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    private static func metadataErrors(_ metadata: [String: String]?) -> [FieldError] {
        guard let metadata else { return [] }
        var errors: [FieldError] = []
        if metadata.count > maxMetadataKeys {
            errors.append(FieldError(field: "metadata", message: "must have at most \(maxMetadataKeys) keys"))
        }
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            if key.isEmpty || key.utf8.count > 64 {
                errors.append(FieldError(field: "metadata", message: "keys must be 1-64 characters"))
            }
            if value.utf8.count > maxMetadataValueLength {
                errors.append(
                    FieldError(field: "metadata.\(key)", message: "must be at most \(maxMetadataValueLength) bytes")
                )
            }
        }
        return errors
    }
}
