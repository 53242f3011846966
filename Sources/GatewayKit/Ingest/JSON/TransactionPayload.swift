import Foundation

/// One transaction as the client sent it, decoded leniently so that validation can name every bad
/// field at once instead of stopping at the first (issue contract: 422 lists all of them).
///
/// Decoding never throws for a bad field: type errors, unknown fields and non-object items are
/// collected in `errors`, which is what lets a batch decode even when some items are bad.
///
/// The request path fills it with `TransactionJSONReader`; this `Decodable` conformance is the
/// reference that reader is tested against, so the two must give the same fields and errors, with
/// two exceptions Foundation cannot see: repeated member names (its containers keep one value per
/// key) and JSON-number amounts of more than 38 significant digits (its `Decimal` has already
/// rounded them). The reader reports both; see `TransactionJSONReader`.
package struct TransactionPayload: Decodable {
    var id: String?
    var accountId: String?
    var amount: Amount?
    var currency: String?
    var timestamp: String?
    var merchantId: String?
    var merchantCategory: String?
    var country: String?
    var channel: String?
    var metadata: [String: String]?
    var errors: [FieldError] = []
    /// False when the item is not a JSON object at all; then no field can be checked.
    var isObject = true
    /// The field name used for the item itself (JSONPath's root).
    static let rootField = "$"

    // The messages of the decoding errors, shared with `TransactionJSONReader`.
    static let notAnObjectMessage = "must be a JSON object"
    static let unknownFieldMessage = "unknown field"
    static let notAStringMessage = "must be a string"
    static let notFlatMetadataMessage = "must be a flat object of string values"
    /// RFC 8259 §4: member names SHOULD be unique; parsers disagree on which of two values counts.
    static let repeatedMemberMessage = "must appear only once (member names must be unique)"

    /// An empty payload, filled field by field by `TransactionJSONReader`.
    init() {}

    /// The payload of an item that is not a JSON object: only the root error.
    static var notAnObject: TransactionPayload {
        var payload = TransactionPayload()
        payload.errors.append(FieldError(field: rootField, message: notAnObjectMessage))
        payload.isObject = false
        return payload
    }

    package init(from decoder: Decoder) throws {
        guard let container = try? decoder.container(keyedBy: JSONKey.self) else {
            self = .notAnObject
            return
        }
        for key in container.allKeys { decodeField(key, from: container) }
    }

    private mutating func decodeField(_ key: JSONKey, from container: KeyedDecodingContainer<JSONKey>) {
        func string(_ name: String) -> String? {
            if (try? container.decodeNil(forKey: key)) == true { return nil }
            if let value = try? container.decode(String.self, forKey: key) { return value }
            errors.append(FieldError(field: name, message: Self.notAStringMessage))
            return nil
        }
        switch key.stringValue {
        case "id": id = string("id")
        case "account_id": accountId = string("account_id")
        case "currency": currency = string("currency")
        case "timestamp": timestamp = string("timestamp")
        case "merchant_id": merchantId = string("merchant_id")
        case "merchant_category": merchantCategory = string("merchant_category")
        case "country": country = string("country")
        case "channel": channel = string("channel")
        case "amount": amount = decodeAmount(key, from: container)
        case "metadata": metadata = decodeMetadata(key, from: container)
        default: errors.append(FieldError(field: key.stringValue, message: Self.unknownFieldMessage))
        }
    }

    private mutating func decodeAmount(_ key: JSONKey, from container: KeyedDecodingContainer<JSONKey>) -> Amount? {
        do {
            if let text = try? container.decode(String.self, forKey: key) {
                return try Amount(validating: text)
            }
            guard let number = try? container.decode(Decimal.self, forKey: key) else {
                throw Amount.Problem.notANumber
            }
            return try Amount(validating: number)
        } catch let problem as Amount.Problem {
            errors.append(FieldError(field: "amount", message: problem.message))
        } catch {
            errors.append(FieldError(field: "amount", message: "\(error)"))
        }
        // Presence is recorded by the error; the validator must not also report "is required".
        return nil
    }

    private mutating func decodeMetadata(
        _ key: JSONKey,
        from container: KeyedDecodingContainer<JSONKey>
    ) -> [String: String]? {
        if (try? container.decodeNil(forKey: key)) == true { return nil }
        guard let value = try? container.decode([String: String].self, forKey: key) else {
            errors.append(FieldError(field: "metadata", message: Self.notFlatMetadataMessage))
            return nil
        }
        return value
    }

    /// Names of the fields present in the payload, so required-field checks do not double-report
    /// a field that was present but of the wrong type.
    var fieldsWithErrors: Set<String> { Set(errors.map(\.field)) }
}
