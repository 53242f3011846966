import CoreSupport
import Foundation
import Testing

@testable import GatewayKit

/// `TransactionJSONWriter` must write exactly the bytes of `Transaction.makeEncoder()`, which the
/// consumer side still decodes with `Transaction.makeDecoder()`.
struct TransactionJSONWriterTests {
    @Test func writer_matchesJSONEncoder_byteForByte() throws {
        var random = SplitMix64(seed: 0x7A5C_0003)
        var failures: [String] = []
        for _ in 0..<5_000 {
            let transaction = Self.transaction(&random)
            let expected = Array(try Transaction.makeEncoder().encode(transaction))
            let actual = TransactionJSONWriter.bytes(of: transaction)
            if actual != expected {
                failures.append(
                    "\(String(decoding: expected, as: UTF8.self))\n  vs \(String(decoding: actual, as: UTF8.self))"
                )
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(3).joined(separator: "\n"))")
    }

    @Test func writerWithADateMemo_writesTheSameBytes_whetherDatesRepeatOrNot() {
        var random = SplitMix64(seed: 0x7A5C_0005)
        var dates = TransactionJSONWriter.DateMemo()
        let shared = Self.transaction(&random).receivedAt
        for index in 0..<500 {
            var transaction = Self.transaction(&random)
            if index % 3 != 0 { transaction.receivedAt = shared }  // a batch's records share it
            if index % 5 == 0 { transaction.timestamp = shared }
            #expect(
                TransactionJSONWriter.bytes(of: transaction, dates: &dates)
                    == TransactionJSONWriter.bytes(of: transaction)
            )
        }
    }

    @Test func record_decodesBackToTheSameTransaction() throws {
        var random = SplitMix64(seed: 0x7A5C_0004)
        for _ in 0..<200 {
            let transaction = Self.transaction(&random, withOddAmounts: false)
            let decoded = try Transaction.makeDecoder().decode(
                Transaction.self,
                from: Data(TransactionRecord.value(of: transaction))
            )
            #expect(
                decoded.amount == transaction.amount && decoded.metadata == transaction.metadata
                    && decoded.id == transaction.id
            )
        }
    }

    @Test(arguments: [
        ("129.9", "129.9"), ("0.0001", "0.0001"), ("1000", "1000"), ("999999999999999.9999", "999999999999999.9999"),
        ("0.1", "0.1"), ("12.5", "12.5"), ("5", "5"),
    ])
    func amounts_keepDecimalsSpelling(text: String, expected: String) throws {
        var out: [UInt8] = []
        TransactionJSONWriter.appendAmount(try Amount(validating: text), to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "\"\(expected)\"")
    }

    // MARK: random transactions

    static func transaction(_ random: inout SplitMix64, withOddAmounts: Bool = true) -> Transaction {
        func maybe(_ text: String) -> String? { Bool.random(using: &random) ? text : nil }
        return Transaction(
            id: string(&random),
            accountId: string(&random),
            amount: amount(&random, odd: withOddAmounts),
            currency: string(&random),
            timestamp: date(&random),
            merchantId: maybe(string(&random)),
            merchantCategory: maybe(string(&random)),
            country: maybe(string(&random)),
            channel: Bool.random(using: &random) ? Channel.allCases.randomElement(using: &random) : nil,
            metadata: Bool.random(using: &random) ? metadata(&random) : nil,
            receivedAt: date(&random)
        )
    }

    /// Characters JSON writers disagree about: controls, quotes, slash, DEL, separators, non-ASCII.
    static let scalars: [Unicode.Scalar] =
        (0..<0x80).compactMap(Unicode.Scalar.init)
        + [
            "é", "€", "😀", "中", "\u{301}", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{FFFF}", "\u{10FFFF}", "\u{80}",
            "\u{9F}", "\u{A0}",
        ]

    static func string(_ random: inout SplitMix64) -> String {
        var text = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...12, using: &random) { text.append(scalars.randomElement(using: &random)!) }
        return String(text)
    }

    static func metadata(_ random: inout SplitMix64) -> [String: String] {
        var metadata: [String: String] = [:]
        let keys = ["a", "B", "k10", "k9", "é", "e\u{301}", "", "Z", "_", "a b", "k\"", "k\\", "\u{1}"]
        for _ in 0..<Int.random(in: 0...6, using: &random) {
            metadata[Bool.random(using: &random) ? keys.randomElement(using: &random)! : string(&random)] = string(
                &random
            )
        }
        return metadata
    }

    /// Mostly validated amounts; with `odd`, also Decimals only `Amount(unchecked:)` would hold.
    static func amount(_ random: inout SplitMix64, odd: Bool) -> Amount {
        if odd, Int.random(in: 0..<5, using: &random) == 0 {
            let odd = [
                "0", "-12.5", "123456789012345678901234567890", "0.00000000000000000001", "1e30", "1.5e-7",
                "18446744073709551616",
            ]
            let value = Decimal(string: odd.randomElement(using: &random)!)!
            // Arithmetic can leave trailing zeros in the significand (129.90 as 12990e-2).
            return Amount(unchecked: Bool.random(using: &random) ? value : Decimal(12990) * Decimal(string: "0.01")!)
        }
        let integer = String(
            UInt64.random(in: 1...999_999_999_999_999, using: &random) >> UInt64.random(in: 0...49, using: &random)
        )
        let fraction = String(Int.random(in: 0...9999, using: &random))
        let text = Bool.random(using: &random) ? integer : integer + "." + fraction
        return (try? Amount(validating: text)) ?? Amount(unchecked: 1)
    }

    /// 1970-2200 with sub-millisecond noise; sometimes a date outside the fast formatter's range.
    static func date(_ random: inout SplitMix64) -> Date {
        if Int.random(in: 0..<20, using: &random) == 0 {
            return Date(timeIntervalSince1970: Double.random(in: -20_000_000_000...300_000_000_000, using: &random))
        }
        return Date(timeIntervalSince1970: Double.random(in: 0...7_258_118_400, using: &random))
    }
}

