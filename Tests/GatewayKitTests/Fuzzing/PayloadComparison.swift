@testable import GatewayKit

/// How a reader result is compared with Foundation's (`TransactionPayload`'s `Decodable` path) for
/// the same text. Shared by the equivalence tests and the libFuzzer target (Fuzz/Targets), so it
/// imports no test framework.
enum PayloadComparison {
    /// Names of the fields that differ: values, amounts down to their bits, errors as a set; after
    /// taking out what only the reader can see (`comparable`).
    static func differences(_ expected: TransactionPayload, _ actual: TransactionPayload) -> [String] {
        let (expected, actual) = comparable(expected, actual)
        let strings: [(String, KeyPath<TransactionPayload, String?>)] = [
            ("id", \.id), ("account_id", \.accountId), ("currency", \.currency), ("timestamp", \.timestamp),
            ("merchant_id", \.merchantId), ("merchant_category", \.merchantCategory), ("country", \.country),
            ("channel", \.channel),
        ]
        var differing = strings.filter { expected[keyPath: $0.1] != actual[keyPath: $0.1] }.map(\.0)
        if expected.amount.map(bits) != actual.amount.map(bits)
            || expected.amount?.description != actual.amount?.description
        {
            differing.append("amount \(String(describing: expected.amount)) vs \(String(describing: actual.amount))")
        }
        if expected.metadata != actual.metadata { differing.append("metadata") }
        if expected.isObject != actual.isObject { differing.append("isObject") }
        if errorSet(expected) != errorSet(actual) || expected.errors.count != actual.errors.count {
            differing.append("errors \(expected.errors) vs \(actual.errors)")
        }
        return differing
    }

    /// The pair without what Foundation cannot report: repeated member names (its containers keep
    /// one value per key) and an amount the reader refused for too many significant digits (a JSON
    /// number Foundation's `Decimal` has already rounded). The first is checked against what the
    /// generator wrote (`repeatedFields`); the second by the reader's own tests.
    static func comparable(
        _ expected: TransactionPayload,
        _ actual: TransactionPayload
    ) -> (TransactionPayload, TransactionPayload) {
        func withoutAmount(_ payload: TransactionPayload) -> TransactionPayload {
            var payload = payload
            payload.amount = nil
            payload.errors.removeAll { $0.field == "amount" }
            return payload
        }
        var actual = actual
        actual.errors.removeAll { $0.message == TransactionPayload.repeatedMemberMessage }
        let refusedLongAmount = FieldError(field: "amount", message: Amount.Problem.tooManySignificantDigits.message)
        guard actual.errors.contains(refusedLongAmount) else { return (expected, actual) }
        return (withoutAmount(expected), withoutAmount(actual))
    }

    /// The fields the reader reported as repeated (`metadata.<key>` for a metadata key).
    static func repeatedFields(_ payload: TransactionPayload) -> Set<String> {
        Set(payload.errors.filter { $0.message == TransactionPayload.repeatedMemberMessage }.map(\.field))
    }

    static func errorSet(_ payload: TransactionPayload) -> Set<String> {
        Set(payload.errors.map { $0.field + "\u{0}" + $0.message })
    }

    /// The Decimal's representation itself: equal bits mean equal value, description and hash.
    static func bits(_ amount: Amount) -> [UInt8] {
        withUnsafeBytes(of: amount.value) { Array($0) }
    }
}
