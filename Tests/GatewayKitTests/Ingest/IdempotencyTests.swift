import Foundation
import HTTPCore
import Synchronization
import Testing

@testable import GatewayKit

/// `Idempotency-Key` on `POST /transactions`, driven in process: what a retrying client sees, what
/// reaches Kafka, and what `/metrics` counts.
@Suite struct IdempotencyTests {
    static let key = "8e03978e-40d5-43e8-bc93-6894a57f9324"
    static let keyField = ("Idempotency-Key", "\"\(key)\"")

    @Test func sameKeySameBody_replaysStatusAndBody_andProducesNothing() async throws {
        let harness = RouteHarness()
        let first = try #require(await harness.post(sampleTransaction(), headers: [Self.keyField]))
        let retry = try #require(await harness.post(sampleTransaction(), headers: [Self.keyField]))
        #expect(first.status == 202)
        #expect(first.headers["Idempotent-Replayed"] == nil)
        #expect(retry.headers["Content-Type"] == "application/json")
        expectReplay(retry, of: first, producedInAll: 1, harness)
    }

    @Test func sameKeyDifferentBody_gets422_andProducesNothing() async throws {
        let harness = RouteHarness()
        #expect(try #require(await harness.post(sampleTransaction(), headers: [Self.keyField])).status == 202)
        let reused = try #require(await harness.post(sampleTransaction(amount: "1.00"), headers: [Self.keyField]))
        #expect(reused.status == 422)
        #expect(reused.headers["Content-Type"] == "application/problem+json")
        #expect(try reused.json()["title"] as? String == "Idempotency-Key reused")
        // The same bytes as another media type are another request.
        let asNDJSON = try #require(
            await harness.post(sampleTransaction(), contentType: "application/x-ndjson", headers: [Self.keyField])
        )
        #expect(asNDJSON.status == 422)
        #expect(harness.producer.produced.count == 1)
    }

    @Test func sameKeyWhileInFlight_gets409WithRetryAfter_thenTheAnswerIsReplayed() async throws {
        let harness = RouteHarness(.hold)
        async let first = harness.post(sampleTransaction(), headers: [Self.keyField])
        try await waitUntil { harness.producer.queueDepth == 1 }
        let conflict = try #require(await harness.post(sampleTransaction(), headers: [Self.keyField]))
        #expect(conflict.status == 409)
        #expect(conflict.headers["Retry-After"] == "1")
        #expect(try conflict.json()["title"] as? String == "Request in progress")
        harness.producer.releaseHeld()
        let answered = try #require(await first)
        #expect(answered.status == 202)
        let retry = try #require(await harness.post(sampleTransaction(), headers: [Self.keyField]))
        expectReplay(retry, of: answered, producedInAll: 1, harness)
    }

    @Test func kafkaUnavailable_isNotStored_andTheRetryWithTheSameKeyProduces() async throws {
        let harness = RouteHarness(.queueFull)
        let refused = try #require(await harness.post(sampleTransaction(), headers: [Self.keyField]))
        #expect(refused.status == 503)
        harness.producer.setBehaviour(.timeOut)
        let timedOut = try #require(await harness.post(sampleTransaction(), headers: [Self.keyField]))
        #expect(timedOut.status == 503)
        harness.producer.setBehaviour(.accept)
        let retry = try #require(await harness.post(sampleTransaction(), headers: [Self.keyField]))
        #expect(retry.status == 202)
        #expect(retry.headers["Idempotent-Replayed"] == nil)
        #expect(harness.producer.produced.count == 2)  // the timed-out attempt, then the accepted one
    }

    @Test func validationFailure_isNotStored_soTheCorrectedBodyGoesThroughUnderTheSameKey() async throws {
        let harness = RouteHarness()
        let invalid = try #require(await harness.post(sampleTransaction(amount: "-5"), headers: [Self.keyField]))
        #expect(invalid.status == 422)
        #expect(try invalid.json()["title"] as? String == "Invalid transaction")
        let corrected = try #require(await harness.post(sampleTransaction(), headers: [Self.keyField]))
        #expect(corrected.status == 202)
        #expect(harness.producer.produced.count == 1)
    }

    @Test func keyExpires_afterItsTimeToLive_thenTheSameRequestProducesAgain() async throws {
        let clock = TestClock()
        let harness = RouteHarness(idempotency: .init(ttl: .seconds(60)), clock: clock.now)
        #expect(try #require(await harness.post(sampleTransaction(), headers: [Self.keyField])).status == 202)
        clock.advance(.seconds(60))
        #expect(
            try #require(await harness.post(sampleTransaction(), headers: [Self.keyField])).headers[
                "Idempotent-Replayed"
            ] == "true"
        )
        clock.advance(.seconds(1))
        let afterExpiry = try #require(await harness.post(sampleTransaction(), headers: [Self.keyField]))
        #expect(afterExpiry.status == 202)
        #expect(afterExpiry.headers["Idempotent-Replayed"] == nil)
        #expect(harness.producer.produced.count == 2)
        #expect(await harness.metricValue("gateway_idempotency_expirations_total") == 1)
    }

    @Test func capacity_forgetsTheOldestAnswerFirst() async throws {
        let harness = RouteHarness(idempotency: .init(capacity: 2))
        for key in ["a", "b", "c"] {
            #expect(
                try #require(
                    await harness.post(sampleTransaction(id: "tx-\(key)"), headers: [("Idempotency-Key", key)])
                ).status == 202
            )
        }
        let oldest = try #require(
            await harness.post(sampleTransaction(id: "tx-a"), headers: [("Idempotency-Key", "a")])
        )
        #expect(oldest.headers["Idempotent-Replayed"] == nil)  // forgotten: produced again
        let kept = try #require(await harness.post(sampleTransaction(id: "tx-c"), headers: [("Idempotency-Key", "c")]))
        #expect(kept.headers["Idempotent-Replayed"] == "true")
        #expect(harness.producer.produced.count == 4)
        #expect(await harness.metricValue("gateway_idempotency_evictions_total") == 2)  // a, then b for a's new answer
        #expect(harness.idempotency.countNow() == 2)
    }

    @Test func byteBound_forgetsTheOldestAnswerFirst() async throws {
        let oneAnswer = IdempotencyStore.entryOverheadBytes + 200
        let harness = RouteHarness(idempotency: .init(maxBytes: oneAnswer + oneAnswer / 2))
        for key in ["a", "b"] {
            _ = await harness.post(sampleTransaction(id: "tx-\(key)"), headers: [("Idempotency-Key", key)])
        }
        #expect(harness.idempotency.countNow() == 1)
        #expect(await harness.metricValue("gateway_idempotency_evictions_total") == 1)
    }

    @Test func batch_isReplayedWhole_andProducesNothing() async throws {
        let harness = RouteHarness()
        let body = (1...3).map { sampleTransaction(id: "b-\($0)", account: "acc-\($0)") }.joined(separator: "\n")
        let first = try #require(
            await harness.post(body, contentType: "application/x-ndjson", headers: [Self.keyField])
        )
        let retry = try #require(
            await harness.post(body, contentType: "application/x-ndjson", headers: [Self.keyField])
        )
        #expect(first.status == 200)
        expectReplay(retry, of: first, producedInAll: 3, harness)
    }

    @Test func respondAsync_queuedAnswerIsStored_andReplayed() async throws {
        let harness = RouteHarness(.hold)
        let prefer = ("Prefer", "respond-async")
        let queued = try #require(await harness.post(sampleTransaction(), headers: [Self.keyField, prefer]))
        #expect(queued.status == 202)
        let retry = try #require(await harness.post(sampleTransaction(), headers: [Self.keyField, prefer]))
        #expect(retry.headers["Preference-Applied"] == "respond-async")
        expectReplay(retry, of: queued, producedInAll: 1, harness)
    }

    @Test func malformedOrOverlongKey_gets400_andProducesNothing() async throws {
        let harness = RouteHarness()
        let bad = [
            [("Idempotency-Key", "\"unterminated")], [("Idempotency-Key", "\"\"")], [("Idempotency-Key", "two words")],
            [("Idempotency-Key", "\"" + String(repeating: "k", count: 256) + "\"")],
            [("Idempotency-Key", "\"a\""), ("Idempotency-Key", "\"b\"")],
        ]
        for headers in bad {
            let response = try #require(await harness.post(sampleTransaction(), headers: headers))
            #expect(response.status == 400, "\(headers)")
            #expect(try response.json()["title"] as? String == "Malformed Idempotency-Key")
        }
        #expect(harness.producer.produced.isEmpty)
        let longest = "\"" + String(repeating: "k", count: 255) + "\""
        #expect(
            try #require(await harness.post(sampleTransaction(), headers: [("Idempotency-Key", longest)])).status == 202
        )
    }

    @Test func quotedAndBareForms_nameTheSameKey() async throws {
        let harness = RouteHarness()
        #expect(try #require(await harness.post(sampleTransaction(), headers: [Self.keyField])).status == 202)
        let bare = try #require(await harness.post(sampleTransaction(), headers: [("Idempotency-Key", Self.key)]))
        #expect(bare.headers["Idempotent-Replayed"] == "true")
        let withParameter = try #require(
            await harness.post(sampleTransaction(), headers: [("Idempotency-Key", "\"\(Self.key)\";v=1")])
        )
        #expect(withParameter.headers["Idempotent-Replayed"] == "true")
        #expect(harness.producer.produced.count == 1)
    }

    @Test func sfStringEscapes_areDecoded() throws {
        #expect(try IdempotencyKey.parse([#""a\"b\\c""#]).value == #"a"b\c"#)
        #expect(throws: IdempotencyKey.ParseError.malformed) { try IdempotencyKey.parse([#""a\nb""#]) }
        #expect(throws: IdempotencyKey.ParseError.malformed) { try IdempotencyKey.parse(["\"a\" b"]) }
        #expect(throws: IdempotencyKey.ParseError.malformed) { try IdempotencyKey.parse(["\"é\""]) }
    }

    @Test func metrics_countEntriesReplaysConflictsAndMismatches() async throws {
        let harness = RouteHarness(.hold)
        async let first = harness.post(sampleTransaction(), headers: [Self.keyField])
        try await waitUntil { harness.producer.queueDepth == 1 }
        #expect(await harness.metricValue("gateway_idempotency_entries") == 1)
        _ = await harness.post(sampleTransaction(), headers: [Self.keyField])  // 409
        harness.producer.releaseHeld()
        _ = await first
        harness.producer.setBehaviour(.accept)
        _ = await harness.post(sampleTransaction(), headers: [Self.keyField])  // replay
        _ = await harness.post(sampleTransaction(), headers: [Self.keyField])  // replay
        _ = await harness.post(sampleTransaction(amount: "2.00"), headers: [Self.keyField])  // 422
        _ = await harness.post(sampleTransaction(id: "tx-other"), headers: [("Idempotency-Key", "other")])
        _ = await harness.post(sampleTransaction(id: "tx-none"))  // no key: not tracked
        #expect(await harness.metricValue("gateway_idempotency_entries") == 2)
        #expect(await harness.metricValue("gateway_idempotency_replays_total") == 2)
        #expect(await harness.metricValue("gateway_idempotency_conflicts_total") == 1)
        #expect(await harness.metricValue("gateway_idempotency_mismatches_total") == 1)
        #expect(await harness.metricValue("gateway_idempotency_evictions_total") == 0)
    }
}

/// The retry got the first answer again (status and body), marked as a replay, and Kafka got
/// `producedInAll` records over both requests.
func expectReplay(
    _ retry: HTTPResponse,
    of first: HTTPResponse,
    producedInAll: Int,
    _ harness: RouteHarness,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(retry.status == first.status, sourceLocation: sourceLocation)
    #expect(retry.body == first.body, sourceLocation: sourceLocation)
    #expect(retry.headers["Idempotent-Replayed"] == "true", sourceLocation: sourceLocation)
    #expect(harness.producer.produced.count == producedInAll, sourceLocation: sourceLocation)
}

/// Monotonic nanoseconds moved by the test, so that keys expire without sleeping.
final class TestClock: Sendable {
    private let nanoseconds = Mutex<UInt64>(1_000_000_000)

    var now: @Sendable () -> UInt64 { { self.nanoseconds.withLock { $0 } } }

    func advance(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        nanoseconds.withLock { $0 += UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000) }
    }
}

extension RouteHarness {
    /// The value of an unlabelled series in `GET /metrics`.
    func metricValue(_ name: String) async -> Double? {
        guard let text = await client.execute(.get, "/metrics")?.text else { return nil }
        let line = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Double($0.split(separator: " ")[1]) }
    }
}
