import CoreSupport
import DequeModule
import Foundation
import Logging
import Synchronization
import W3CTraceContext
import WebhookClient

/// Sends every alert of the alerts topic to the configured webhook endpoints, at least once.
///
/// A consumer group of its own (`WebhookSettings.groupID`) reads the alerts topic, so with several
/// instances each alert is sent by the one that owns its partition. An alert's offset is stored
/// for commit only once every endpoint that wants it answered 2xx or the alert went to the
/// dead-letter topic for that endpoint: nothing is lost across restarts and rebalances, and an
/// alert may be sent again (same `webhook-id`) after one.
///
/// Per endpoint and partition, alerts go one at a time in offset order: alerts are keyed by
/// account, so each account's alerts arrive in order. Endpoints are independent: each has its
/// own queues, back-off and circuit breaker, so a dead endpoint delays only its own alerts (and
/// the commit). One thread drives every request through libcurl's multi interface.
///
/// `@unchecked Sendable`: the mutable state below is guarded by `lock`; the client is used only
/// by the dispatcher's thread (and `wakeUp`, which is thread-safe).
final class WebhookDispatcher: @unchecked Sendable {
    private let settings: WebhookSettings
    private let secret: WebhookSecret
    private let producer: any RecordProducer
    private let logger: Logger
    private let client: WebhookHTTPClient
    private let endpoints: [WebhookEndpoint]
    private let worker = Mutex<(any GroupConsumer)?>(nil)
    private let thread = Mutex<JoinableThread?>(nil)
    private let stopping = Atomic(false)

    // Guarded by `lock`.
    private let lock = NSLock()
    /// Per partition, the alerts taken and not finished, in offset order.
    private var ledgers: [Int32: Deque<Entry>] = [:]
    /// Per endpoint, per partition, its deliveries in offset order; the head is the one being tried.
    private var lanes: [[Int32: Deque<Delivery>]]
    private var breakers: [CircuitBreaker]
    private var requests: [Int: Delivery] = [:]
    private var nextTag = 0
    private var paused = false
    private var resumeAfterAssignment = false
    private var random = SystemRandomNumberGenerator()
    private var tallies: [EndpointTally]
    private var deadLettered = 0

    init(settings: WebhookSettings, secret: WebhookSecret, producer: any RecordProducer, logger: Logger) throws {
        self.settings = settings
        self.secret = secret
        self.producer = producer
        self.logger = logger
        endpoints = settings.endpoints
        let timeout = Int(settings.timeout.clampedNanoseconds / 1_000_000)
        client = try WebhookHTTPClient(
            timeoutMilliseconds: timeout,
            connectTimeoutMilliseconds: min(timeout, 5_000),
            maxConnections: 8 * max(1, settings.endpoints.count)
        )
        lanes = Array(repeating: [:], count: endpoints.count)
        let openTime = min(settings.breakerOpenTime, settings.maxBackoff).clampedNanoseconds
        breakers = Array(
            repeating: CircuitBreaker(threshold: settings.breakerFailures, openNanoseconds: openTime),
            count: endpoints.count
        )
        tallies = Array(repeating: EndpointTally(), count: endpoints.count)
    }

    /// Joins the delivery group on `topic` (a consumer made by `factory`) and starts the sending thread.
    func start(factory: any GroupConsumerFactory, topic: String) throws {
        var member = GroupMember(groupID: settings.groupID, topic: topic, name: "webhooks")
        member.commitsHandledRecords = false
        member.listener = Listener(dispatcher: self)
        // An alert should go out as soon as it is in Kafka: a broker answers a fetch at the first
        // byte. The embedded cluster holds every fetch for the whole wait, so the wait is also the
        // latency it adds there; 10 ms cost 3.7 % of a core while idle (measured), 50 ms about a fifth.
        member.fetchMinBytes = 1
        member.fetchMaxWait = .milliseconds(50)
        let worker = try factory.consumer(member) { [self] records in take(records) }
        self.worker.withLock { $0 = worker }
        let thread = try JoinableThread(name: "webhooks") { [self] in run() }
        self.thread.withLock { $0 = thread }
        worker.start()
        logger.info(
            "alert webhooks started",
            metadata: [
                "endpoints": "\(endpoints.map(\.description).joined(separator: "; "))",
                "group_id": "\(settings.groupID)", "dead_letter_topic": "\(settings.deadLetterTopic)",
            ]
        )
    }

