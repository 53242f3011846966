import Foundation

/// An exact, positive money amount: at most 15 integer digits and 4 fraction digits.
///
/// Stored as a `Decimal` (base-10, exact) so that "0.1" stays 0.1; never a `Double` on the record path.
/// Its wire form is the canonical decimal string ("129.9" for 129.90).
struct Amount: Hashable, Comparable, Sendable, CustomStringConvertible {
    static let maxIntegerDigits = 15
    static let maxFractionDigits = 4
    /// What `Decimal` holds exactly: past 38 digits its parser rounds, so "1.000…0001" (42 digits)
    /// would become 1. Texts with more are refused before they reach it.
    static let maxSignificantDigits = 38

    let value: Decimal

    /// Why a candidate amount is not acceptable, in words a client can act on.
    enum Problem: Error, Equatable {
        case notPositive, tooManyFractionDigits, tooManyIntegerDigits, notANumber, tooManySignificantDigits
        var message: String {
            switch self {
            case .tooManySignificantDigits:
                return
                    "must have at most \(Amount.maxSignificantDigits) significant digits to be read exactly (at most \(Amount.maxIntegerDigits) integer and \(Amount.maxFractionDigits) fraction digits are accepted)"
            case .notPositive: return "must be greater than 0"
            case .tooManyFractionDigits: return "must have at most \(Amount.maxFractionDigits) fraction digits"
            case .tooManyIntegerDigits: return "must have at most \(Amount.maxIntegerDigits) integer digits"
            case .notANumber: return "must be a decimal number (JSON number or string like \"129.90\")"
            }
        }
    }

    /// Validates a decimal taken from a JSON number or string.
    init(validating value: Decimal) throws(Problem) {
        guard value.isFinite, !value.isNaN else { throw .notANumber }
        guard value > 0 else { throw .notPositive }
        if Self.fractionDigits(of: value) > Self.maxFractionDigits { throw .tooManyFractionDigits }
        if value >= Self.integerLimit { throw .tooManyIntegerDigits }
        self.value = value
    }

    /// Parses a decimal string strictly: digits, at most one '.', no sign, exponent or spaces.
    init(validating text: String) throws(Problem) {
        let bytes = Array(text.utf8)
        let isDigit = { (b: UInt8) in b >= 0x30 && b <= 0x39 }
        guard !bytes.isEmpty else { throw .notANumber }
        let dot = bytes.firstIndex(of: UInt8(ascii: "."))
        let integerPart = bytes[..<(dot ?? bytes.endIndex)]
        let fractionPart = dot.map { bytes[($0 + 1)...] } ?? []
        guard !integerPart.isEmpty, integerPart.allSatisfy(isDigit),
            fractionPart.allSatisfy(isDigit), dot == nil || !fractionPart.isEmpty
        else { throw .notANumber }
        if Self.significantDigitCount(integer: integerPart, fraction: fractionPart) > Self.maxSignificantDigits {
            throw .tooManySignificantDigits
        }
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else { throw .notANumber }
        try self.init(validating: value)
    }

    /// Digits from the first non-zero one to the last one written (trailing zeros count: they are
    /// digits `Decimal` must hold too). Leading zeros carry nothing and are not counted.
    static func significantDigitCount<Digits: Collection<UInt8>>(integer: Digits, fraction: Digits) -> Int {
        let integerDigits = integer.drop { $0 == UInt8(ascii: "0") }.count
        guard integerDigits == 0 else { return integerDigits + fraction.count }
        return fraction.drop { $0 == UInt8(ascii: "0") }.count
    }

    init(unchecked value: Decimal) { self.value = value }

    var description: String { value.description }

    /// For statistics only (histograms, sums shown as gauges), never for the record itself.
    var doubleValue: Double { NSDecimalNumber(decimal: value).doubleValue }

    static func < (lhs: Amount, rhs: Amount) -> Bool { lhs.value < rhs.value }

    private static let integerLimit: Decimal = {
        var limit = Decimal(1)
        for _ in 0..<maxIntegerDigits { limit *= 10 }
        return limit
    }()

    private static func fractionDigits(of value: Decimal) -> Int {
        var normalized = value
        var rounded = Decimal()
        // Strip trailing zeros the cheap way: a value equal to its rounding at n digits has <= n digits.
        for digits in 0...maxFractionDigits {
            NSDecimalRound(&rounded, &normalized, digits, .plain)
            if rounded == value { return digits }
        }
        return maxFractionDigits + 1
    }
}

extension Amount: Codable {
    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            do { try self.init(validating: text) } catch {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
            }
        } else {
            let number = try container.decode(Decimal.self)
            do { try self.init(validating: number) } catch {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
            }
        }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
