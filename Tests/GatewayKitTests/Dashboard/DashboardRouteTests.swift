import Foundation
import HTTPCore
import Logging
import Testing

@testable import GatewayKit

/// `GET /` and `GET /events` on the gateway's routing table, in process.
@Suite struct DashboardRouteTests {
    static func harness(keys: Bool = false) throws -> RouteHarness {
        let apiKeys = try APIKeys(parsing: AuthenticationTests.keysFile)
        return RouteHarness(
            authenticator: { metrics in
                keys ? Authenticator(keys: apiKeys, limiter: nil, metrics: metrics, logger: Logger(label: "test")) : nil
            },
            events: { metrics in
                EventPublisher(
                    sources: .init(stats: nil, alerts: nil, ingest: metrics.ingest),
                    logger: quietLogger("events")
                )
            }
        )
    }

    @Test func page_isOneSelfContainedDocument_thatLoadsOnlyItsEvents() async throws {
        let page = try #require(await Self.harness().client.execute(.get, "/"))
        #expect(page.status == 200)
        #expect(page.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(page.headers["Content-Security-Policy"]?.hasPrefix("default-src 'none';") == true)
        #expect(page.text.contains(#"new EventSource("events")"#))
        for external in ["http://", "https://", "<link", "<script src", "@import", "url("] {
            #expect(!page.text.contains(external), "the page loads nothing else: \(external)")
        }
    }

    @Test func events_answerWithAnEventStream() async throws {
        let events = try #require(await Self.harness().client.execute(.get, "/events"))
        #expect(events.status == 200)
        #expect(events.headers["Content-Type"] == "text/event-stream")
        #expect(events.text.hasPrefix("retry: 2000\n\nevent: ingest\n"))
    }

    /// The page holds no data; the feed carries what /stats and /alerts do and is protected like them.
    @Test func withAPIKeys_eventsNeedAKey_thePageDoesNot() async throws {
        let harness = try Self.harness(keys: true)
        #expect(try #require(await harness.client.execute(.get, "/events")).status == 401)
        #expect(try #require(await harness.client.execute(.get, "/")).status == 200)
        let authorized = try #require(
            await harness.client.execute(.get, "/events", headers: [("Authorization", "Bearer s3cret-one")])
        )
        #expect(authorized.status == 200)
    }
}