    /// Non-blocking: the consumer starts leaving its group, committing what was finished.
    func beginStop(closeBy deadline: ContinuousClock.Instant) {
        worker.withLock { $0 }?.requestStop(closeBy: deadline)
    }

    /// Waits for the consumer's close, then ends the sending thread (requests in flight are
    /// abandoned: their alerts were not committed, so the next owner sends them again).
    func finishStop(until deadline: ContinuousClock.Instant) -> [String] {
        let worker = self.worker.withLock { worker in
            defer { worker = nil }
            return worker
        }
        let notClosed = worker.map { $0.awaitStop(until: deadline) ? [] : [$0.name] } ?? []
        stopping.store(true, ordering: .releasing)
        client.wakeUp()
        thread.withLock { thread in
            defer { thread = nil }
            return thread
        }?.join()
        return notClosed
    }

    // MARK: - Taking alerts (the consumer's thread)

    private func take(_ records: [ConsumedRecord]) {
        let prepared = records.map { record in (record, Prepared(record)) }
        var offsets: [Int32: Int64] = [:]
        let pauseAt: Int? = locked {
            for (record, prepared) in prepared {
                let entry = Entry(record: record, prepared: prepared)
                ledgers[record.partition, default: []].append(entry)
                if let prepared {
                    for (index, endpoint) in endpoints.enumerated()
                    where endpoint.wants(rule: prepared.rule, severity: prepared.severity) {
                        lanes[index][record.partition, default: []].append(Delivery(entry: entry, endpoint: index))
                        entry.remaining += 1
                    }
                } else {
                    logger.warning(
                        "skipped a record of the alerts topic that is not an alert",
                        metadata: ["partition": "\(record.partition)", "offset": "\(record.offset)"]
                    )
                }
                if entry.remaining == 0, let next = advance(record.partition) { offsets[record.partition] = next }
            }
            let backlog = self.backlog
            guard !paused, backlog > settings.maxBacklog else { return nil }
            paused = true
            return backlog
        }
        let worker = self.worker.withLock { $0 }
        worker?.storeOffsets(offsets)
        if let pauseAt {
            logger.warning("webhook backlog full; pausing the alerts consumer", metadata: ["backlog": "\(pauseAt)"])
            worker?.setPaused(true)
        }
        client.wakeUp()
    }

    fileprivate func revoke(_ partitions: [Int32]) {
        locked {
            for partition in partitions {
                for entry in ledgers.removeValue(forKey: partition) ?? [] { entry.dropped = true }
                for index in lanes.indices { lanes[index][partition] = nil }
            }
        }
    }

    fileprivate func assigned() {
        locked { resumeAfterAssignment = true }
        client.wakeUp()
    }

    // MARK: - Sending (the dispatcher's thread)

    private func run() {
        while !stopping.load(ordering: .acquiring) {
            let plan = locked { makePlan(now: MonotonicClock.now()) }
            for delivery in plan.deadLetters { produceDeadLetter(delivery) }
            for send in plan.sends
            where !client.post(url: send.url, headers: send.headers, body: send.body, tag: send.tag) {
                finishRequest(WebhookHTTPClient.Result(tag: send.tag, transportError: "could not start the request"))
            }
            if plan.resume { worker.withLock { $0 }?.setPaused(false) }
            for result in client.poll(timeoutMilliseconds: plan.waitMilliseconds) { finishRequest(result) }
        }
    }

    private struct Plan {
        var sends: [Send] = []
        var deadLetters: [Delivery] = []
        var waitMilliseconds = 1000
        var resume = false
    }

    private struct Send {
        var url: String
        var headers: [(String, String)]
        var body: [UInt8]
        var tag: Int
    }

