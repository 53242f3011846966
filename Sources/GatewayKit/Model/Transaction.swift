import Foundation

/// Payment channel of a transaction, as named on the wire.
enum Channel: String, Codable, CaseIterable, Sendable {
    case cardPresent = "card_present"
    case cardNotPresent = "card_not_present"
    case pix
    case transfer
    case atm
    case other
}

/// A validated financial transaction: what is produced to Kafka and what the monitor consumes.
///
/// The wire form (written by `TransactionJSONWriter`, byte-identical to `makeEncoder()`) is the normalized JSON written as the Kafka record value:
/// snake_case keys, `amount` as a canonical decimal string (exact: no binary floating point),
/// timestamps in RFC 3339 UTC with milliseconds.
package struct Transaction: Codable, Hashable, Sendable {
    var id: String
    var accountId: String
    var amount: Amount
    var currency: String
    /// Event time: when the transaction happened, as the client says (receive time when absent).
    var timestamp: Date
    var merchantId: String?
    var merchantCategory: String?
    var country: String?
    var channel: Channel?
    var metadata: [String: String]?
    /// When the gateway received it.
    var receivedAt: Date

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id
        case accountId = "account_id"
        case amount, currency, timestamp
        case merchantId = "merchant_id"
        case merchantCategory = "merchant_category"
        case country, channel, metadata
        case receivedAt = "received_at"
    }
}

extension Transaction {
    /// Encoder for the normalized record value. Sorted keys make records byte-stable.
    package static func makeEncoder() -> JSONEncoder {
        let encoder = StableJSON.encoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.format(date))
        }
        return encoder
    }

    /// Decoder for records read back from Kafka (the normalized form above).
    package static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "not an RFC 3339 date-time: \(text)"
                )
            }
            return date
        }
        return decoder
    }
}
