import Foundation
import HTTPCore
import Logging
import Synchronization
import Testing

@testable import GatewayKit

/// API keys and per-key rate limits, as a client and a scraper see them.
@Suite struct AuthenticationTests {
    static let keysFile = """
        # name:sha256-hex-of-key
        shop-1:\(APIKeys.digestHex(of: "s3cret-one"))

        shop-2:\(APIKeys.digestHex(of: "s3cret-two"))
        """

    static func harness(rate: Int? = nil, clock: @escaping @Sendable () -> UInt64 = { 0 }) throws -> RouteHarness {
        let keys = try APIKeys(parsing: keysFile)
        return RouteHarness(authenticator: { metrics in
            Authenticator(
                keys: keys,
                limiter: rate.map { RateLimiter(ratePerSecond: $0, now: clock) },
                metrics: metrics,
                logger: Logger(label: "test")
            )
        })
    }

    @Test func noKey_gets401WithWWWAuthenticate_andNothingIsProduced() async throws {
        let harness = try Self.harness()
        let response = try #require(await harness.post(sampleTransaction()))
        #expect(response.status == 401)
        #expect(response.headers["WWW-Authenticate"] == #"Bearer realm="gateway""#)
        #expect(response.headers["Content-Type"] == "application/problem+json")
        #expect(harness.producer.produced.isEmpty)
    }

    @Test func wrongKeyOrScheme_gets401InvalidToken() async throws {
        let harness = try Self.harness()
        let wrong = try #require(
            await harness.post(sampleTransaction(), headers: [("Authorization", "Bearer s3cret-three")])
        )
        #expect(wrong.status == 401)
        #expect(wrong.headers["WWW-Authenticate"]?.contains(#"error="invalid_token""#) == true)
        let basic = try #require(
            await harness.post(sampleTransaction(), headers: [("Authorization", "Basic czNjcmV0LW9uZQ==")])
        )
        #expect(basic.status == 401)
        #expect(harness.producer.produced.isEmpty)
    }

    @Test func validKey_isServed_schemeCaseInsensitive() async throws {
        let harness = try Self.harness()
        #expect(
            try #require(await harness.post(sampleTransaction(), headers: [("Authorization", "Bearer s3cret-one")]))
                .status == 202
        )
        #expect(
            try #require(
                await harness.post(sampleTransaction(id: "tx-2"), headers: [("Authorization", "bearer s3cret-two")])
            ).status == 202
        )
        #expect(harness.producer.produced.count == 2)
    }

    @Test func probesAndScrapers_stayOpen() async throws {
        let harness = try Self.harness()
        for path in ["/healthz", "/readyz", "/metrics"] {
            #expect(try #require(await harness.client.execute(.get, path)).status == 200, "\(path)")
        }
    }

    @Test func rateLimit_gives429WithRetryAfter_perKey_andRefills() async throws {
        let clock = Mutex<UInt64>(0)
        let harness = try Self.harness(rate: 2, clock: { clock.withLock { $0 } })
        let one = [("Authorization", "Bearer s3cret-one")]
        #expect(try #require(await harness.post(sampleTransaction(id: "r-1"), headers: one)).status == 202)
        #expect(try #require(await harness.post(sampleTransaction(id: "r-2"), headers: one)).status == 202)
        let limited = try #require(await harness.post(sampleTransaction(id: "r-3"), headers: one))
        #expect(limited.status == 429)
        #expect(limited.headers["Retry-After"] == "1")
        #expect(limited.text.contains("shop-1") && !limited.text.contains("s3cret"))
        // Another key has its own bucket.
        #expect(
            try #require(
                await harness.post(sampleTransaction(id: "r-4"), headers: [("Authorization", "Bearer s3cret-two")])
            ).status == 202
        )
        clock.withLock { $0 = 600_000_000 }  // 0.6 s: 1.2 tokens regained
        #expect(try #require(await harness.post(sampleTransaction(id: "r-5"), headers: one)).status == 202)
        #expect(harness.producer.produced.count == 4)
    }

    @Test func metrics_countByKeyName_neverTheKey() async throws {
        let harness = try Self.harness()
        _ = await harness.post(sampleTransaction(), headers: [("Authorization", "Bearer s3cret-one")])
        _ = await harness.post(sampleTransaction(id: "tx-2"), headers: [("Authorization", "Bearer nope")])
        let text = String(decoding: harness.metrics.render(), as: UTF8.self)
        #expect(text.contains(#"gateway_auth_requests_total{key="shop-1",outcome="ok"} 1"#))
        #expect(text.contains(#"gateway_auth_requests_total{key="none",outcome="invalid"} 1"#))
        #expect(!text.contains("s3cret"))
    }

    @Test func idempotencyKeys_areScopedToTheAPIKey() async throws {
        let harness = try Self.harness()
        let one = [("Authorization", "Bearer s3cret-one"), ("Idempotency-Key", "\"retry-1\"")]
        let two = [("Authorization", "Bearer s3cret-two"), ("Idempotency-Key", "\"retry-1\"")]
        let first = try #require(await harness.post(sampleTransaction(), headers: one))
        let replay = try #require(await harness.post(sampleTransaction(), headers: one))
        #expect(replay.headers["Idempotent-Replayed"] == "true")
        #expect(replay.body == first.body)
        // Another client with the same key and body is not handed shop-1's answer: it is its own request.
        let other = try #require(await harness.post(sampleTransaction(), headers: two))
        #expect(other.status == 202)
        #expect(other.headers["Idempotent-Replayed"] == nil)
        #expect(harness.producer.produced.count == 2)
    }

    @Test func keysFile_badLines_areNamed() {
        #expect(throws: APIKeysError.self) { try APIKeys(parsing: "shop-1 \(APIKeys.digestHex(of: "x"))") }
        #expect(throws: APIKeysError.self) { try APIKeys(parsing: "shop-1:abc") }
        #expect(throws: APIKeysError.self) { try APIKeys(parsing: "# only a comment\n") }
        do {
            _ = try APIKeys(parsing: "ok:\(APIKeys.digestHex(of: "x"))\nbad name:00")
        } catch {
            #expect(error.description.hasPrefix("line 2:"))
        }
    }

    @Test func digestsCompareInConstantTimeShape() {
        #expect(APIKeys.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!APIKeys.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!APIKeys.constantTimeEqual([1, 2], [1, 2, 3]))
    }
}
