import Foundation

/// Writes the normalized Kafka record value of a transaction straight into bytes: exactly what
/// `Transaction.makeEncoder()` produces (the consumer reads it back with `TransactionRecordReader`, tested against `makeDecoder()`), without
/// JSONEncoder's boxing, which cost a fifth of the process CPU on `POST /transactions`.
///
/// Foundation's form, kept byte for byte: keys sorted by their UTF-8 bytes (swift-foundation's
/// `.sortedKeys` on Linux), nil optionals left out, `/` and non-ASCII as they are, `"` and `\`
/// escaped, control characters as `\b \t \n \f \r` or `\u00xx` in lower-case hex.
package enum TransactionJSONWriter {
    package static func bytes(of transaction: Transaction) -> [UInt8] {
        // One record: its dates are written straight into the bytes, with no copy kept.
        var dates = DateMemo(remembering: false)
        return bytes(of: transaction, dates: &dates)
    }

    /// The last dates written and their text, so that a batch's records, which share their
    /// `received_at` (and often their `timestamp`), format each date once.
    package struct DateMemo {
        fileprivate var receivedAt: (date: Date, text: [UInt8])?
        fileprivate var timestamp: (date: Date, text: [UInt8])?
        /// Whether a date written is kept for the next record (an array per date).
        fileprivate let remembering: Bool

        package init() { remembering = true }

        fileprivate init(remembering: Bool) { self.remembering = remembering }
    }

    /// The same bytes, formatting a date only when it differs from the one `dates` holds.
    package static func bytes(of transaction: Transaction, dates: inout DateMemo) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(estimatedSize(of: transaction))
        // Members in sorted key order; account_id is always there, so every later one starts with ','.
        append(#"{"account_id":"#, to: &out)
        appendString(transaction.accountId, to: &out)
        append(#","amount":"#, to: &out)
        appendAmount(transaction.amount, to: &out)
        appendOptional(#","channel":"#, transaction.channel?.rawValue, to: &out)
        appendOptional(#","country":"#, transaction.country, to: &out)
        append(#","currency":"#, to: &out)
        appendString(transaction.currency, to: &out)
        append(#","id":"#, to: &out)
        appendString(transaction.id, to: &out)
        appendOptional(#","merchant_category":"#, transaction.merchantCategory, to: &out)
        appendOptional(#","merchant_id":"#, transaction.merchantId, to: &out)
        if let metadata = transaction.metadata {
            append(#","metadata":"#, to: &out)
            appendObject(metadata, to: &out)
        }
        append(#","received_at":"#, to: &out)
        appendDate(transaction.receivedAt, memo: &dates.receivedAt, remembering: dates.remembering, to: &out)
        append(#","timestamp":"#, to: &out)
        appendDate(transaction.timestamp, memo: &dates.timestamp, remembering: dates.remembering, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Enough for the fixed part and every string, so the buffer is allocated once.
    private static func estimatedSize(of transaction: Transaction) -> Int {
        let metadata = transaction.metadata?.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 8 } ?? 0
        return 256 + transaction.id.utf8.count + transaction.accountId.utf8.count + metadata
    }

    private static func append(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private static func appendOptional(_ key: StaticString, _ value: String?, to out: inout [UInt8]) {
        guard let value else { return }
        append(key, to: &out)
        appendString(value, to: &out)
    }

    /// Members in UTF-8 byte order of their keys, as Foundation sorts them.
    private static func appendObject(_ members: [String: String], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        let sorted = members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        for (index, member) in sorted.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendString(member.key, to: &out)
            out.append(UInt8(ascii: ":"))
            appendString(member.value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func appendDate(
        _ date: Date,
        memo: inout (date: Date, text: [UInt8])?,
        remembering: Bool,
        to out: inout [UInt8]
    ) {
        if let memo, memo.date == date { return out.append(contentsOf: memo.text) }
        let start = out.count
        out.append(UInt8(ascii: "\""))
        RFC3339.append(date, to: &out)
        out.append(UInt8(ascii: "\""))
        if remembering { memo = (date, Array(out[start...])) }
    }
}

// MARK: - Strings

extension TransactionJSONWriter {
    static func appendString(_ string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { appendEscaped($0, to: &out) }
        out.append(UInt8(ascii: "\""))
    }

    /// Copies runs of plain bytes at once; only `"`, `\` and control characters are escaped.
    private static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var runStart = 0
        for index in bytes.indices where bytes[index] < 0x20 || bytes[index] == 0x22 || bytes[index] == 0x5C {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            appendEscape(bytes[index], to: &out)
            runStart = index + 1
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func appendEscape(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x22, 0x5C: out.append(byte)
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x09: out.append(UInt8(ascii: "t"))
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        default:
            out.append(contentsOf: [
                UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hexDigits[Int(byte >> 4)],
                hexDigits[Int(byte & 0x0F)],
            ])
        }
    }
}

// MARK: - Amounts

extension TransactionJSONWriter {
    /// `amount.description` as a JSON string. Decimal's own description divides digit by digit
    /// (about a microsecond); an amount's significand fits a UInt64, so it is printed from that.
    static func appendAmount(_ amount: Amount, to out: inout [UInt8]) {
        guard let (significand, exponent) = integerParts(of: amount.value) else {
            return appendString(amount.description, to: &out)
        }
        out.append(UInt8(ascii: "\""))
        appendDecimal(significand: significand, exponent: exponent, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// The value as significand × 10^exponent when positive and the significand fits a UInt64.
    static func integerParts(of value: Decimal) -> (significand: UInt64, exponent: Int)? {
        guard value > 0 else { return nil }  // zero, negative and NaN keep Decimal's own spelling
        let significand = value.significand
        let integer = NSDecimalNumber(decimal: significand).uint64Value
        // The round trip proves the conversion was exact (no overflow, no rounding).
        guard integer > 0, Decimal(integer) == significand else { return nil }
        return (integer, value.exponent)
    }

    /// Decimal's `description` layout: the significand's digits with the point placed by the
    /// exponent, zeros added on either side as needed, never an exponent notation.
    static func appendDecimal(significand: UInt64, exponent: Int, to out: inout [UInt8]) {
        let start = out.count
        appendDigits(of: significand, to: &out)
        guard exponent < 0 else {
            return out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: exponent))
        }
        let integerCount = out.count - start + exponent
        if integerCount > 0 {
            out.insert(UInt8(ascii: "."), at: start + integerCount)
        } else {
            out.insert(
                contentsOf: [UInt8(ascii: "0"), UInt8(ascii: ".")]
                    + repeatElement(UInt8(ascii: "0"), count: -integerCount),
                at: start
            )
        }
    }

    private static func appendDigits(of value: UInt64, to out: inout [UInt8]) {
        var count = 1
        var rest = value / 10
        while rest > 0 {
            count += 1
            rest /= 10
        }
        let start = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
        rest = value
        for index in stride(from: start + count - 1, through: start, by: -1) {
            out[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
    }
}
