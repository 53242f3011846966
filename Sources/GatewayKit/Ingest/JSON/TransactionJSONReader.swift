import Foundation

/// Reads `TransactionPayload`s straight from request bytes in one pass: no `Data` copy, no JSON
/// tree, no `Decimal(string:)` for ordinary amounts. `JSONDecoder` cost a quarter of the process
/// CPU on `POST /transactions`.
///
/// For every valid JSON text the payload is the one `TransactionPayload.init(from:)` decodes (same
/// fields, same errors). Syntax is strict RFC 8259 where Foundation is lazy: Foundation checks
/// numbers, escapes and UTF-8 only when a value is decoded, so it accepts `{"x":01}`,
/// `{"x":"\q"}` or `{"x":1,}` and reports a broken string in a known field as "must be a string".
/// Here each of those is a `JSONSyntaxError` (400 Malformed JSON).
///
/// Duplicate keys: RFC 8259 §4 says member names SHOULD be unique, and parsers disagree on a repeat
/// (Foundation's `JSONDecoder` keeps the first value, `JSONSerialization` the last), so a client and
/// anything between it and us could read two different amounts from one text. A repeated field of
/// the transaction, or a repeated `metadata` key, is therefore a field error (422) naming it; the
/// first value is kept and later ones are only syntax-checked. Foundation cannot see repeats at all
/// (its containers hold one value per key), so its `TransactionPayload` path does not report them.
/// A repeated unknown key is reported once, as unknown. A UTF-8 byte order mark is
/// skipped (RFC 8259 §8.1 allows it; Foundation does the same).
package enum TransactionJSONReader {
    /// Foundation's nesting limit: deeper than any real document, shallow enough for the stack.
    static let maxDepth = 512

    /// One JSON value (a transaction, or any other value, which gets the root error).
    package static func payload(from bytes: [UInt8]) throws(JSONSyntaxError) -> TransactionPayload {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) in try payload(in: buffer) }
    }

    /// One NDJSON line; offsets in errors count from the start of the line.
    static func payload(from bytes: ArraySlice<UInt8>) throws(JSONSyntaxError) -> TransactionPayload {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) in try payload(in: buffer) }
    }

    /// A JSON array of transactions (an `application/json` batch): one payload per element.
    static func payloads(fromArray bytes: [UInt8]) throws(JSONSyntaxError) -> [TransactionPayload] {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) in try payloads(in: buffer) }
    }

    private static func payload(in buffer: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> TransactionPayload {
        var cursor = Cursor(buffer)
        let payload = try readPayload(&cursor)
        try cursor.expectEnd()
        return payload
    }

    private static func payloads(in buffer: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> [TransactionPayload]
    {
        var cursor = Cursor(buffer)
        guard try cursor.peekValue() == UInt8(ascii: "[") else { throw cursor.error("expected a JSON array") }
        var payloads: [TransactionPayload] = []
        if try cursor.enterArray() {
            repeat { payloads.append(try readPayload(&cursor)) } while try cursor.nextElement()
        }
        try cursor.expectEnd()
        return payloads
    }
}

// MARK: - Transaction fields

extension TransactionJSONReader {
    /// The members of a transaction object.
    enum Field: Int, CaseIterable {
        case id, accountId, amount, currency, timestamp, merchantId, merchantCategory, country, channel, metadata

        /// The key on the wire, as static bytes so that keys compare with one memcmp.
        var wireName: StaticString {
            switch self {
            case .id: "id"
            case .accountId: "account_id"
            case .amount: "amount"
            case .currency: "currency"
            case .timestamp: "timestamp"
            case .merchantId: "merchant_id"
            case .merchantCategory: "merchant_category"
            case .country: "country"
            case .channel: "channel"
            case .metadata: "metadata"
            }
        }

        /// The key on the wire, also the field named in errors.
        var name: String { wireName.description }

        var bit: UInt16 { 1 << UInt16(rawValue) }

        /// Matches a decoded key with String equality, as Foundation's `switch` on the key does.
        init?(name: String) {
            guard let field = Self.allCases.first(where: { $0.name == name }) else { return nil }
            self = field
        }

        /// Matches undecoded ASCII key bytes without building a String (the common case).
        init?(ascii bytes: UnsafeBufferPointer<UInt8>) {
            guard let candidate = Self.candidate(ascii: bytes), let start = bytes.baseAddress,
                candidate.wireName.utf8CodeUnitCount == bytes.count,
                memcmp(candidate.wireName.utf8Start, start, bytes.count) == 0
            else { return nil }
            self = candidate
        }

        /// The only field a key of this length and first byte can be.
        private static func candidate(ascii bytes: UnsafeBufferPointer<UInt8>) -> Field? {
            guard let first = bytes.first else { return nil }
            switch (bytes.count, first) {
            case (2, UInt8(ascii: "i")): return .id
            case (10, UInt8(ascii: "a")): return .accountId
            case (6, UInt8(ascii: "a")): return .amount
            case (8, UInt8(ascii: "c")): return .currency
            case (9, UInt8(ascii: "t")): return .timestamp
            case (11, UInt8(ascii: "m")): return .merchantId
            case (17, UInt8(ascii: "m")): return .merchantCategory
            case (7, UInt8(ascii: "c")): return bytes[2] == UInt8(ascii: "u") ? .country : .channel
            case (8, UInt8(ascii: "m")): return .metadata
            default: return nil
            }
        }
    }

    /// A transaction object, or the root error for any other value (which is still syntax-checked).
    static func readPayload(_ cursor: inout Cursor) throws(JSONSyntaxError) -> TransactionPayload {
        guard try cursor.peekValue() == UInt8(ascii: "{") else {
            try cursor.skipValue()
            return .notAnObject
        }
        var payload = TransactionPayload()
        var seen = SeenKeys()
        guard try cursor.enterObject() else { return payload }
        repeat {
            let key = try cursor.readKey()
            try readMember(key, into: &payload, seen: &seen, &cursor)
        } while try cursor.nextMember()
        return payload
    }

    /// Keys already read in one object: later duplicates are only syntax-checked (first wins).
    /// Two bit sets, so that a member costs no allocation; the Set is touched only by unknown keys.
    struct SeenKeys {
        var fields: UInt16 = 0
        /// Fields already reported as repeated: one error per field, however often it repeats.
        var repeated: UInt16 = 0
        /// A Set, not a search of `errors`: a 1 MiB body can hold 100k distinct unknown keys.
        var unknown: Set<String> = []
    }

    private static func readMember(
        _ key: Cursor.RawString,
        into payload: inout TransactionPayload,
        seen: inout SeenKeys,
        _ cursor: inout Cursor
    ) throws(JSONSyntaxError) {
        let field = key.isPlainASCII ? Field(ascii: cursor.bytes(of: key)) : Field(name: cursor.string(key))
        guard let field else {
            let name = cursor.string(key)
            // One error per key, where keys are equal as Strings (as in Foundation's dictionary).
            if seen.unknown.insert(name).inserted {
                payload.errors.append(FieldError(field: name, message: TransactionPayload.unknownFieldMessage))
            }
            return try cursor.skipValue()
        }
        guard seen.fields & field.bit == 0 else {
            if seen.repeated & field.bit == 0 {
                seen.repeated |= field.bit
                payload.errors.append(FieldError(field: field.name, message: TransactionPayload.repeatedMemberMessage))
            }
            return try cursor.skipValue()
        }
        seen.fields |= field.bit
        switch field {
        case .id: payload.id = try readString(.id, into: &payload, &cursor)
        case .accountId: payload.accountId = try readString(.accountId, into: &payload, &cursor)
        case .currency: payload.currency = try readString(.currency, into: &payload, &cursor)
        case .timestamp: payload.timestamp = try readString(.timestamp, into: &payload, &cursor)
        case .merchantId: payload.merchantId = try readString(.merchantId, into: &payload, &cursor)
        case .merchantCategory: payload.merchantCategory = try readString(.merchantCategory, into: &payload, &cursor)
        case .country: payload.country = try readString(.country, into: &payload, &cursor)
        case .channel: payload.channel = try readString(.channel, into: &payload, &cursor)
        case .amount: payload.amount = try readAmount(into: &payload, &cursor)
        case .metadata: payload.metadata = try readMetadata(into: &payload, &cursor)
        }
    }

    /// A string field; `null` means absent.
    private static func readString(
        _ field: Field,
        into payload: inout TransactionPayload,
        _ cursor: inout Cursor
    ) throws(JSONSyntaxError) -> String? {
        switch try cursor.peekValue() {
        case UInt8(ascii: "\""):
            return cursor.string(try cursor.scanString())
        case UInt8(ascii: "n"):
            try cursor.skipValue()  // only `null` starts with n
        default:
            try cursor.skipValue()
            payload.errors.append(FieldError(field: field.name, message: TransactionPayload.notAStringMessage))
        }
        return nil
    }

    /// An amount as a decimal string or a JSON number; anything else (null included, as in
    /// Foundation's path) is "not a number".
    private static func readAmount(
        into payload: inout TransactionPayload,
        _ cursor: inout Cursor
    ) throws(JSONSyntaxError) -> Amount? {
        let result: Result<Amount, Amount.Problem>
        switch try cursor.peekValue() {
        case UInt8(ascii: "\""):
            let text = try cursor.scanString()
            result = Result { () throws(Amount.Problem) in try amount(fromString: text, in: cursor) }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let number = try cursor.scanNumber()
            result = Result { () throws(Amount.Problem) in try amount(fromNumber: number, in: cursor) }
        default:
            try cursor.skipValue()
            result = .failure(.notANumber)
        }
        switch result {
        case .success(let amount):
            return amount
        case .failure(let problem):
            payload.errors.append(FieldError(field: Field.amount.name, message: problem.message))
            return nil
        }
    }

    /// `metadata`: a flat object of strings, or `null` (absent).
    private static func readMetadata(
        into payload: inout TransactionPayload,
        _ cursor: inout Cursor
    ) throws(JSONSyntaxError) -> [String: String]? {
        switch try cursor.peekValue() {
        case UInt8(ascii: "n"):
            try cursor.skipValue()
            return nil
        case UInt8(ascii: "{"):
            if let metadata = try readFlatObject(into: &payload, &cursor) { return metadata }
        default:
            try cursor.skipValue()
        }
        payload.errors.append(
            FieldError(field: Field.metadata.name, message: TransactionPayload.notFlatMetadataMessage)
        )
        return nil
    }

    /// The object's string members, or nil when any value is not a string (the rest is still
    /// checked). A repeated key keeps its first value (the later ones need not be strings) and is
    /// reported once as `metadata.<key>`.
    private static func readFlatObject(
        into payload: inout TransactionPayload,
        _ cursor: inout Cursor
    ) throws(JSONSyntaxError) -> [String: String]? {
        var members: [String: String] = [:]
        var repeated: Set<String> = []
        var isFlat = true
        guard try cursor.enterObject() else { return members }
        repeat {
            let key = cursor.string(try cursor.readKey())
            if members[key] != nil {
                if repeated.insert(key).inserted {
                    payload.errors.append(
                        FieldError(
                            field: "\(Field.metadata.name).\(key)",
                            message: TransactionPayload.repeatedMemberMessage
                        )
                    )
                }
                try cursor.skipValue()  // Foundation keeps the first value and never looks at this one
            } else if try cursor.peekValue() == UInt8(ascii: "\"") {
                members[key] = cursor.string(try cursor.scanString())
            } else {
                try cursor.skipValue()
                members[key] = ""  // marks the key as seen; a non-flat object is not returned
                isFlat = false
            }
        } while try cursor.nextMember()
        return isFlat ? members : nil
    }
}

// MARK: - Amounts

extension TransactionJSONReader {
    /// `Amount(validating: String)` on the string's text, without its `Locale` and `Decimal(string:)`
    /// for the usual short amounts.
    static func amount(fromString raw: Cursor.RawString, in cursor: Cursor) throws(Amount.Problem) -> Amount {
        if raw.isPlainASCII, let digits = AmountDigits(plainText: cursor.bytes(of: raw)) {
            return try digits.amount()
        }
        return try Amount(validating: cursor.string(raw))
    }

    /// What Foundation's path does with a JSON number: `Decimal` from the exact text, then
    /// `Amount(validating:)`; short numbers without exponent skip the `Decimal` parser. Unlike that
    /// path, a number of more than 38 significant digits is refused instead of rounded.
    static func amount(fromNumber number: Cursor.RawNumber, in cursor: Cursor) throws(Amount.Problem) -> Amount {
        if !number.hasExponent,
            let digits = AmountDigits(
                integer: cursor.bytes(in: number.integer),
                fraction: cursor.bytes(in: number.fraction)
            )
        {
            // Any negative number, -0 included, is a Decimal that is not > 0.
            if number.isNegative { throw .notPositive }
            return try digits.amount()
        }
        // Foundation's path cannot do this: its Decimal arrives already rounded.
        if Amount.significantDigitCount(
            integer: cursor.bytes(in: number.integer),
            fraction: cursor.bytes(in: number.fraction)
        )
            > Amount.maxSignificantDigits
        {
            throw .tooManySignificantDigits
        }
        let text = String(decoding: cursor.bytes(in: number.text), as: UTF8.self)
        guard let value = Decimal(string: text) else { throw .notANumber }  // beyond Decimal's range
        return try Amount(validating: value)
    }

    /// A decimal amount of at most 19 digits, held exactly as an integer and a scale.
    struct AmountDigits {
        static let maxDigits = 19  // 10^19 - 1 still fits a UInt64
        let significand: UInt64
        let fractionDigits: Int

        /// Digits before and after the point; nil when there are too many to hold exactly.
        init?(integer: UnsafeBufferPointer<UInt8>, fraction: UnsafeBufferPointer<UInt8>) {
            guard integer.count + fraction.count <= Self.maxDigits else { return nil }
            var value: UInt64 = 0
            for byte in integer { value = value * 10 + UInt64(byte &- UInt8(ascii: "0")) }
            for byte in fraction { value = value * 10 + UInt64(byte &- UInt8(ascii: "0")) }
            significand = value
            fractionDigits = fraction.count
        }

        /// The grammar of `Amount(validating: String)`: digits, optionally '.' and more digits.
        /// Nil when the text is not of that form or too long; the caller then asks `Amount` itself.
        init?(plainText text: UnsafeBufferPointer<UInt8>) {
            let dot = text.firstIndex(of: UInt8(ascii: "."))
            let integer = UnsafeBufferPointer(rebasing: text[..<(dot ?? text.endIndex)])
            let fraction =
                dot.map { UnsafeBufferPointer(rebasing: text[($0 + 1)...]) }
                ?? UnsafeBufferPointer(rebasing: text[text.endIndex...])
            guard !integer.isEmpty, dot == nil || !fraction.isEmpty,
                integer.allSatisfy(Self.isDigit), fraction.allSatisfy(Self.isDigit)
            else { return nil }
            self.init(integer: integer, fraction: fraction)
        }

        static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        /// The checks of `Amount(validating: Decimal)`, in its order, done on the exact digits.
        func amount() throws(Amount.Problem) -> Amount {
            guard significand > 0 else { throw .notPositive }
            var significand = significand
            var exponent = -fractionDigits
            // Trailing zeros carry no value: strip them, as Decimal's compaction does.
            while significand % 10 == 0 {
                significand /= 10
                exponent += 1
            }
            if -exponent > Amount.maxFractionDigits { throw .tooManyFractionDigits }
            if Self.integerDigits(significand, exponent) > Amount.maxIntegerDigits { throw .tooManyIntegerDigits }
            // The same Decimal (mantissa, exponent) that Decimal(string:) builds for this text.
            return Amount(unchecked: Decimal(sign: .plus, exponent: exponent, significand: Decimal(significand)))
        }

        /// Digits before the point of significand × 10^exponent (leading zeros not counted).
        private static func integerDigits(_ significand: UInt64, _ exponent: Int) -> Int {
            var digits = 0
            var remaining = significand
            while remaining > 0 {
                digits += 1
                remaining /= 10
            }
            return max(0, digits + exponent)
        }
    }
}
