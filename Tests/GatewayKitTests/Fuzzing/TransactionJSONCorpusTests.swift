import TestSupport
import Testing

@testable import GatewayKit

/// The libFuzzer seed corpus of `TransactionJSONReader` (Fuzz/corpus/transaction_json), replayed on
/// every test run with the fuzz target's properties (`TransactionJSONProperties`).
@Suite struct TransactionJSONCorpusTests {
    @Test func everySeed_keepsTheFuzzProperties() {
        #expect(FuzzCorpus.violations("transaction_json", TransactionJSONProperties.violation) == [])
    }

    /// What only the reader sees is left out of the comparison, and nothing else is.
    @Test func comparison_setsAsideOnlyRepeatsAndRefusedLongAmounts() throws {
        let repeated = try TransactionJSONReader.payload(from: Array(#"{"id":"a","id":"b"}"#.utf8))
        var reference = repeated
        reference.errors = []
        #expect(PayloadComparison.differences(reference, repeated).isEmpty)
        reference.id = "b"
        #expect(PayloadComparison.differences(reference, repeated) == ["id"])
        let long = try TransactionJSONReader.payload(
            from: Array(#"{"amount":1.00000000000000000000000000000000000000001}"#.utf8)
        )
        var rounded = long
        rounded.errors = []
        rounded.amount = Amount(unchecked: 1)
        #expect(PayloadComparison.differences(rounded, long).isEmpty)
    }
}
