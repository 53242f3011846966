import Foundation

/// Reads a `Transaction` back from a Kafka record value (the normalized JSON `TransactionJSONWriter`
/// writes) for the monitor's consumers: one pass over the bytes with the request path's `Cursor`.
/// Foundation's `JSONDecoder` (`Transaction.makeDecoder()`) was the largest CPU user of the consumer
/// threads under load (perf); it stays the reference this reader is tested against.
///
/// Accepts what that decoder accepts and gives the same value: `id`, `account_id`, `amount`,
/// `currency`, `timestamp` and `received_at` required; the optional fields may be `null` or absent;
/// unknown members are skipped; a repeated member keeps its first value. Anything else (not JSON, a
/// wrong type, an amount `Amount` refuses, an unknown channel, a date that is not RFC 3339) is nil:
/// another producer wrote something that is not a transaction.
package enum TransactionRecordReader {
    package static func transaction(from value: [UInt8]) -> Transaction? {
        value.withUnsafeBufferPointer { buffer in
            var cursor = TransactionJSONReader.Cursor(buffer)
            var record = Fields()
            do {
                guard try cursor.peekValue() == UInt8(ascii: "{") else { return nil }
                if try cursor.enterObject() {
                    repeat {
                        let key = try cursor.readKey()
                        guard try read(key, into: &record, &cursor) else { return nil }
                    } while try cursor.nextMember()
                }
                try cursor.expectEnd()
            } catch {
                return nil
            }
            return record.transaction
        }
    }

    /// The members read so far; `seen` keeps the first of a repeated member, as `JSONDecoder` does.
    private struct Fields {
        var id, accountId, currency, merchantId, merchantCategory, country: String?
        var amount: Amount?
        var timestamp, receivedAt: Date?
        var channel: Channel?
        var metadata: [String: String]?
        var seen: UInt16 = 0

        var transaction: Transaction? {
            guard let id, let accountId, let amount, let currency, let timestamp, let receivedAt else { return nil }
            return Transaction(
                id: id,
                accountId: accountId,
                amount: amount,
                currency: currency,
                timestamp: timestamp,
                merchantId: merchantId,
                merchantCategory: merchantCategory,
                country: country,
                channel: channel,
                metadata: metadata,
                receivedAt: receivedAt
            )
        }
    }

    private static let receivedAtKey: StaticString = "received_at"
    /// The bit of `received_at` in `Fields.seen`, after those of `TransactionJSONReader.Field`.
    private static let receivedAtBit: UInt16 = 1 << 15

    /// Reads one member's value; false when the record is not a transaction.
    private static func read(
        _ key: TransactionJSONReader.Cursor.RawString,
        into record: inout Fields,
        _ cursor: inout TransactionJSONReader.Cursor
    ) throws(JSONSyntaxError) -> Bool {
        typealias Field = TransactionJSONReader.Field
        let keyBytes = cursor.bytes(of: key)
        let field = key.isPlainASCII ? Field(ascii: keyBytes) : Field(name: cursor.string(key))
        let bit = field?.bit ?? (isReceivedAt(key, keyBytes) ? receivedAtBit : 0)
        guard bit != 0, record.seen & bit == 0 else {
            try cursor.skipValue()  // unknown, or a repeat: JSONDecoder never looks at it
            return true
        }
        record.seen |= bit
        guard let field else {
            record.receivedAt = try date(&cursor)
            return record.receivedAt != nil
        }
        // A required member read as nil had the wrong type or a value `Amount` or RFC 3339 refuses.
        switch field {
        case .id:
            record.id = try string(&cursor)
            return record.id != nil
        case .accountId:
            record.accountId = try string(&cursor)
            return record.accountId != nil
        case .currency:
            record.currency = try string(&cursor)
            return record.currency != nil
        case .timestamp:
            record.timestamp = try date(&cursor)
            return record.timestamp != nil
        case .amount:
            record.amount = try amount(&cursor)
            return record.amount != nil
        case .merchantId: return try optionalString(&cursor, into: &record.merchantId)
        case .merchantCategory: return try optionalString(&cursor, into: &record.merchantCategory)
        case .country: return try optionalString(&cursor, into: &record.country)
        case .channel:
            var name: String?
            guard try optionalString(&cursor, into: &name) else { return false }
            guard let name else { return true }
            record.channel = Channel(rawValue: name)
            return record.channel != nil
        case .metadata: return try metadata(&cursor, into: &record.metadata)
        }
    }

    private static func isReceivedAt(
        _ key: TransactionJSONReader.Cursor.RawString,
        _ bytes: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        guard key.isPlainASCII, bytes.count == receivedAtKey.utf8CodeUnitCount, let start = bytes.baseAddress else {
            return false
        }
        return memcmp(start, receivedAtKey.utf8Start, bytes.count) == 0
    }

    /// A string, or nil for any other value (which is still passed over).
    private static func string(_ cursor: inout TransactionJSONReader.Cursor) throws(JSONSyntaxError) -> String? {
        guard try cursor.peekValue() == UInt8(ascii: "\"") else {
            try cursor.skipValue()
            return nil
        }
        return cursor.string(try cursor.scanString())
    }

    /// `null` (absent) or a string; false for any other value.
    private static func optionalString(
        _ cursor: inout TransactionJSONReader.Cursor,
        into value: inout String?
    ) throws(JSONSyntaxError) -> Bool {
        if try cursor.peekValue() == UInt8(ascii: "n") {
            try cursor.skipValue()  // only `null` starts with n
            return true
        }
        value = try string(&cursor)
        return value != nil
    }

    private static func date(_ cursor: inout TransactionJSONReader.Cursor) throws(JSONSyntaxError) -> Date? {
        guard try cursor.peekValue() == UInt8(ascii: "\"") else {
            try cursor.skipValue()
            return nil
        }
        let raw = try cursor.scanString()
        if raw.isPlainASCII, let date = RFC3339.parseCanonical(cursor.bytes(of: raw)) { return date }
        return RFC3339.parse(cursor.string(raw))
    }

    /// `Amount`'s own decoding: a decimal string or a JSON number, validated.
    private static func amount(_ cursor: inout TransactionJSONReader.Cursor) throws(JSONSyntaxError) -> Amount? {
        switch try cursor.peekValue() {
        case UInt8(ascii: "\""):
            let text = try cursor.scanString()
            return try? TransactionJSONReader.amount(fromString: text, in: cursor)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let number = try cursor.scanNumber()
            return try? TransactionJSONReader.amount(fromNumber: number, in: cursor)
        default:
            try cursor.skipValue()
            return nil
        }
    }

    /// `null` (absent) or a flat object of strings; false for anything else.
    private static func metadata(
        _ cursor: inout TransactionJSONReader.Cursor,
        into value: inout [String: String]?
    ) throws(JSONSyntaxError) -> Bool {
        switch try cursor.peekValue() {
        case UInt8(ascii: "n"):
            try cursor.skipValue()
            return true
        case UInt8(ascii: "{"):
            var members: [String: String] = [:]
            if try cursor.enterObject() {
                repeat {
                    let key = cursor.string(try cursor.readKey())
                    guard let text = try string(&cursor) else { return false }
                    if members[key] == nil { members[key] = text }
                } while try cursor.nextMember()
            }
            value = members
            return true
        default:
            try cursor.skipValue()
            return false
        }
    }
}
