import Foundation
import HTTPCore
import Testing

@testable import GatewayKit

/// The pieces of webhook delivery that need no process: the signature (against Standard Webhooks'
/// own test vector), endpoint parsing, back-off and Retry-After, the circuit breaker, and the
/// trace context of a request.
@Suite struct WebhookDeliveryTests {
    @Test func signature_matchesStandardWebhooksTestVector() throws {
        let secret = try #require(WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let signature = secret.signature(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
            timestamp: 1_614_265_330,
            body: Array(#"{"test": 2432232314}"#.utf8)
        )
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func secret_mustBeWhsecBase64OfAtLeast16Bytes() {
        #expect(WebhookSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == nil)
        #expect(WebhookSecret("whsec_not base64!") == nil)
        #expect(WebhookSecret("whsec_" + Data(repeating: 1, count: 8).base64EncodedString()) == nil)
        #expect(WebhookSecret("whsec_" + Data(repeating: 1, count: 16).base64EncodedString()) != nil)
    }

    @Test func endpoints_parseURLsWithTheirFilters() throws {
        let endpoints = try WebhookEndpoint.parseList(
            "https://a.example/hook rule=velocity,high_amount severity=critical\nhttp://127.0.0.1:9/b?token=x"
        )
        #expect(endpoints.count == 2)
        #expect(endpoints[0].rules == [.velocity, .highAmount])
        #expect(endpoints[0].severities == [.critical])
        #expect(endpoints[0].wants(rule: .velocity, severity: .critical))
        #expect(!endpoints[0].wants(rule: .velocity, severity: .high))
        #expect(!endpoints[0].wants(rule: .countryHop, severity: .critical))
        #expect(endpoints[1].wants(rule: .countryHop, severity: .low))
        #expect(endpoints[1].label == "http://127.0.0.1:9/b")  // the query may hold a token
        #expect(throws: ValueError.self) { try WebhookEndpoint.parseList("rule=velocity") }
        #expect(throws: ValueError.self) { try WebhookEndpoint.parseList("ftp://a/b") }
        #expect(throws: ValueError.self) { try WebhookEndpoint.parseList("http://a/b rule=nope") }
        #expect(throws: ValueError.self) { try WebhookEndpoint.parseList("http://a/b colour=red") }
    }

    @Test func webhooksWithoutSecret_areAConfigurationProblem() throws {
        var settings = WebhookSettings()
        settings.endpoints = try WebhookEndpoint.parseList("http://127.0.0.1:9/hook")
        #expect(settings.problems.count == 1)
        settings.secret = WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect(settings.problems.isEmpty)
    }

    @Test func backoff_doublesUpToTheCap_withJitterInItsUpperHalf() {
        var random = SystemRandomNumberGenerator()
        for failures in 1...12 {
            let step = min(Duration.milliseconds(100) * (1 << (failures - 1)), .seconds(5))
            for _ in 0..<20 {
                let wait = RetryDelay.backoff(
                    failures: failures,
                    initial: .milliseconds(100),
                    maximum: .seconds(5),
                    using: &random
                )
                #expect(wait >= step / 2 && wait <= step, "failure \(failures): \(wait)")
            }
        }
    }

    @Test func retryAfter_takesSecondsOrAnHTTPDate_cappedAtTheMaximum() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(RetryDelay.retryAfter("3", now: now, maximum: .seconds(60)) == .seconds(3))
        #expect(RetryDelay.retryAfter("3600", now: now, maximum: .seconds(60)) == .seconds(60))
        let date = "Fri, 15 Jan 2027 08:00:10 GMT"  // 1_800_000_010
        #expect(RetryDelay.retryAfter(date, now: now, maximum: .seconds(60)) == .seconds(10))
        #expect(RetryDelay.retryAfter("soon", now: now, maximum: .seconds(60)) == nil)
        #expect(RetryDelay.retryAfter(nil, now: now, maximum: .seconds(60)) == nil)
    }

    @Test func circuitBreaker_opensAfterFailuresInARow_thenLetsOneProbeThrough() {
        var breaker = CircuitBreaker(threshold: 3, openNanoseconds: 1_000)
        var allowed: [Bool] = []
        for _ in 0..<2 { breaker.recordFailure(now: 0) }
        allowed.append(breaker.allowsRequest(now: 0))  // two failures: still closed
        breaker.recordFailure(now: 10)
        allowed.append(breaker.allowsRequest(now: 500))  // open
        allowed.append(breaker.allowsRequest(now: 1_010))  // the probe
        allowed.append(breaker.allowsRequest(now: 1_011))  // only one
        breaker.recordFailure(now: 1_020)  // the probe failed: open again
        allowed.append(breaker.allowsRequest(now: 1_500))
        allowed.append(breaker.allowsRequest(now: 2_020))
        breaker.recordSuccess()
        allowed.append(breaker.allowsRequest(now: 2_021))
        allowed.append(breaker.allowsRequest(now: 2_022))
        #expect(allowed == [true, false, true, false, false, true, true, true])
    }

    @Test func request_keepsAValidTraceWithANewSpan_andStartsOneOtherwise() {
        let parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        let kept = TraceParent.forRequest(HTTPHeaders([("traceparent", parent), ("tracestate", "a=1,b=2")]))
        #expect(TraceParent.traceID(kept) == "0af7651916cd43dd8448eb211c80319c")
        #expect(kept.traceParentHeaderValue.hasSuffix("-01"))
        #expect(kept.traceParentHeaderValue != parent)
        #expect(kept.traceStateHeaderValue?.contains("a=1") == true)
        // A bad tracestate is dropped, the trace kept.
        let badState = TraceParent.forRequest(HTTPHeaders([("traceparent", parent), ("tracestate", "===")]))
        #expect(TraceParent.traceID(badState) == "0af7651916cd43dd8448eb211c80319c")
        for invalid in [
            "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", "zz",
            "00-00000000000000000000000000000000-b7ad6b7169203331-01",
        ] {
            let fresh = TraceParent.forRequest(HTTPHeaders([("traceparent", invalid)]))
            #expect(TraceParent.traceID(fresh) != "0af7651916cd43dd8448eb211c80319c")
            #expect(TraceParent.traceID(fresh).count == 32)
        }
        let records = TraceParent.recordHeaders(kept)
        #expect(TraceParent.context(in: records).map(TraceParent.traceID) == "0af7651916cd43dd8448eb211c80319c")
    }
}
