import CoreSupport
import Dispatch
import Foundation
import HTTPCore
import Logging
import Synchronization

/// `GET /alerts/stream`: every alert this instance holds, as Server-Sent Events, filtered per
/// stream like `GET /alerts`, pushed as it arrives.
///
/// Each event's `id:` is `<instance>-<arrival number>` (the `AlertStore`'s arrival order). A client
/// that reconnects with `Last-Event-ID` from this instance first gets every matching alert that
/// arrived after it and is still held, then live ones; the backlog and the live events are cut at
/// one arrival number under one lock, so none is missed and none sent twice. An id from another
/// instance (or from before a restart) cannot be placed: such a client gets every matching alert
/// held, and can drop repeats by the alert's `id`.
///
/// One thread wakes when alerts arrive (and every `heartbeat`), reads the new ones once, and writes
/// each subscriber the ones matching its filter. Streams are HTTPCore's: bounded in number by the
/// server (`--max-event-streams`, shared with `GET /events`; 503 beyond), a reader that does not keep
/// up is dropped by the server, and the server ends every stream when it stops.
final class AlertStreamPublisher: Sendable {
    private struct Subscriber {
        var stream: HTTPStream
        var filter: AlertQuery
    }

    private struct State {
        var subscribers: [Subscriber] = []
        /// Arrival number of the next alert to publish: the cut between backlog and live.
        var next: UInt64 = 0
        var stopped = false
        var lastHeartbeat: UInt64 = 0
    }

    /// Tells this process's ids from another's (random per start).
    let instance: String
    let heartbeat: Duration
    private let store: AlertStore
    private let logger: Logger
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let thread = Mutex<JoinableThread?>(nil)
    private let streamsServed = Atomic<Int>(0)

    init(store: AlertStore, heartbeat: Duration = .seconds(15), logger: Logger) {
        self.store = store
        self.heartbeat = heartbeat
        self.logger = logger
        instance = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        state.withLock { $0.next = store.arrivals(from: 0, before: 0).next }
    }

    var subscriberCount: Int { state.withLock { $0.subscribers.count } }
    var streamsStarted: Int { streamsServed.load(ordering: .relaxed) }

    func start() throws {
        store.observeArrivals { [wake] in wake.signal() }
        let thread = try JoinableThread(name: "alert-stream") { [self] in run() }
        self.thread.withLock { $0 = thread }
    }

    func stop() {
        state.withLock { $0.stopped = true }
        wake.signal()
        thread.withLock { thread in
            defer { thread = nil }
            return thread
        }?.join()
    }

    private func run() {
        let tick = Int(min(heartbeat, .seconds(1)).clampedNanoseconds)
        var more = false
        while !state.withLock({ $0.stopped }) {
            // A burst goes out in slices, a couple of milliseconds apart, so that the event loop
            // sends each before the next is queued: the whole burst at once would exceed the stream
            // backlog bound and drop even a reader that keeps up.
            _ = wake.wait(timeout: .now() + .nanoseconds(more ? 2_000_000 : tick))
            more = publish()
        }
    }

    /// Alerts written per pass at most (about 100 KiB of events).
    static let sliceAlerts = 150

    // MARK: - Subscribing (loop thread)

    /// Answers with a stream: the backlog after `lastEventID` (if any), then live alerts.
    func subscribe(_ responder: HTTPResponder, filter: AlertQuery, lastEventID: String?) {
        state.withLock { state in
            var head = ServerSentEvent.retry(milliseconds: 2_000)
            if let lastEventID {
                let from = position(after: lastEventID)
                for (sequence, alert) in store.arrivals(from: from, before: state.next).alerts
                where AlertStore.matches(alert, filter: filter) {
                    event(sequence, alert)?.append(to: &head)
                }
            }
            let response = HTTPResponse(
                status: .ok,
                headers: HTTPHeaders([
                    ("Content-Type", "text/event-stream"), ("Cache-Control", "no-store"),
                    // Proxies that buffer (nginx) would hold the events back.
                    ("X-Accel-Buffering", "no"),
                ]),
                body: head
            )
            guard let stream = responder.startStream(response), !state.stopped else { return }
            streamsServed.add(1, ordering: .relaxed)
            state.subscribers.append(Subscriber(stream: stream, filter: filter))
        }
    }

    /// The first arrival number after the event `id`; 0 (all held) when `id` is not this instance's.
    private func position(after id: String) -> UInt64 {
        let parts = id.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, parts[0] == instance, let sequence = UInt64(parts[1]) else { return 0 }
        return sequence + 1
    }

    // MARK: - Publishing (the publisher's thread)

    /// Writes the next slice of new alerts to every subscriber; returns whether more are waiting.
    @discardableResult
    func publish() -> Bool {
        let now = MonotonicClock.now()
        let (subscribers, fresh, beat, more) = state.withLock {
            state -> ([Subscriber], ArraySlice<(sequence: UInt64, alert: Alert)>, Bool, Bool) in
            state.subscribers.removeAll { !$0.stream.isOpen }
            // With nobody listening only the cut moves (the store's scan is linear in its size).
            let end = state.subscribers.isEmpty ? state.next : nil
            let (all, next) = store.arrivals(from: state.next, before: end)
            let fresh = all.prefix(Self.sliceAlerts)
            state.next = fresh.count < all.count ? all[fresh.count].sequence : next
            let beat = now - state.lastHeartbeat >= heartbeat.clampedNanoseconds
            if beat { state.lastHeartbeat = now }
            return (state.subscribers, fresh, beat, fresh.count < all.count)
        }
        guard !subscribers.isEmpty, !fresh.isEmpty || beat else { return more }
        // Each alert's event is encoded once, whatever the number of subscribers it goes to.
        let events: [(alert: Alert, bytes: [UInt8])] = fresh.map { item in
            var bytes: [UInt8] = []
            event(item.sequence, item.alert)?.append(to: &bytes)
            return (item.alert, bytes)
        }
        for subscriber in subscribers {
            var bytes: [UInt8] = []
            for event in events where AlertStore.matches(event.alert, filter: subscriber.filter) {
                bytes += event.bytes
            }
            if bytes.isEmpty && beat { bytes = ServerSentEvent.heartbeat }
            subscriber.stream.write(bytes)
        }
        return more
    }

    private func event(_ sequence: UInt64, _ alert: Alert) -> ServerSentEvent? {
        StableJSON.bytes(alert).map { ServerSentEvent(name: "alert", data: $0, id: "\(instance)-\(sequence)") }
    }
}