    /// What to send and dead-letter now, and how long the thread may sleep. Under the lock.
    private func makePlan(now: UInt64) -> Plan {
        var plan = Plan()
        var wakeAt = now + 1_000_000_000
        let wallNow = Date()
        if (paused || resumeAfterAssignment) && backlog <= settings.maxBacklog / 2 {
            paused = false
            resumeAfterAssignment = false
            plan.resume = true
        }
        for index in endpoints.indices {
            for (_, lane) in lanes[index] {
                guard let head = lane.first, !head.inFlight else { continue }
                if !head.deadLetter, wallNow.timeIntervalSince(head.entry.detectedAt) > settings.maxAge.seconds {
                    head.deadLetter = true
                    head.notBefore = 0
                    if head.lastError.isEmpty { head.lastError = "older than the maximum age before any attempt" }
                }
                guard now >= head.notBefore else {
                    wakeAt = min(wakeAt, head.notBefore)
                    continue
                }
                if head.deadLetter {
                    head.inFlight = true
                    plan.deadLetters.append(head)
                    continue
                }
                guard breakers[index].allowsRequest(now: now) else {
                    if let reopens = breakers[index].reopensAt { wakeAt = min(wakeAt, reopens) }
                    continue
                }
                head.inFlight = true
                head.attempts += 1
                head.startedAt = now
                tallies[index].attempts += 1
                let tag = nextTag
                nextTag += 1
                requests[tag] = head
                plan.sends.append(
                    Send(url: endpoints[index].url, headers: headers(for: head.entry), body: head.entry.body, tag: tag)
                )
            }
        }
        plan.waitMilliseconds = Int((wakeAt - min(wakeAt, now)) / 1_000_000) + 1
        return plan
    }

    /// Standard Webhooks' three fields, and the alert's trace as the next hop's parent.
    private func headers(for entry: Entry) -> [(String, String)] {
        let timestamp = Int(Date().timeIntervalSince1970)
        var headers = [
            ("Content-Type", "application/json"),
            ("webhook-id", entry.alertID),
            ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", secret.signature(id: entry.alertID, timestamp: timestamp, body: entry.body)),
        ]
        if let trace = entry.trace {
            let hop = TraceParent.child(of: trace)
            headers.append(("traceparent", hop.traceParentHeaderValue))
            if let state = hop.traceStateHeaderValue, !state.isEmpty { headers.append(("tracestate", state)) }
        }
        return headers
    }

    private func finishRequest(_ result: WebhookHTTPClient.Result) {
        let now = MonotonicClock.now()
        var offsets: [Int32: Int64] = [:]
        locked {
            guard let delivery = requests.removeValue(forKey: result.tag) else { return }
            delivery.inFlight = false
            let index = delivery.endpoint
            tallies[index].observeLatency(nanoseconds: now - delivery.startedAt)
            let endpoint = endpoints[index]
            if (200..<300).contains(result.status) {
                breakers[index].recordSuccess()
                tallies[index].delivered += 1
                guard !delivery.entry.dropped else { return }
                logger.debug(
                    "alert webhook delivered",
                    metadata: metadata(delivery, endpoint, ["status": "\(result.status)"])
                )
                if let next = finish(delivery) { offsets[delivery.entry.partition] = next }
                return
            }
            breakers[index].recordFailure(now: now)
            tallies[index].failed += 1
            delivery.lastError =
                result.transportError
                ?? "HTTP \(result.status): \(String(decoding: result.bodyPrefix.prefix(200), as: UTF8.self))"
            guard !delivery.entry.dropped else { return }
            if delivery.attempts >= settings.maxAttempts {
                delivery.deadLetter = true
                delivery.notBefore = 0
            } else {
                let asked =
                    [429, 503].contains(result.status)
                    ? RetryDelay.retryAfter(result.retryAfter, now: Date(), maximum: settings.maxBackoff) : nil
                let wait =
                    asked
                    ?? RetryDelay.backoff(
                        failures: delivery.attempts,
                        initial: settings.initialBackoff,
                        maximum: settings.maxBackoff,
                        using: &random
                    )
                delivery.notBefore = now + wait.clampedNanoseconds
            }
            logger.warning(
                "alert webhook attempt failed",
                metadata: metadata(
                    delivery,
                    endpoint,
                    [
                        "attempt": "\(delivery.attempts)", "error": "\(delivery.lastError)",
                        "dead_letter": "\(delivery.deadLetter)",
                    ]
                )
            )
        }
        worker.withLock { $0 }?.storeOffsets(offsets)
    }

