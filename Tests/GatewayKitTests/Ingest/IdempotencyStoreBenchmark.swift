import Foundation
import HTTPCore
import Testing

@testable import GatewayKit

/// Not a test: measures the idempotency store's memory per stored answer (resident bytes over
/// 100,000 single-transaction answers under UUID keys) and the cost of a claim and its finish.
/// Disabled unless IDEMPOTENCY_BENCH is set; run it optimized:
///
///     IDEMPOTENCY_BENCH=1 swift test -c release -Xswiftc -enable-testing \
///         --scratch-path .build-bench --filter IdempotencyStoreBenchmark
@Suite(.enabled(if: ProcessInfo.processInfo.environment["IDEMPOTENCY_BENCH"] != nil))
struct IdempotencyStoreBenchmark {
    static let count = 100_000

    @Test func hundredThousandSingleAnswers() throws {
        let body = Array(sampleTransaction().utf8)
        // Memory: keys and answers are made after the first reading, so what the store keeps counts.
        let store = IdempotencyStore(limits: .init(capacity: Self.count, maxBytes: Int.max))
        let before = MonitorBenchmark.residentBytes()
        for i in 0..<Self.count {
            let (key, answer) = Self.entry(i)
            _ = store.claim(key, RequestFingerprint(body: body, mediaType: "application/json"))
            store.finish(key, with: answer)
        }
        let perAnswer = (MonitorBenchmark.residentBytes() - before) / Self.count
        let (key, answer) = Self.entry(0)

        // Time: a fresh store over entries made beforehand.
        let entries = (0..<Self.count).map(Self.entry)
        let timed = IdempotencyStore(limits: .init(capacity: Self.count, maxBytes: Int.max))
        let began = MonitorBenchmark.cpuNanoseconds()
        for (key, answer) in entries {
            _ = timed.claim(key, RequestFingerprint(body: body, mediaType: "application/json"))
            timed.finish(key, with: answer)
        }
        let nanoseconds = Double(MonitorBenchmark.cpuNanoseconds() - began) / Double(Self.count)
        print("""
            idempotency store: \(store.countNow()) answers, resident +\(perAnswer) bytes per answer \
            (estimated \(IdempotencyStore.estimatedBytes(key, answer))), claim+finish \(nanoseconds) ns, fingerprint of \(body.count) bytes included
            """)
        #expect(store.countNow() == Self.count)
    }

    /// A UUID key (as clients send them) and a single transaction's accepted answer.
    static func entry(_ i: Int) -> (IdempotencyKey, HTTPResponse) {
        let key = IdempotencyKey(value: UUID().uuidString.lowercased())
        let answer = HTTPResponse.json(202, Array(#"{"id":"tx-\#(i)","status":"accepted","topic":"transactions","partition":3,"offset":\#(i)}"#.utf8))
        return (key, answer)
    }
}
