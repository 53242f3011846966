import CoreSupport
import Foundation
import Testing

@testable import GatewayKit

/// The monitor reads record values with `TransactionRecordReader`; `Transaction.makeDecoder()`
/// (Foundation's `JSONDecoder`) is the reference it must agree with, value for value.
struct TransactionRecordReaderTests {
    static func reference(_ json: [UInt8]) -> Transaction? {
        try? Transaction.makeDecoder().decode(Transaction.self, from: Data(json))
    }

    @Test func randomRecords_readAsJSONDecoderReadsThem() {
        var random = SplitMix64(seed: 0x7A5C_0011)
        var failures: [String] = []
        var decoded = 0
        for _ in 0..<2_000 {
            let value = TransactionJSONWriter.bytes(of: TransactionJSONWriterTests.transaction(&random))
            let expected = Self.reference(value)
            if expected != nil { decoded += 1 }
            if TransactionRecordReader.transaction(from: value) != expected {
                failures.append(String(decoding: value, as: UTF8.self))
            }
        }
        #expect(failures.isEmpty, "\(failures.count) differ, first: \(failures.prefix(3))")
        #expect(decoded > 1_600, "most random records are transactions (odd amounts are not)")
    }

    @Test func aRecordReadsBackToTheTransactionWritten() throws {
        let transaction = Transaction(
            id: "tx-1",
            accountId: "acc-42",
            amount: try Amount(validating: "129.90"),
            currency: "BRL",
            timestamp: RFC3339.parse("2026-11-25T16:20:00.123Z")!,
            merchantId: "m-881",
            merchantCategory: "5411",
            country: "BR",
            channel: .cardPresent,
            metadata: ["k": "v"],
            receivedAt: RFC3339.parse("2026-11-25T16:20:01.5Z")!
        )
        #expect(TransactionRecordReader.transaction(from: TransactionRecord.value(of: transaction)) == transaction)
    }

    static let base =
        #""id":"t","account_id":"a","amount":"1.5","currency":"BRL","timestamp":"2026-11-25T16:20:00.000Z","received_at":"2026-11-25T16:20:00.001Z""#

    @Test(arguments: [
        // accepted
        "{\(base)}",
        "{\(base),\"merchant_id\":null,\"country\":null,\"channel\":null,\"metadata\":null}",
        "{\(base),\"unknown\":[1,{\"x\":null}],\"channel\":\"pix\",\"metadata\":{\"a\":\"b\"}}",
        "{\"amount\":12.50,\(base.replacingOccurrences(of: #""amount":"1.5","#, with: ""))}",
        "{\(base),\"id\":\"second\"}",
        " {\(base)} ",
        "{\(base.replacingOccurrences(of: "16:20:00.000Z", with: "13:20:00-03:00"))}",
        "{\(base.replacingOccurrences(of: "2026-11-25T16:20:00.000Z", with: "2001-01-01T00:00:00.022Z"))}",
        // refused
        "{\(base.replacingOccurrences(of: #","received_at":"2026-11-25T16:20:00.001Z""#, with: ""))}",
        "{\(base),\"channel\":\"carrier_pigeon\"}",
        "{\(base),\"metadata\":{\"a\":1}}",
        "{\(base),\"country\":7}",
        "{\(base.replacingOccurrences(of: #""1.5""#, with: #""-1""#))}",
        "{\(base.replacingOccurrences(of: #""1.5""#, with: "null"))}",
        "{\(base.replacingOccurrences(of: #""t""#, with: "5"))}",
        "{\(base.replacingOccurrences(of: "2026-11-25T16:20:00.000Z", with: "2026-02-30T16:20:00.000Z"))}",
        "{\(base.replacingOccurrences(of: "2026-11-25T16:20:00.000Z", with: "yesterday"))}",
        "{\(base)} x", "{\(base)", "[]", "\"text\"", "",
    ])
    func edgeRecords_readAsJSONDecoderReadsThem(json: String) {
        let bytes = Array(json.utf8)
        #expect(TransactionRecordReader.transaction(from: bytes) == Self.reference(bytes))
    }

    @Test func refusedRecords_areNil() {
        #expect(
            TransactionRecordReader.transaction(from: Array("{\(Self.base),\"channel\":\"carrier_pigeon\"}".utf8))
                == nil
        )
        #expect(TransactionRecordReader.transaction(from: Array("not json".utf8)) == nil)
        #expect(TransactionRecordReader.transaction(from: Array("{\(Self.base)}".utf8))?.id == "t")
    }

    /// Whole milliseconds over 1970-2999, and densely around 2001-01-01, where the fast path hands over;
    /// each also without its fraction (the form clients send most), all against Foundation's parser.
    @Test func canonicalDates_parseToFoundationsDate() {
        var random = SplitMix64(seed: 0x7A5C_0012)
        let around2001 = (0..<5_000).map { _ in
            Int64(978_307_200_000) + Int64.random(in: -70_000_000_000...70_000_000_000, using: &random)
        }
        let anywhere = (0..<10_000).map { _ in Int64.random(in: 0..<32_503_680_000_000, using: &random) }
        var failures: [String] = []
        for milliseconds in around2001 + anywhere {
            let text = RFC3339.format(Date(timeIntervalSince1970: Double(milliseconds) / 1000))
            let wholeSeconds = String(text.prefix(19)) + "Z"
            for text in [text, wholeSeconds] {
                let fast = Array(text.utf8).withUnsafeBufferPointer { RFC3339.parseCanonical($0) }
                if let fast, fast != RFC3339.foundationParse(text) { failures.append(text) }
                if RFC3339.parse(text) != RFC3339.foundationParse(text) { failures.append(text) }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) differ, first: \(failures.prefix(5))")
        #expect(Array("2026-11-25T16:20:00.123Z".utf8).withUnsafeBufferPointer { RFC3339.parseCanonical($0) } != nil)
        #expect(Array("2026-11-25T16:20:00Z".utf8).withUnsafeBufferPointer { RFC3339.parseCanonical($0) } != nil)
        // Offsets, February 30 and a leap second are Foundation's to judge.
        for other in ["2026-11-25T16:20:00+01:00", "2026-02-30T16:20:00Z", "2026-12-31T23:59:60Z", "2026-11-25T16:20Z"]
        {
            #expect(Array(other.utf8).withUnsafeBufferPointer { RFC3339.parseCanonical($0) } == nil)
            #expect(RFC3339.parse(other) == RFC3339.foundationParse(other))
        }
    }
}
