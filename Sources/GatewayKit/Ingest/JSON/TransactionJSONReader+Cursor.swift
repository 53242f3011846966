import Foundation

// MARK: - Cursor: the RFC 8259 grammar over bytes

extension TransactionJSONReader {
    /// A read position in one JSON text, valid only inside the `withUnsafeBufferPointer` that made it.
    /// Every value is fully checked as it is passed, so a text is either read whole or rejected.
    struct Cursor {
        /// A scanned string: its bytes between the quotes, still escaped.
        struct RawString {
            let range: Range<Int>
            let hasEscapes: Bool
            /// No escapes and no byte >= 0x80: the bytes are the string.
            let isPlainASCII: Bool
        }

        /// A scanned number: the whole text and its parts, for exact amounts.
        struct RawNumber {
            let text: Range<Int>
            let isNegative: Bool
            let integer: Range<Int>
            let fraction: Range<Int>
            let hasExponent: Bool
        }

        private let buffer: UnsafeBufferPointer<UInt8>
        private var index = 0
        private var depth = 0

        init(_ buffer: UnsafeBufferPointer<UInt8>) {
            self.buffer = buffer
            // RFC 8259 §8.1: a parser may ignore a byte order mark; Foundation does.
            if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { index = 3 }
        }

        func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
            JSONSyntaxError(message: message, offset: offset ?? index)
        }

