import Foundation
import Testing
@testable import GatewayKit

/// Micro benchmark of the request hot path (decode, validate, encode), release builds only:
/// `JSON_BENCH=1 swift test -c release --filter TransactionJSONBenchmark`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["JSON_BENCH"] != nil))
struct TransactionJSONBenchmark {
    static let body = Array(#"{"id":"tx-0001","account_id":"acc-42","amount":"129.90","currency":"BRL","merchant_id":"m-881","merchant_category":"5411","country":"BR","channel":"card_present","timestamp":"2026-11-25T16:20:00Z"}"#.utf8)
    static let iterations = 200_000

    /// Nanoseconds per call of `body`, best of five rounds (the least disturbed by other work).
    static func nanoseconds(_ body: () -> Int) -> Double {
        var best = Double.infinity
        var sink = 0
        for _ in 0..<5 {
            let start = ContinuousClock.now
            for _ in 0..<iterations { sink &+= body() }
            let elapsed = ContinuousClock.now - start
            best = min(best, Double(elapsed.components.attoseconds / 1_000_000_000 + elapsed.components.seconds * 1_000_000_000) / Double(iterations))
        }
        if sink == 42 { print("") }
        return best
    }

    static func report(_ name: String, _ ns: Double) {
        print("JSON_BENCH \(name): \(Int(ns.rounded())) ns")
    }

    @Test func foundationPath_versusByteLevel() throws {
        let payload = try JSONDecoder().decode(TransactionPayload.self, from: Data(Self.body))
        let transaction = try TransactionValidator().validate(payload, receivedAt: Date()).get()
        #expect(TransactionJSONWriter.bytes(of: transaction) == Array(try Transaction.makeEncoder().encode(transaction)))
        Self.report("decode JSONDecoder", Self.nanoseconds {
            ((try? JSONDecoder().decode(TransactionPayload.self, from: Data(Self.body)))?.id?.utf8.count ?? 0)
        })
        Self.report("decode TransactionJSONReader", Self.nanoseconds {
            ((try? TransactionJSONReader.payload(from: Self.body))?.id?.utf8.count ?? 0)
        })
        Self.report("encode JSONEncoder", Self.nanoseconds {
            (try? Transaction.makeEncoder().encode(transaction))?.count ?? 0
        })
        Self.report("encode TransactionJSONWriter", Self.nanoseconds { TransactionJSONWriter.bytes(of: transaction).count })
        Self.report("RFC3339.format Foundation", Self.nanoseconds { RFC3339.foundationFormat(transaction.receivedAt).utf8.count })
        Self.report("RFC3339.format digits", Self.nanoseconds { RFC3339.format(transaction.receivedAt).utf8.count })
        Self.report("validate (unchanged)", Self.nanoseconds {
            (try? TransactionValidator().validate(payload, receivedAt: Date()).get())?.id.utf8.count ?? 0
        })
        Self.report("RFC3339.parse (unchanged, inside validate)", Self.nanoseconds { RFC3339.parse("2026-11-25T16:20:00Z") == nil ? 0 : 1 })
    }
}
