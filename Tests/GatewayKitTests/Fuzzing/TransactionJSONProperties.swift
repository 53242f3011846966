import Foundation

@testable import GatewayKit

/// What must hold for any bytes given to `TransactionJSONReader`, checked by the libFuzzer target
/// (Fuzz/Targets/TransactionJSONTarget.swift) and by replaying its corpus in the test suite:
/// 1. it never accepts a text Foundation's `JSONDecoder` rejects;
/// 2. where both accept, they read the same payload (`PayloadComparison`: fields, amounts to the
///    bit, errors; less what only the reader can see).
/// A text starting with `[` is read as a batch (`payloads(fromArray:)`), any other as one item.
/// Not crashing is the third, checked by running at all (under AddressSanitizer in the fuzzer).
enum TransactionJSONProperties {
    /// Nil when every property holds, else what broke.
    static func violation(in bytes: [UInt8]) -> String? {
        // Foundation's scanner recurses once per level and overflows the fuzzer's stack (frames are
        // large under AddressSanitizer) near 250 levels, before its own limit: past
        // `comparedDepth` only the reader runs, which must still not crash.
        guard nestingDepth(bytes) <= comparedDepth else {
            _ = try? TransactionJSONReader.payloads(fromArray: bytes)
            _ = try? TransactionJSONReader.payload(from: bytes)
            return nil
        }
        // As the route decides (its `firstByte`), without the route: the fuzz build leaves it out.
        let isArray = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "[")
        let (expected, actual) = isArray ? readArray(bytes) : readOne(bytes)
        if expected == nil, actual != nil { return "reader accepts what Foundation rejects" }
        guard let expected, let actual else { return nil }
        guard expected.count == actual.count else { return "\(actual.count) items, Foundation \(expected.count)" }
        let differences = zip(expected, actual).flatMap { PayloadComparison.differences($0, $1) }
        return differences.isEmpty ? nil : "differs in \(differences)"
    }

    private static func readOne(_ bytes: [UInt8]) -> ([TransactionPayload]?, [TransactionPayload]?) {
        let expected = try? JSONDecoder().decode(TransactionPayload.self, from: Data(bytes))
        let actual = try? TransactionJSONReader.payload(from: bytes)
        return (expected.map { [$0] }, actual.map { [$0] })
    }

    static let comparedDepth = 100

    /// The deepest nesting of arrays and objects, strings skipped.
    static func nestingDepth(_ bytes: [UInt8]) -> Int {
        var (depth, deepest, inString, escaped) = (0, 0, false, false)
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
                depth += 1
                deepest = max(deepest, depth)
            } else if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") {
                depth -= 1
            }
        }
        return deepest
    }

    private static func readArray(_ bytes: [UInt8]) -> ([TransactionPayload]?, [TransactionPayload]?) {
        (
            try? JSONDecoder().decode([TransactionPayload].self, from: Data(bytes)),
            try? TransactionJSONReader.payloads(fromArray: bytes)
        )
    }
}
