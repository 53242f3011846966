import Foundation
import HTTPCore
import Testing

@testable import GatewayKit

/// Decoding + validation of one transaction, fed with JSON bytes (no sockets).
struct TransactionValidationTests {
    let receivedAt = Date(timeIntervalSince1970: 1_795_000_000)

    func validate(_ json: String) throws -> Result<Transaction, ValidationFailure> {
        let payload = try JSONDecoder().decode(TransactionPayload.self, from: Data(json.utf8))
        return TransactionValidator().validate(payload, receivedAt: receivedAt)
    }

    func fields(_ json: String) throws -> [String] {
        guard case .failure(let failure) = try validate(json) else { return [] }
        return failure.errors.map(\.field)
    }

    let example =
        #"{"id":"tx-0001","account_id":"acc-42","amount":"129.90","currency":"BRL","merchant_id":"m-881","merchant_category":"5411","country":"BR","channel":"card_present","timestamp":"2026-11-25T16:20:00Z"}"#

    @Test func issueExample_isValid_andNormalized() throws {
        let transaction = try validate(example).get()
        #expect(transaction.amount.description == "129.9")
        #expect(transaction.channel == .cardPresent)
        #expect(transaction.timestamp == RFC3339.parse("2026-11-25T16:20:00Z"))
        #expect(transaction.receivedAt == receivedAt)
        let json = String(decoding: TransactionRecord.value(of: transaction), as: UTF8.self)
        #expect(json.contains(#""amount":"129.9""#))
        #expect(json.contains(#""received_at":"2026-11-18T"#))
        let decoded = try Transaction.makeDecoder().decode(Transaction.self, from: Data(json.utf8))
        #expect(decoded == transaction)
    }

    @Test func amount_isExact_asNumberOrString() throws {
        let number = try validate(#"{"id":"a","account_id":"b","amount":0.1,"currency":"USD"}"#).get()
        #expect(number.amount.value == Decimal(string: "0.1"))
        let big = try validate(#"{"id":"a","account_id":"b","amount":"999999999999999.9999","currency":"USD"}"#).get()
        #expect(big.amount.description == "999999999999999.9999")
    }

    @Test(arguments: [
        (#""0""#, "must be greater than 0"), ("-1", "must be greater than 0"), (#""1.23456""#, "fraction digits"),
        ("1.23456", "fraction digits"), (#""1000000000000000""#, "integer digits"), (#""1e3""#, "decimal number"),
        (#"" 12""#, "decimal number"), ("true", "decimal number"), (#""12.""#, "decimal number"),
    ])
    func badAmounts_areRejectedWithAReason(amount: String, reason: String) throws {
        guard
            case .failure(let failure) = try validate(
                #"{"id":"a","account_id":"b","amount":\#(amount),"currency":"USD"}"#
            )
        else {
            Issue.record("amount \(amount) accepted")
            return
        }
        #expect(failure.errors.count == 1)
        #expect(failure.errors.first?.field == "amount")
        #expect(failure.errors.first?.message.contains(reason) == true, "\(failure.errors)")
    }

    @Test func everyBadField_isNamed_inContractOrder() throws {
        let json =
            #"{"id":"","amount":"x","currency":"brl","timestamp":"yesterday","merchant_id":"m 1","merchant_category":"54","country":"XX1","channel":"mail","metadata":{"a":"b"},"extra":1}"#
        #expect(
            try fields(json) == [
                "id", "account_id", "amount", "currency", "timestamp", "merchant_id", "merchant_category", "country",
                "channel", "extra",
            ]
        )
    }

    @Test func wrongTypes_areReportedOnce() throws {
        #expect(
            try fields(#"{"id":5,"account_id":["a"],"amount":"1","currency":"USD","metadata":{"k":1}}"#) == [
                "id", "account_id", "metadata",
            ]
        )
    }

    @Test func metadata_isLimitedTo16StringValues() throws {
        let seventeen = (0..<17).map { #""k\#($0)":"v""# }.joined(separator: ",")
        #expect(
            try fields(#"{"id":"a","account_id":"b","amount":"1","currency":"USD","metadata":{\#(seventeen)}}"#) == [
                "metadata"
            ]
        )
        let sixteen = (0..<16).map { #""k\#($0)":"v""# }.joined(separator: ",")
        #expect(
            try fields(#"{"id":"a","account_id":"b","amount":"1","currency":"USD","metadata":{\#(sixteen)}}"#) == []
        )
    }

    @Test func nonObject_isAValidationError() throws {
        #expect(try fields(#""just a string""#) == ["$"])
        #expect(try fields("42") == ["$"])
    }

    @Test func missingTimestamp_defaultsToReceiveTime_andOffsetsAreHonoured() throws {
        let noTime = try validate(#"{"id":"a","account_id":"b","amount":"1","currency":"USD"}"#).get()
        #expect(noTime.timestamp == receivedAt)
        let offset = try validate(
            #"{"id":"a","account_id":"b","amount":"1","currency":"USD","timestamp":"2026-11-25T19:20:00+03:00"}"#
        ).get()
        #expect(offset.timestamp == RFC3339.parse("2026-11-25T16:20:00Z"))
        let fraction = try validate(
            #"{"id":"a","account_id":"b","amount":"1","currency":"USD","timestamp":"2026-11-25T16:20:00.123Z"}"#
        ).get()
        #expect(RFC3339.format(fraction.timestamp) == "2026-11-25T16:20:00.123Z")
    }

    @Test func identifiers_allowTheContractCharsetUpTo64() {
        #expect(TransactionValidator.isIdentifier("tx-0001:a_b.C"))
        #expect(TransactionValidator.isIdentifier(String(repeating: "a", count: 64)))
        #expect(!TransactionValidator.isIdentifier(String(repeating: "a", count: 65)))
        #expect(!TransactionValidator.isIdentifier("tx/1"))
        #expect(!TransactionValidator.isIdentifier("tx é"))
    }

    @Test func preferHeader_andMediaType_parsing() {
        #expect(TransactionsRoute.prefersAsync(HTTPHeaders([("Prefer", "return=minimal, respond-async; wait=5")])))
        #expect(!TransactionsRoute.prefersAsync(HTTPHeaders([("Prefer", "return=minimal")])))
        #expect(TransactionsRoute.mediaType("Application/JSON; charset=utf-8") == "application/json")
    }
}
