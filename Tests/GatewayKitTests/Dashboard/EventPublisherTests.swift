import Foundation
import HTTPCore
import Synchronization
import Testing

@testable import GatewayKit

/// The dashboard's event stream in process: what a subscriber receives on subscribing and at each
/// interval, driven by calling `publish()` (the publisher's thread does the same once a second).
@Suite struct EventPublisherTests {
    /// What a subscriber's stream received, as text.
    private final class Subscriber: Sendable {
        let head = Mutex<HTTPResponse?>(nil)
        let chunks = Mutex<[String]>([])

        var responder: HTTPResponder {
            HTTPResponder(
                requestID: "test",
                callback: { response in self.head.withLock { $0 = response } },
                streamed: { bytes in self.chunks.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) } }
            )
        }

        var welcome: String { head.withLock { $0.map { String(decoding: $0.body, as: UTF8.self) } ?? "" } }
        func takeChunks() -> [String] {
            chunks.withLock { chunks in
                defer { chunks = [] }
                return chunks
            }
        }
    }

    private func alert(_ n: Int) -> Alert {
        Alert(
            rule: .highAmount,
            severity: .high,
            accountId: "acc-\(n)",
            transactionIds: ["t\(n)"],
            amount: Amount(unchecked: 20000),
            currency: "EUR",
            reason: "r\(n)",
            eventTime: Fixture.at(Double(n)),
            detectedAt: Fixture.at(Double(n))
        )
    }

    private func alertIDs(in text: String) -> [String] {
        text.components(separatedBy: "event: alert\ndata: ").dropFirst().compactMap { part in
            let json = part.prefix { $0 != "\n" }
            return (try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?["id"] as? String
        }
    }

    @Test func subscriber_getsAWelcome_thenEachIntervalIngestStatsAndOnlyNewAlerts() throws {
        let alerts = AlertStore()
        alerts.add(alert(1))
        let meter = IngestMeter()
        let publisher = EventPublisher(
            sources: .init(stats: { Array(#"{"total":{"count":3}}"#.utf8) }, alerts: alerts, ingest: meter),
            logger: quietLogger("events")
        )
        let subscriber = Subscriber()
        publisher.subscribe(subscriber.responder)

        let head = try #require(subscriber.head.withLock { $0 })
        #expect(head.status == 200)
        #expect(head.headers.values("Content-Type").first == "text/event-stream")
        #expect(subscriber.welcome.hasPrefix("retry: 2000\n\n"))
        #expect(subscriber.welcome.contains("event: stats\ndata: {\"total\":{\"count\":3}}\n\n"))
        #expect(alertIDs(in: subscriber.welcome) == [alert(1).id], "the newest alerts so far")

        for status: HTTPResponse.Status in [.accepted, .accepted, .accepted, .unprocessableContent] {
            meter.record(status: status, duration: .milliseconds(4))
        }
        alerts.add(alert(2))
        alerts.add(alert(3))
        publisher.publish()
        let first = subscriber.takeChunks()
        #expect(first.count == 1, "one write per interval")
        let interval = try #require(first.first)
        #expect(interval.hasPrefix("event: ingest\ndata: {\"samples\":[{"))
        #expect(interval.contains("event: stats\ndata: {\"total\":{\"count\":3}}\n\n"))
        #expect(alertIDs(in: interval) == [alert(2).id, alert(3).id], "new alerts in arrival order")
        let sample = try #require(interval.firstMatch(of: /"requests_per_second":([0-9.]+)/))
        #expect(Double(sample.1)! > 0)

        publisher.publish()
        #expect(alertIDs(in: subscriber.takeChunks().joined()).isEmpty, "an alert is sent once")
    }

    /// Viewers joining together (a reconnect after a restart) cost one snapshot per interval, not
    /// one each; every interval costs one snapshot whatever the number of viewers.
    @Test func snapshots_areBuiltOncePerInterval_whateverTheNumberOfViewers() {
        let built = Atomic<Int>(0)
        let publisher = EventPublisher(
            sources: .init(
                stats: {
                    built.add(1, ordering: .relaxed)
                    return Array("{}".utf8)
                },
                alerts: AlertStore(),
                ingest: IngestMeter()
            ),
            logger: quietLogger("events")
        )
        let viewers = (0..<20).map { _ in Subscriber() }
        for viewer in viewers { publisher.subscribe(viewer.responder) }
        #expect(built.load(ordering: .relaxed) == 1)
        #expect(Set(viewers.map(\.welcome)).count == 1)
        publisher.publish()
        #expect(built.load(ordering: .relaxed) == 2)
        #expect(viewers.allSatisfy { $0.takeChunks().count == 1 })
        publisher.subscribe(Subscriber().responder)
        #expect(built.load(ordering: .relaxed) == 3, "a new interval, a new welcome")
    }

    @Test func serverSentEvent_putsEachLineOfTheDataOnADataLine() {
        var out: [UInt8] = []
        ServerSentEvent(name: "stats", data: Array("{\n\"a\": 1\r\n}".utf8)).append(to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "event: stats\ndata: {\ndata: \"a\": 1\ndata: }\n\n")
    }

    @Test func ingestMeter_ratesAndPercentiles_coverOneIntervalEach() {
        let meter = IngestMeter()
        for millisecond in 1...100 {
            meter.record(status: millisecond <= 90 ? 202 : 503, duration: .milliseconds(millisecond))
        }
        let sample = meter.take()
        #expect(sample.requestsPerSecond > 0)
        #expect(abs(sample.acceptedPerSecond / sample.requestsPerSecond - 0.9) < 1e-9)
        #expect(abs(sample.failedPerSecond / sample.requestsPerSecond - 0.1) < 1e-9)
        #expect(abs(sample.p50Milliseconds! - 50) <= 1)
        #expect(abs(sample.p99Milliseconds! - 99) <= 1)
        let next = meter.take()
        #expect(next.requestsPerSecond == 0)
        #expect(next.p50Milliseconds == nil)
    }
}