    private func produceDeadLetter(_ delivery: Delivery) {
        let entry = delivery.entry
        let endpoint = endpoints[delivery.endpoint]
        var headers = [
            TransactionRecord.contentType,
            RecordHeader("webhook-id", Array(entry.alertID.utf8)),
            RecordHeader("webhook-endpoint", Array(endpoint.label.utf8)),
            RecordHeader("webhook-attempts", Array(String(delivery.attempts).utf8)),
            RecordHeader("webhook-last-error", Array(delivery.lastError.utf8)),
        ]
        if let trace = entry.trace { headers += TraceParent.recordHeaders(trace) }
        let done: @Sendable (Bool) -> Void = { [self] delivered in
            var offsets: [Int32: Int64] = [:]
            locked {
                delivery.inFlight = false
                guard delivered else {
                    delivery.notBefore = MonotonicClock.now() + 1_000_000_000
                    return
                }
                deadLettered += 1
                tallies[delivery.endpoint].deadLettered += 1
                if !entry.dropped, let next = finish(delivery) { offsets[entry.partition] = next }
            }
            worker.withLock { $0 }?.storeOffsets(offsets)
            client.wakeUp()
        }
        do {
            try producer.produce(
                topic: settings.deadLetterTopic,
                key: Array(entry.accountID.utf8),
                value: entry.value,
                headers: headers
            ) { [self] outcome in
                if case .failed(let failure) = outcome {
                    logger.warning(
                        "dead-letter record not delivered",
                        metadata: ["error": "\(failure.name)", "alert_id": "\(entry.alertID)"]
                    )
                    done(false)
                } else {
                    logger.error(
                        "alert webhook dead-lettered",
                        metadata: metadata(
                            delivery,
                            endpoint,
                            ["attempts": "\(delivery.attempts)", "last_error": "\(delivery.lastError)"]
                        )
                    )
                    done(true)
                }
            }
        } catch {
            logger.warning(
                "dead-letter record refused",
                metadata: ["error": "\(error.name)", "alert_id": "\(entry.alertID)"]
            )
            done(false)
        }
    }

    /// The head of its lane is done for its endpoint: the next offset to commit for its partition,
    /// when the partition's finished prefix grew. Under the lock.
    private func finish(_ delivery: Delivery) -> Int64? {
        let partition = delivery.entry.partition
        if lanes[delivery.endpoint][partition]?.first === delivery {
            lanes[delivery.endpoint][partition]?.removeFirst()
        }
        delivery.entry.remaining -= 1
        return delivery.entry.remaining == 0 ? advance(partition) : nil
    }

    /// Drops the finished alerts at the front of `partition`; returns the offset after the last one.
    private func advance(_ partition: Int32) -> Int64? {
        var next: Int64?
        while let head = ledgers[partition]?.first, head.remaining == 0 {
            next = head.offset + 1
            ledgers[partition]?.removeFirst()
        }
        return next
    }

    private var backlog: Int { ledgers.values.reduce(0) { $0 + $1.count } }

