import CoreSupport
import Dispatch
import Foundation
import HTTPCore
import Logging
import Synchronization

/// `GET /events`: the dashboard's Server-Sent Events. One thread builds the events once per
/// interval and writes the same bytes to every subscriber, so the cost of a snapshot depends
/// neither on the number of viewers nor on the traffic rate.
///
/// Each interval: `event: ingest` (rate and latency of `POST /transactions` over the interval, from
/// `IngestMeter`), `event: stats` (the `/stats` document, from the same function as the route),
/// `event: cluster` (the `/cluster` document, the newest the `ClusterViewSource` built) and
/// `event: webhooks` (each alert webhook endpoint's health, when there are endpoints) and
/// one `event: alert` per alert that arrived since the last interval (the latest `alertsPerInterval`
/// of them; a dashboard shows the newest). A new subscriber first gets a welcome: the recent ingest
/// history (so the charts are not empty), the current statistics and the newest alerts.
///
/// Streams are HTTPCore's (`HTTPResponder.startStream`): bounded in number by the server (503 beyond),
/// a subscriber that does not read is dropped by the server, and the server ends every stream when it
/// stops. A stream that ended is forgotten at the next interval.
final class EventPublisher: Sendable {
    struct Sources: Sendable {
        /// The `/stats` document; nil when monitoring is off.
        var stats: (@Sendable () -> [UInt8]?)?
        var alerts: AlertStore?
        var ingest: IngestMeter
        /// The cluster view's newest JSON (`ClusterViewSource`), sent as `event: cluster`; nil: none.
        var cluster: (@Sendable () -> [UInt8]?)? = nil
        /// Each alert webhook endpoint's health (`WebhookDispatcher.healthDocument`); nil: no webhooks.
        var webhooks: (@Sendable () -> [UInt8]?)? = nil
    }

    static let alertsPerInterval = 20
    /// Ingest samples kept for a new subscriber's charts (five minutes at one per second).
    static let historyLength = 300

    private struct State {
        var subscribers: [HTTPStream] = []
        var history: [IngestSample] = []
        var nextAlert: UInt64?
        /// The welcome, built by the first viewer after each interval and shared by the others
        /// joining in the same interval (viewers reconnecting together cost one snapshot).
        var welcome: [UInt8]?
        var stopped = false
    }

    let interval: Duration
    private let sources: Sources
    private let logger: Logger
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let thread = Mutex<JoinableThread?>(nil)

    init(sources: Sources, interval: Duration = .seconds(1), logger: Logger) {
        self.sources = sources
        self.interval = interval
        self.logger = logger
    }

    var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    func start() throws {
        let thread = try JoinableThread(name: "events") { [self] in run() }
        self.thread.withLock { $0 = thread }
    }

    /// Ends the publishing thread (the server ends the streams themselves when it stops).
    func stop() {
        state.withLock { $0.stopped = true }
        wake.signal()
        thread.withLock { thread in
            defer { thread = nil }
            return thread
        }?.join()
    }

    private func run() {
        let nanoseconds = Int(clamping: interval.clampedNanoseconds)
        while wake.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .timedOut {
            publish()
        }
    }

    // MARK: - Subscribing (loop thread)

    /// Answers the request with a stream that starts with the welcome, and adds it to the
    /// subscribers. Under the publisher's lock, so no interval's alerts fall between the welcome and
    /// the first interval. Over the server's stream limit the responder has answered 503.
    func subscribe(_ responder: HTTPResponder) {
        state.withLock { state in
            let welcome = state.welcome ?? makeWelcome(&state)
            state.welcome = welcome
            let head = HTTPResponse(
                status: .ok,
                headers: HTTPHeaders([("Content-Type", "text/event-stream"), ("Cache-Control", "no-store")]),
                body: welcome
            )
            guard let stream = responder.startStream(head), !state.stopped else { return }
            state.subscribers.append(stream)
        }
    }

    /// The recent ingest history, the current statistics, the newest alerts.
    private func makeWelcome(_ state: inout State) -> [UInt8] {
        var welcome = ServerSentEvent.retry(milliseconds: 2_000)
        Self.ingestEvent(state.history)?.append(to: &welcome)
        statsEvent()?.append(to: &welcome)
        clusterEvent()?.append(to: &welcome)
        webhooksEvent()?.append(to: &welcome)
        if let alerts = sources.alerts {
            let (newest, next) = alerts.arrivals(from: nil, limit: Self.alertsPerInterval)
            for alert in newest { Self.alertEvent(alert)?.append(to: &welcome) }
            // The first viewer starts the count. An alert that arrives between a welcome and the
            // next interval comes twice (welcome and interval); the page shows it once (by id).
            if state.nextAlert == nil { state.nextAlert = next }
        }
        return welcome
    }

    // MARK: - Publishing (the publisher's thread)

    /// One interval: sample, build the events once, write them to every open subscriber.
    func publish() {
        let sample = sources.ingest.take()
        let (subscribers, alerts) = state.withLock { state -> ([HTTPStream], [Alert]) in
            state.welcome = nil
            state.history.append(sample)
            if state.history.count > Self.historyLength {
                state.history.removeFirst(state.history.count - Self.historyLength)
            }
            state.subscribers.removeAll { !$0.isOpen }
            let (alerts, next) =
                sources.alerts?.arrivals(from: state.nextAlert, limit: Self.alertsPerInterval) ?? ([], 0)
            state.nextAlert = next
            return (state.subscribers, state.subscribers.isEmpty ? [] : alerts)
        }
        guard !subscribers.isEmpty else { return }
        var bytes: [UInt8] = []
        Self.ingestEvent([sample])?.append(to: &bytes)
        statsEvent()?.append(to: &bytes)
        clusterEvent()?.append(to: &bytes)
        webhooksEvent()?.append(to: &bytes)
        for alert in alerts { Self.alertEvent(alert)?.append(to: &bytes) }
        for stream in subscribers { stream.write(bytes) }
    }

    private func statsEvent() -> ServerSentEvent? {
        guard let document = sources.stats?() else { return nil }
        return ServerSentEvent(name: "stats", data: document)
    }

    private func clusterEvent() -> ServerSentEvent? {
        guard let document = sources.cluster?() else { return nil }
        return ServerSentEvent(name: "cluster", data: document)
    }

    private func webhooksEvent() -> ServerSentEvent? {
        sources.webhooks?().map { ServerSentEvent(name: "webhooks", data: $0) }
    }

    private static func ingestEvent(_ samples: [IngestSample]) -> ServerSentEvent? {
        struct Ingest: Encodable {
            var samples: [IngestSample]
        }
        return StableJSON.bytes(Ingest(samples: samples)).map { ServerSentEvent(name: "ingest", data: $0) }
    }

    private static func alertEvent(_ alert: Alert) -> ServerSentEvent? {
        StableJSON.bytes(alert).map { ServerSentEvent(name: "alert", data: $0) }
    }
}