/// `RFC3339.format` (digit by digit) against the ISO8601FormatStyle it replaced.
struct RFC3339FormatTests {
    static func expectSame(_ dates: [Date]) {
        let failures = dates.filter { RFC3339.format($0) != RFC3339.foundationFormat($0) }
        #expect(
            failures.isEmpty,
            "\(failures.count) differ, first: \(failures.prefix(5).map { "\($0.timeIntervalSince1970): \(RFC3339.format($0)) vs \(RFC3339.foundationFormat($0))" })"
        )
    }

    @Test func randomDates_1970to2200_formatIdentically() {
        var random = SplitMix64(seed: 0x7A5C_0005)
        let seconds2200 = 7_258_118_400.0
        Self.expectSame(
            (0..<200_000).map { _ in Date(timeIntervalSince1970: Double.random(in: 0..<seconds2200, using: &random)) }
        )
        // Whole milliseconds, as parsed timestamps are: the Double sits just above or below them.
        Self.expectSame(
            (0..<100_000).map { _ in
                Date(timeIntervalSince1970: Double(Int64.random(in: 0..<7_258_118_400_000, using: &random)) / 1000)
            }
        )
    }

    @Test func calendarEdges_formatIdentically() {
        let days = [
            "1970-01-01", "1972-02-29", "1999-12-31", "2000-02-29", "2000-03-01", "2024-02-29", "2096-02-29",
            "2100-02-28", "2100-03-01", "2199-12-31", "2400-02-29", "9999-12-31",
        ]
        var dates: [Date] = []
        for day in days {
            let midnight = RFC3339.parse(day + "T00:00:00Z")!
            for offset in [
                0, 0.0004, 0.0005, 0.000999, 0.001, 0.123, 0.999, 0.9995, 0.9999999, 59.999, 86_399.999, 86_399.9999999,
                -0.0000001, -0.001,
            ] {
                dates.append(midnight + offset)
            }
        }
        Self.expectSame(dates)
    }

    @Test func outsideTheFastRange_usesFoundation() {
        let dates = [-1.0, -0.0005, -12_219_292_800, 253_402_300_800, 253_402_300_799.9996, 1e13, -1e13].map(
            Date.init(timeIntervalSince1970:)
        )
        Self.expectSame(dates)
        #expect(RFC3339.format(Date(timeIntervalSince1970: 253_402_300_800)) == "10000-01-01T00:00:00.000Z")
    }

    @Test func append_writesTheSameBytes() {
        let date = Date(timeIntervalSince1970: 1_795_623_600.123456)
        var bytes: [UInt8] = [0x7B]
        RFC3339.append(date, to: &bytes)
        #expect(bytes == [0x7B] + Array(RFC3339.format(date).utf8))
        #expect(RFC3339.format(date) == "2026-11-25T16:20:00.123Z")
    }
}