    private func metadata(
        _ delivery: Delivery,
        _ endpoint: WebhookEndpoint,
        _ extra: Logger.Metadata
    ) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "alert_id": "\(delivery.entry.alertID)", "account_id": "\(delivery.entry.accountID)",
            "endpoint": "\(endpoint.label)",
        ]
        if let trace = delivery.entry.trace { metadata["trace_id"] = "\(TraceParent.traceID(trace))" }
        return metadata.merging(extra) { $1 }
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    // MARK: - Metrics

    struct EndpointTally {
        static let latencyBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
        var delivered = 0
        var failed = 0
        var deadLettered = 0
        var attempts = 0
        var latencyBuckets = [Int](repeating: 0, count: latencyBounds.count)
        var latencyCount = 0
        var latencySum = 0.0

        mutating func observeLatency(nanoseconds: UInt64) {
            let seconds = Double(nanoseconds) / 1e9
            latencyCount += 1
            latencySum += seconds
            for (index, bound) in Self.latencyBounds.enumerated() where seconds <= bound { latencyBuckets[index] += 1 }
        }
    }

    struct Snapshot {
        var endpoints: [(label: String, tally: EndpointTally, backlog: Int, breaker: Double)]
        var deadLettered: Int
    }

    var snapshot: Snapshot {
        locked {
            Snapshot(
                endpoints: endpoints.indices.map { index in
                    (
                        endpoints[index].label, tallies[index], lanes[index].values.reduce(0) { $0 + $1.count },
                        breakers[index].gaugeValue
                    )
                },
                deadLettered: deadLettered
            )
        }
    }
}

/// What the dispatcher needs of an alert record, read once on the consumer's thread.
private struct Prepared {
    var alert: Alert
    var rule: AlertRuleName { alert.rule }
    var severity: AlertSeverity { alert.severity }

    init?(_ record: ConsumedRecord) {
        guard let alert = try? JSONDecoder().decode(Alert.self, from: Data(record.value)) else { return nil }
        self.alert = alert
    }
}

/// One alert taken from Kafka, shared by its endpoints' deliveries. `@unchecked Sendable`: its
/// mutable fields are read and written only under the dispatcher's lock.
private final class Entry: @unchecked Sendable {
    let partition: Int32
    let offset: Int64
    let value: [UInt8]
    let alertID: String
    let accountID: String
    let detectedAt: Date
    let trace: TraceContext?
    /// The webhook's body: Standard Webhooks' `{type, timestamp, data}` around the alert's JSON.
    let body: [UInt8]
    /// Endpoints that still have to take it (or dead-letter it).
    var remaining = 0
    /// Its partition was revoked: the next owner sends it.
    var dropped = false

    init(record: ConsumedRecord, prepared: Prepared?) {
        partition = record.partition
        offset = record.offset
        value = record.value
        alertID = prepared?.alert.id ?? ""
        accountID = prepared?.alert.accountId ?? ""
        detectedAt = prepared?.alert.detectedAt ?? Date()
        trace =
            TraceParent.context(in: record.headers)
            ?? prepared?.alert.traceId.flatMap { id in
                try? TraceContext(traceParentHeaderValue: "00-\(id)-\(SpanID.random())-00")
            }
        var body = Array(#"{"type":"alert.raised","timestamp":""#.utf8)
        body += Array(RFC3339.format(detectedAt).utf8)
        body += Array(#"","data":"#.utf8)
        body += record.value
        body += Array("}".utf8)
        self.body = body
    }
}

/// One alert for one endpoint. `@unchecked Sendable`: read and written only under the
/// dispatcher's lock.
private final class Delivery: @unchecked Sendable {
    let entry: Entry
    let endpoint: Int
    var attempts = 0
    /// Monotonic nanoseconds before which it is not tried again.
    var notBefore: UInt64 = 0
    var startedAt: UInt64 = 0
    var lastError = ""
    /// A request or a dead-letter record is on its way.
    var inFlight = false
    /// Tried enough (or too old): it goes to the dead-letter topic.
    var deadLetter = false

    init(entry: Entry, endpoint: Int) {
        self.entry = entry
        self.endpoint = endpoint
    }
}

/// The delivery consumer's say in rebalances: revoked partitions' alerts are forgotten (their new
/// owner sends them), a new assignment lifts a pause.
private struct Listener: PartitionOwnershipListener {
    let dispatcher: WebhookDispatcher

    func partitionsAssigned(_ partitions: [Int32]) -> [Int32: Int64] {
        dispatcher.assigned()
        return [:]
    }

    func partitionsRevoked(_ partitions: [Int32], lost: Bool) {
        dispatcher.revoke(partitions)
    }

    func polled() {}
}

extension Duration {
    fileprivate var seconds: Double { Double(clampedNanoseconds) / 1e9 }
}