        func bytes(in range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: buffer[range])
        }

        func bytes(of string: RawString) -> UnsafeBufferPointer<UInt8> { bytes(in: string.range) }

        // MARK: structure

        /// The first byte of the next value, after whitespace.
        mutating func peekValue() throws(JSONSyntaxError) -> UInt8 {
            skipWhitespace()
            guard index < buffer.count else { throw error("unexpected end of input") }
            return buffer[index]
        }

        mutating func expectEnd() throws(JSONSyntaxError) {
            skipWhitespace()
            guard index == buffer.count else { throw error("unexpected data after the JSON value") }
        }

        /// Consumes `{`; false when the object is empty (and then consumed whole).
        mutating func enterObject() throws(JSONSyntaxError) -> Bool {
            try enter(closing: UInt8(ascii: "}"))
        }

        /// Consumes `[`; false when the array is empty (and then consumed whole).
        mutating func enterArray() throws(JSONSyntaxError) -> Bool {
            try enter(closing: UInt8(ascii: "]"))
        }

        /// A member's key and its colon; the value comes next.
        mutating func readKey() throws(JSONSyntaxError) -> RawString {
            guard try peekValue() == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try scanString()
            skipWhitespace()
            guard index < buffer.count, buffer[index] == UInt8(ascii: ":") else {
                throw error("expected ':' after the key")
            }
            index += 1
            return key
        }

        /// After a member: true if another follows, false at the end of the object.
        mutating func nextMember() throws(JSONSyntaxError) -> Bool {
            try next(closing: UInt8(ascii: "}"), "expected ',' or '}'")
        }

        /// After an element: true if another follows, false at the end of the array.
        mutating func nextElement() throws(JSONSyntaxError) -> Bool {
            try next(closing: UInt8(ascii: "]"), "expected ',' or ']'")
        }

        private mutating func enter(closing: UInt8) throws(JSONSyntaxError) -> Bool {
            guard depth < TransactionJSONReader.maxDepth else {
                throw error("nesting deeper than \(TransactionJSONReader.maxDepth) levels")
            }
            depth += 1
            index += 1
            skipWhitespace()
            guard index < buffer.count, buffer[index] == closing else { return true }
            index += 1
            depth -= 1
            return false
        }

        private mutating func next(closing: UInt8, _ expected: String) throws(JSONSyntaxError) -> Bool {
            skipWhitespace()
            guard index < buffer.count else { throw error("unexpected end of input") }
            switch buffer[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
                if index < buffer.count, buffer[index] == closing { throw error("trailing comma") }
                return true
            case closing:
                index += 1
                depth -= 1
                return false
            default:
                throw error(expected)
            }
        }

        private mutating func skipWhitespace() {
            while index < buffer.count {
                switch buffer[index] {
                case 0x20, 0x0A, 0x0D, 0x09: index += 1
                default: return
                }
            }
        }

        // MARK: values

        /// Checks and passes over one value of any kind.
        mutating func skipValue() throws(JSONSyntaxError) {
            switch try peekValue() {
            case UInt8(ascii: "{"):
                guard try enterObject() else { return }
                repeat {
                    _ = try readKey()
                    try skipValue()
                } while try nextMember()
            case UInt8(ascii: "["):
                guard try enterArray() else { return }
                repeat { try skipValue() } while try nextElement()
            case UInt8(ascii: "\""): _ = try scanString()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try scanNumber()
            case UInt8(ascii: "t"): try scanLiteral("true")
            case UInt8(ascii: "f"): try scanLiteral("false")
            case UInt8(ascii: "n"): try scanLiteral("null")
            case let byte: throw error("unexpected \(Self.describe(byte))")
            }
        }

        private mutating func scanLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
            let text = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
            guard buffer.count - index >= text.count, bytes(in: index..<index + text.count).elementsEqual(text) else {
                throw error("invalid literal")
            }
            index += text.count
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` (RFC 8259 §6).
        mutating func scanNumber() throws(JSONSyntaxError) -> RawNumber {
            let start = index
            let isNegative = buffer[index] == UInt8(ascii: "-")
            if isNegative { index += 1 }
            let integerStart = index
            guard isDigit(at: index) else { throw error("expected a digit") }
            if buffer[index] == UInt8(ascii: "0") {
                index += 1
                if isDigit(at: index) { throw error("leading zeros are not allowed", at: integerStart) }
            } else {
                skipDigits()
            }
            let integer = integerStart..<index
            var fraction = index..<index
            if index < buffer.count, buffer[index] == UInt8(ascii: ".") {
                index += 1
                guard isDigit(at: index) else { throw error("expected a digit after the decimal point") }
                let fractionStart = index
                skipDigits()
                fraction = fractionStart..<index
            }
            let hasExponent = index < buffer.count && (buffer[index] | 0x20) == UInt8(ascii: "e")
            if hasExponent { try scanExponent() }
            return RawNumber(
                text: start..<index,
                isNegative: isNegative,
                integer: integer,
                fraction: fraction,
                hasExponent: hasExponent
            )
        }

        private mutating func scanExponent() throws(JSONSyntaxError) {
            index += 1
            if index < buffer.count, buffer[index] == UInt8(ascii: "+") || buffer[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard isDigit(at: index) else { throw error("expected a digit in the exponent") }
            skipDigits()
        }

        private func isDigit(at offset: Int) -> Bool {
            offset < buffer.count && buffer[offset] >= UInt8(ascii: "0") && buffer[offset] <= UInt8(ascii: "9")
        }

        private mutating func skipDigits() {
            while isDigit(at: index) { index += 1 }
        }

        static func describe(_ byte: UInt8) -> String {
            (0x21...0x7E).contains(byte)
                ? "character '\(Character(Unicode.Scalar(byte)))'"
                : "byte 0x" + String(byte, radix: 16, uppercase: true)
        }
    }
}

// MARK: - Cursor: strings

extension TransactionJSONReader.Cursor {
    /// Checks a string from its opening quote to past its closing one: escapes (RFC 8259 §7),
    /// UTF-8 (RFC 3629), no raw control characters. Decoding it later cannot fail.
    mutating func scanString() throws(JSONSyntaxError) -> RawString {
        let quote = index
        index += 1
        var hasEscapes = false
        var isASCII = true
        while index < buffer.count {
            skipPlainASCII()
            guard index < buffer.count else { break }
            switch buffer[index] {
            case UInt8(ascii: "\""):
                index += 1
                return RawString(
                    range: quote + 1..<index - 1,
                    hasEscapes: hasEscapes,
                    isPlainASCII: isASCII && !hasEscapes
                )
            case UInt8(ascii: "\\"):
                hasEscapes = true
                try scanEscape()
            case 0x00..<0x20:
                throw error("control character in string")
            case 0x80...:
                isASCII = false
                try scanUTF8Sequence()
            default:
                index += 1
            }
        }
        throw error("unterminated string", at: quote)
    }

    /// Passes over bytes that need no attention (printable ASCII but `"` and `\`) eight at a
    /// time, stopping on the first one that does: they are most of every string.
    private mutating func skipPlainASCII() {
        guard let base = buffer.baseAddress else { return }
        while index + 8 <= buffer.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            let special = Self.specialBytes(in: word)
            guard special == 0 else {
                index += special.trailingZeroBitCount / 8
                return
            }
            index += 8
        }
    }

    /// A mask whose lowest set bit is the high bit of the first byte (in memory order, given a
    /// little-endian load) that is `"`, `\`, below 0x20 or from 0x80 up; zero if there is none.
    /// The classic SWAR "has a zero byte" and "has a byte less than n" tests: borrows can only
    /// mark bytes above a real match, so the lowest mark is exact.
    static func specialBytes(in word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let isQuote = (quote &- ones) & ~quote
        let isBackslash = (backslash &- ones) & ~backslash
        let isControl = (word &- ones &* 0x20) & ~word
        return (isQuote | isBackslash | isControl | word) & (ones &* 0x80)
    }

    private mutating func scanEscape() throws(JSONSyntaxError) {
        guard index + 1 < buffer.count else { throw error("unterminated string") }
        switch buffer[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            index += 2
        case UInt8(ascii: "u"):
            try scanUnicodeEscape()
        default:
            throw error("invalid escape")
        }
    }

    /// `\uXXXX`, where a surrogate must be a high one followed by `\u` and a low one: strings
    /// are Unicode scalars, so a lone surrogate has no value to decode to.
    private mutating func scanUnicodeEscape() throws(JSONSyntaxError) {
        let unit = try hexUnit(at: index + 2)
        switch unit {
        case 0xD800...0xDBFF:
            guard index + 7 < buffer.count, buffer[index + 6] == UInt8(ascii: "\\"),
                buffer[index + 7] == UInt8(ascii: "u"),
                (0xDC00...0xDFFF).contains(try hexUnit(at: index + 8))
            else { throw error("unpaired surrogate in \\u escape") }
            index += 12
        case 0xDC00...0xDFFF:
            throw error("unpaired surrogate in \\u escape")
        default:
            index += 6
        }
    }

    /// The four hex digits at `offset`.
    private func hexUnit(at offset: Int) throws(JSONSyntaxError) -> UInt16 {
        guard offset + 4 <= buffer.count else { throw error("invalid \\u escape") }
        var unit: UInt16 = 0
        for byte in bytes(in: offset..<offset + 4) {
            guard let value = Self.hexValue(byte) else { throw error("invalid \\u escape") }
            unit = unit << 4 | UInt16(value)
        }
        return unit
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// One multi-byte UTF-8 sequence; overlong forms, surrogates and code points past U+10FFFF
    /// are invalid (RFC 3629 §4).
    private mutating func scanUTF8Sequence() throws(JSONSyntaxError) {
        let lead = buffer[index]
        let (length, secondRange): (Int, ClosedRange<UInt8>)
        switch lead {
        case 0xC2...0xDF: (length, secondRange) = (2, 0x80...0xBF)
        case 0xE0: (length, secondRange) = (3, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (length, secondRange) = (3, 0x80...0xBF)
        case 0xED: (length, secondRange) = (3, 0x80...0x9F)
        case 0xF0: (length, secondRange) = (4, 0x90...0xBF)
        case 0xF1...0xF3: (length, secondRange) = (4, 0x80...0xBF)
        case 0xF4: (length, secondRange) = (4, 0x80...0x8F)
        default: throw error("invalid UTF-8")
        }
        guard index + length <= buffer.count, secondRange.contains(buffer[index + 1]),
            bytes(in: index + 2..<index + length).allSatisfy({ $0 & 0xC0 == 0x80 })
        else {
            throw error("invalid UTF-8")
        }
        index += length
    }

    /// The value of a scanned string.
    func string(_ raw: RawString) -> String {
        guard raw.hasEscapes else { return String(decoding: bytes(of: raw), as: UTF8.self) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(raw.range.count)
        var offset = raw.range.lowerBound
        while offset < raw.range.upperBound {
            if buffer[offset] == UInt8(ascii: "\\") {
                offset = unescape(at: offset, into: &decoded)
            } else {
                decoded.append(buffer[offset])
                offset += 1
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// Appends the escape at `offset` (already checked by `scanEscape`), returns the offset after it.
    private func unescape(at offset: Int, into decoded: inout [UInt8]) -> Int {
        let simple: UInt8
        switch buffer[offset + 1] {
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"): return unescapeUnicode(at: offset, into: &decoded)
        case let byte: simple = byte  // " \ /
        }
        decoded.append(simple)
        return offset + 2
    }

    private func unescapeUnicode(at offset: Int, into decoded: inout [UInt8]) -> Int {
        let unit = (try? hexUnit(at: offset + 2)) ?? 0
        var scalar = UInt32(unit)
        var end = offset + 6
        if (0xD800...0xDBFF).contains(unit) {
            let low = (try? hexUnit(at: offset + 8)) ?? 0
            scalar = 0x10000 + (UInt32(unit - 0xD800) << 10) + UInt32(low - 0xDC00)
            end = offset + 12
        }
        decoded.append(contentsOf: UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}")!)
        return end
    }
}
