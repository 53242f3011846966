import CRdKafka
import CoreSupport
import Foundation
import Logging
import Synchronization

/// One member of a consumer group, polling on its own dedicated thread (never Swift's
/// cooperative pool: `rd_kafka_consumer_poll` blocks).
///
/// Delivery semantics: at-least-once with no loss and, for orderly hand-overs, no re-delivery.
/// An offset is stored (`rd_kafka_offset_store`, `enable.auto.offset.store=false`) only after
/// `handler` returned for that record, and stored offsets are committed every
/// `auto.commit.interval.ms` (5 s by default) by the consumer's own thread, as soon
/// as the consumer has caught up (async), by a bounded commit in the rebalance callback before
/// partitions are given up (`OffsetCommitter`), and on close. Because `handler` runs on the same
/// thread that serves the rebalance callback, no record is half-processed when partitions are revoked.
///
/// Stopping is bounded (`stop(timeout:)`): with no broker answering, `rd_kafka_consumer_close` can
/// block for a long time, so the close runs on the consumer's thread and a stop that outlasts its
/// bound abandons that thread (it keeps what it uses alive) and says so, rather than hanging.
/// A coordinator that refuses commits once a rebalance has begun (librdkafka's mock cluster does;
/// Kafka brokers accept them from the current generation) makes the revocation commit fail, and
/// records handled after the last successful commit are then delivered again to the next owner.
public final class KafkaConsumerWorker: Sendable {
    private enum ThreadState {
        case created
        case running(JoinableThread)
        case closing(JoinableThread)
        /// `closed`: false when the close outlasted its bound and the thread was abandoned.
        case stopped(closed: Bool)
    }

    public let name: String
    private let topic: String
    private let loop: ConsumerLoop
    private let groupState: ConsumerGroupState
    private let committer: OffsetCommitter
    private let closeTimeout: Duration
    private let threadNiceness: Int32
    private let logger: Logger
    private let threadState = Mutex(ThreadState.created)

    /// Creates the consumer and subscribes it; consumption starts with `start()`, which should
    /// follow soon: a subscribed consumer that does not poll holds up its group's rebalances.
    public convenience init(
        configuration: ConsumerConfiguration,
        name: String,
        logger: Logger,
        handler: @escaping @Sendable (KafkaRecord) -> Void
    ) throws(KafkaError) {
        // One record per poll, as before batches: `lag()` then counts every record not yet handled.
        try self.init(configuration: configuration, name: name, logger: logger, maxBatch: 1) { records in
            for record in records { handler(record) }
        }
    }

    /// The same, with a handler that gets the records in batches: those the consumer's queue held at
    /// once, in order, at most `maxBatch`. An application that takes a lock per record
    /// takes one per batch instead (the monitor's lock, contended by its consumers, was their largest
    /// cost in perf). Offsets are stored once `batchHandler` returned; a rebalance never
    /// finds a batch half-handled (the pending batch is handed over first, see `ConsumerLoop`).
    /// `lag()` counts the records of the batch in the handler as taken.
    public init(
        configuration: ConsumerConfiguration,
        name: String,
        logger: Logger,
        maxBatch: Int = 512,
        batchHandler: @escaping @Sendable ([KafkaRecord]) -> Void
    ) throws(KafkaError) {
        guard !configuration.topics.isEmpty else { throw .invalidConfiguration("no topics to consume") }
        self.name = name
        var properties: [(String, String)] = [
            ("bootstrap.servers", configuration.kafka.bootstrapServers),
            ("group.id", configuration.groupID),
            ("client.id", name),
            ("auto.offset.reset", configuration.autoOffsetReset),
            // Offsets are stored by us after the handler ran, and committed by our poll loop (on an
            // interval, when caught up) and on revocation. Not by librdkafka's auto-commit: it also
            // commits on every unassign, after our revocation commit, and on a close that commit
            // went out once another consumer's LeaveGroup had started a rebalance, so the
            // coordinator refused it (COMMITFAIL warnings on every clean stop).
            ("enable.auto.offset.store", "false"),
            ("enable.auto.commit", "false"),
            ("enable.partition.eof", "false"),
            ("fetch.min.bytes", String(configuration.fetchMinBytes)),
            ("fetch.wait.max.ms", String(configuration.fetchMaxWait.clampedMilliseconds)),
            ("socket.nagle.disable", "true"),
            // librdkafka prefetches up to 64 MiB per consumer (queued.max.messages.kbytes): a monitor
            // that lags under a flood held 4 x 64 MiB of fetched records (bench/flood.sh: resident
            // memory 34 -> 104 MiB in 30 s of single POSTs; flat at 49 MiB with 8 MiB). 8 MiB is
            // about 30,000 transactions, plenty to keep a consumer busy.
            ("queued.max.messages.kbytes", "8192"),
            // Incremental rebalancing: a partition that stays with its consumer is neither revoked
            // nor assigned again when members come and go, so its state stays where it is and it is
            // consumed throughout; only partitions that move are handed over (the listener hears of
            // those alone). Every member of a group must use it: the mock cluster aborts on a group
            // whose members name different protocols first.
            ("partition.assignment.strategy", "cooperative-sticky"),
        ]
        properties += configuration.kafka.properties.sorted { $0.key < $1.key }
        let commitInterval = configuration.kafka.properties["auto.commit.interval.ms"].flatMap(Int.init) ?? 5000
        let conf = try KafkaHandleFactory.makeConf(properties)
        rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback)
        ThreadNiceness.apply(configuration.threadNiceness, toThreadsOf: conf)

        let resetToEarliest = ["earliest", "smallest", "beginning"].contains(configuration.autoOffsetReset)
        let groupState = ConsumerGroupState(
            resetToEarliest: resetToEarliest,
            continuity: configuration.offsetGapObserver.map { _ in
                OffsetContinuity(uncommittedStartAtZero: configuration.uncommittedStartAtZero)
            }
        )
        let committer = OffsetCommitter(timeout: configuration.commitTimeout, closeBarrier: configuration.closeBarrier)
        let context = ClientContext(
            name: name,
            logger: logger,
            consumerState: groupState,
            committer: committer,
            partitionListener: configuration.partitionListener
        )
        let handle = try KafkaHandleFactory.makeHandle(type: RD_KAFKA_CONSUMER, conf: conf, context: context)
        // Before any poll, so before the rebalance callback can look at the state.
        groupState.attach(handle)

        // Route the group's events (rebalances, errors) through consumer_poll on our thread.
        rd_kafka_poll_set_consumer(handle)
        let topics = rd_kafka_topic_partition_list_new(Int32(configuration.topics.count))!
        defer { rd_kafka_topic_partition_list_destroy(topics) }
        for topic in configuration.topics {
            rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA)
        }
        let err = rd_kafka_subscribe(handle, topics)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            groupState.detachHandle()
            rd_kafka_destroy(handle)
            throw KafkaError(err)
        }
        self.groupState = groupState
        self.committer = committer
        self.closeTimeout = configuration.closeTimeout
        self.threadNiceness = configuration.threadNiceness
        self.logger = context.logger
        self.topic = configuration.topics[0]
        let loop = ConsumerLoop(
            handle: handle,
            context: context,
            groupState: groupState,
            storesOffsets: configuration.storesOffsetsAfterHandler,
            topics: configuration.topics,
            maxBatch: max(1, maxBatch),
            gatherWindow: configuration.gatherWindow,
            commitInterval: .milliseconds(max(1, commitInterval)),
            gapObserver: configuration.offsetGapObserver,
            handler: batchHandler
        )
        self.loop = loop
        // Weak: the loop holds the context.
        context.beforeRebalance.withLock { $0 = { [weak loop] in loop?.handlePending() } }
    }

    deinit {
        stop()
    }

    /// Starts the polling thread. Calling it again (or after `stop()`) does nothing.
    public func start() {
        threadState.withLock { threadState in
            guard case .created = threadState else { return }
            let (loop, niceness) = (self.loop, threadNiceness)
            // pthread_create fails only when the process is out of threads or memory.
            threadState = .running(
                try! JoinableThread(name: "kafka-c-\(name)") {
                    ThreadNiceness.apply(niceness)
                    loop.run()
                }
            )
        }
    }

    /// Blocking, for at most `timeout` (default: the configuration's `closeTimeout`): leaves the
    /// group (`rd_kafka_consumer_close` revokes, commits what was applied and sends LeaveGroup), then
    /// destroys the handle, all on the consumer's thread. Returns whether that finished in time;
    /// if not, the thread is abandoned (logged at error level) and the handle is left to it.
    /// Idempotent: a later call returns the first one's outcome.
    @discardableResult
    public func stop(timeout: Duration? = nil) -> Bool {
        let deadline = ContinuousClock.now + (timeout ?? closeTimeout)
        requestStop(closeBy: deadline)
        return awaitStop(until: deadline)
    }

    /// Non-blocking first half of a stop, so that several workers (and other work) can close side
    /// by side: tells the thread to leave the group and close by `deadline` (the revocation commit
    /// gets half of what is left); a worker never started gets a thread that only closes. Follow
    /// with `awaitStop(until:)`.
    public func requestStop(closeBy deadline: ContinuousClock.Instant) {
        threadState.withLock { threadState in
            let thread: JoinableThread
            switch threadState {
            case .created:
                let loop = self.loop
                loop.requestStop()
                // pthread_create fails only when the process is out of threads or memory.
                thread = try! JoinableThread(name: "kafka-c-\(name)") { loop.run() }
            case .running(let running):
                thread = running
            case .closing, .stopped:
                return
            }
            committer.stopping(by: MonotonicClock.now() + max(.zero, deadline - .now).clampedNanoseconds)
            loop.requestStop()
            threadState = .closing(thread)
        }
    }

    /// Second half of a stop: waits for the close until `deadline`; past it, abandons the thread
    /// (logged at error level). Returns whether the consumer closed.
    public func awaitStop(until deadline: ContinuousClock.Instant) -> Bool {
        let thread: JoinableThread? = threadState.withLock { threadState in
            if case .closing(let thread) = threadState { return thread }
            return nil
        }
        guard let thread else {
            return threadState.withLock { if case .stopped(let closed) = $0 { closed } else { false } }
        }
        let timeout = max(.zero, deadline - .now)
        let closed = thread.join(timeout: timeout)
        if !closed {
            logger.error(
                "consumer did not close in time; abandoning it (records applied since its last commit are read again by the next owner)",
                metadata: ["timeout": "\(timeout)"]
            )
        }
        threadState.withLock { $0 = .stopped(closed: closed) }
        return closed
    }

    /// Per assigned partition, how many records are between this consumer's position and the
    /// partition's end (cached high watermark). Cheap and callable from any thread.
    public func lag() -> [PartitionLag] {
        groupState.lag()
    }

    /// Stores the offsets to commit next (the next record to read, per partition of the first
    /// topic), for a consumer with `storesOffsetsAfterHandler` off. Callable from any thread;
    /// partitions no longer assigned are refused by librdkafka (their new owner decides).
    public func storeOffsets(_ offsets: [Int32: Int64]) {
        groupState.storeOffsets(topic: topic, offsets, logger: logger)
    }

    /// Stops fetching the assigned partitions (true) or starts again where it stopped (false), for
    /// an application that takes records faster than it can finish them. Callable from any thread;
    /// the records already handed to the handler stay handed.
    public func setPaused(_ paused: Bool) {
        groupState.setPaused(paused)
    }

    public var assignedPartitions: [Int32] {
        groupState.assignedPartitions.map(\.partition).sorted()
    }

    /// Whether the consumer has had its first assignment: before it, the group is still forming
    /// (librdkafka's mock cluster waits 3 s after the first member joins an empty group).
    public var hasJoinedGroup: Bool {
        groupState.joined.load(ordering: .acquiring)
    }

    /// Partitions assigned to and revoked from this consumer since it started (with cooperative
    /// rebalancing, only those that moved).
    public var partitionMoves: (assigned: Int, revoked: Int) {
        (groupState.assignedTotal.load(ordering: .relaxed), groupState.revokedTotal.load(ordering: .relaxed))
    }

    /// Records handed to `handler` so far.
    public var consumedCount: Int {
        loop.consumed.load(ordering: .relaxed)
    }

    /// Leaves the group (`rd_kafka_unsubscribe`: the partitions are revoked, with the usual
    /// commit, and the group rebalances without this member) or joins it again, while the thread and
    /// the handle stay. Takes effect on the consumer's thread within its poll interval. For watching
    /// a rebalance on purpose; `stop()` is the way out for good.
    public func setGroupMembership(_ member: Bool) {
        loop.wantsMembership.store(member, ordering: .releasing)
    }

    /// Whether the consumer is (or is about to be) a member of its group; see `setGroupMembership`.
    public var isGroupMember: Bool {
        loop.wantsMembership.load(ordering: .acquiring)
    }
}

/// The poll loop of one consumer. Separate from the worker so the thread does not keep the worker
/// alive (its `deinit` stops an abandoned consumer). It holds the client context, which the
/// handle's C callbacks reference, so an abandoned close can still call them safely.
/// `@unchecked Sendable`: the handle and `pending` are used only by the thread running `run()`
/// (the rebalance callback, which hands `pending` over, runs inside its polls), and the handle is
/// destroyed by that same thread at the end, after `ConsumerGroupState.detachHandle()`.
///
/// Batches: after a poll that waited, further polls gather what the queue holds (at most
/// `maxBatch`: 512 for the monitor, enough to take its lock once per hundreds of records and small
/// enough to keep a batch's delay and memory short), waiting up to `gatherWindow` for more while
/// under load, and the handler gets them together. A poll may run the rebalance callback, which
/// first hands the gathered messages over (`handlePending`), so revoked partitions never have
/// records still waiting for the handler, as with one record per poll.
private final class ConsumerLoop: @unchecked Sendable {
    let maxBatch: Int
    let handle: OpaquePointer
    let context: ClientContext
    let groupState: ConsumerGroupState
    let logger: Logger
    let handler: @Sendable ([KafkaRecord]) -> Void
    let storesOffsets: Bool
    let topics: [String]
    let gapObserver: (@Sendable (OffsetGap) -> Void)?
    let commitInterval: Duration
    let gatherWindow: Duration
    /// When the last batch was handed over; nil before the first.
    private var lastBatch: ContinuousClock.Instant?
    let consumed = Atomic<Int>(0)
    let wantsMembership = Atomic(true)
    /// Whether the handle is subscribed; the loop's thread follows `wantsMembership` with it.
    private var subscribed = true
    private let stopping = Atomic(false)
    private var pending: [UnsafeMutablePointer<rd_kafka_message_t>] = []
    /// Whether an offset was stored since the last commit.
    private var storedSinceCommit = false

    init(
        handle: OpaquePointer,
        context: ClientContext,
        groupState: ConsumerGroupState,
        storesOffsets: Bool,
        topics: [String],
        maxBatch: Int,
        gatherWindow: Duration,
        commitInterval: Duration,
        gapObserver: (@Sendable (OffsetGap) -> Void)?,
        handler: @escaping @Sendable ([KafkaRecord]) -> Void
    ) {
        self.maxBatch = maxBatch
        self.gatherWindow = gatherWindow
        self.topics = topics
        self.gapObserver = gapObserver
        self.commitInterval = commitInterval
        self.handle = handle
        self.context = context
        self.groupState = groupState
        self.storesOffsets = storesOffsets
        self.logger = context.logger
        self.handler = handler
    }

    func requestStop() {
        stopping.store(true, ordering: .releasing)
    }

    func run() {
        logger.debug("consumer started")
        pending.reserveCapacity(maxBatch)
        var lastCommit = ContinuousClock.now
        while !stopping.load(ordering: .acquiring) {
            followMembership()
            // 100 ms bounds how long stop() waits for the loop to notice.
            if let message = rd_kafka_consumer_poll(handle, 100) {
                pending.append(message)
                gatherBatch()
                handlePending()
                lastBatch = .now
            } else if storedSinceCommit {
                // Caught up: commit now (async) instead of waiting for the auto-commit timer, so
                // that a crash or a rebalance right after a burst does not redeliver the burst.
                // It also covers coordinators that refuse commits once a rebalance has begun
                // (librdkafka's mock cluster does), where the commit on revocation fails.
                storedSinceCommit = false
                commitStoredAsync(reason: "idle")
                lastCommit = .now
            }
            // What auto-commit did: under steady load the loop is never idle. Also commits what
            // the application stored itself (`storeOffsets`); nothing new costs no request.
            if ContinuousClock.now - lastCommit >= commitInterval {
                commitStoredAsync(reason: "interval")
                lastCommit = .now
            }
            context.partitionListener?.polled()
            groupState.refreshStartOffsets(handle: handle, timeoutMs: 2000)
        }
        shutDown()
    }

    /// Unsubscribes or subscribes again when `wantsMembership` changed; the revocation that an
    /// unsubscribe causes runs in a later poll, through the rebalance callback, as any other.
    private func followMembership() {
        let wanted = wantsMembership.load(ordering: .acquiring)
        guard wanted != subscribed else { return }
        let err: rd_kafka_resp_err_t
        if wanted {
            let list = rd_kafka_topic_partition_list_new(Int32(topics.count))!
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for topic in topics { rd_kafka_topic_partition_list_add(list, topic, RD_KAFKA_PARTITION_UA) }
            err = rd_kafka_subscribe(handle, list)
        } else {
            err = rd_kafka_unsubscribe(handle)
        }
        if err == RD_KAFKA_RESP_ERR_NO_ERROR {
            subscribed = wanted
            logger.info(wanted ? "consumer joins its group again" : "consumer leaves its group (on request)")
        } else {
            logger.warning(
                wanted ? "subscribe failed" : "unsubscribe failed",
                metadata: ["error": .string(KafkaError(err).description)]
            )
            wantsMembership.store(subscribed, ordering: .releasing)
        }
    }

    private func commitStoredAsync(reason: String) {
        let err = rd_kafka_commit(handle, nil, 1)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET {
            logger.debug("\(reason) commit failed", metadata: ["error": .string(KafkaError(err).description)])
        }
    }

    /// Leaves the group (the rebalance callback commits what was processed), then destroys the
    /// handle.
    private func shutDown() {
        // Nothing assigned: no revocation will come in which to arrive at the close barrier.
        if groupState.assignedPartitions.isEmpty { context.committer?.arriveAtCloseBarrier() }
        // Before the close: a closed consumer has no protocol (NULL).
        let cooperative = rebalanceProtocol(handle) == "COOPERATIVE"
        let err = rd_kafka_consumer_close(handle)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("consumer close failed", metadata: ["error": .string(KafkaError(err).description)])
        }
        groupState.detachHandle()
        if Self.destroyMayAbort(cooperative: cooperative, joined: groupState.joined.load(ordering: .acquiring)) {
            // Left as it is (closed, its threads idle) until the process exits, with the context its
            // callbacks use: destroying it would abort the process.
            _ = Unmanaged.passRetained(context)
            logger.debug("consumer closed before its first assignment; its handle is left undestroyed")
        } else {
            rd_kafka_destroy(handle)
        }
        logger.debug("consumer stopped", metadata: ["consumed": "\(consumed.load(ordering: .relaxed))"])
    }

    /// librdkafka before 2.2.1 asserts in `rd_kafka_destroy` on a cooperative-sticky consumer that
    /// had its JoinGroup answered but not yet its first SyncGroup (no assignor state yet;
    /// confluentinc/librdkafka#4381): a stop within seconds of start aborted the gateway. The first
    /// assignment follows that SyncGroup, so a consumer that had one is safe to destroy.
    private static func destroyMayAbort(cooperative: Bool, joined: Bool) -> Bool {
        cooperative && !joined && rd_kafka_version() < 0x0202_0100
    }

    /// Adds to `pending` what the queue holds, at most `maxBatch`; under load (the previous batch
    /// was handed over less than `gatherWindow` ago) waits up to `gatherWindow` for more.
    private func gatherBatch() {
        let underLoad = lastBatch.map { ContinuousClock.now - $0 < gatherWindow } ?? false
        let deadline = ContinuousClock.now + (underLoad ? gatherWindow : .zero)
        while pending.count < maxBatch {
            let timeout = (deadline - .now).clampedMilliseconds
            guard let next = rd_kafka_consumer_poll(handle, timeout) else {
                if timeout == 0 { return }
                continue
            }
            pending.append(next)
        }
    }

    /// Hands the gathered records to the handler, stores their offsets and frees the messages.
    /// On the consumer's thread: from `run()`, and from the rebalance callback before it changes
    /// the assignment.
    func handlePending() {
        guard !pending.isEmpty else { return }
        defer {
            for message in pending { rd_kafka_message_destroy(message) }
            pending.removeAll(keepingCapacity: true)
        }
        var records: [KafkaRecord] = []
        records.reserveCapacity(pending.count)
        for message in pending {
            let m = message.pointee
            guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                // Consumer errors (unknown topic, broker trouble) are reported here; librdkafka keeps
                // retrying by itself, so they are logged, not fatal.
                logger.warning(
                    "consumer error",
                    metadata: ["error": .string(KafkaError(m.err, message: messageErrorText(message)).description)]
                )
                continue
            }
            records.append(makeRecord(message))
        }
        guard !records.isEmpty else { return }
        if let gapObserver, let continuity = groupState.continuity {
            for gap in continuity.check(records, handle: handle) { gapObserver(gap) }
        }
        handler(records)
        consumed.wrappingAdd(records.count, ordering: .relaxed)
        guard storesOffsets else { return }
        // Only now are the records processed: store offset+1 of each for the next commit.
        for message in pending where message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            let m = message.pointee
            let err = rd_kafka_offset_store(m.rkt, m.partition, m.offset)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                // _STATE: the partition was revoked meanwhile; its new owner will see the record again.
                logger.debug("offset store failed", metadata: ["error": .string(KafkaError(err).description)])
            } else {
                storedSinceCommit = true
            }
        }
    }

    private func makeRecord(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaRecord {
        let m = message.pointee
        let key: [UInt8]? = m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
        let value: [UInt8] = m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) } ?? []
        var headers: [KafkaHeader] = []
        var headerList: OpaquePointer? = nil
        if rd_kafka_message_headers(message, &headerList) == RD_KAFKA_RESP_ERR_NO_ERROR, let headerList {
            var index = 0
            var name: UnsafePointer<CChar>? = nil
            var bytes: UnsafeRawPointer? = nil
            var size = 0
            while rd_kafka_header_get_all(headerList, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let headerValue = bytes.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
                headers.append(KafkaHeader(name.map { String(cString: $0) } ?? "", headerValue))
                index += 1
            }
        }
        return KafkaRecord(
            topic: String(cString: rd_kafka_topic_name(m.rkt)),
            partition: m.partition,
            offset: m.offset,
            key: key,
            value: value,
            headers: headers
        )
    }

    private func messageErrorText(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> String? {
        let m = message.pointee
        guard let payload = m.payload, m.len > 0 else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: payload, count: m.len), as: UTF8.self)
    }
}

/// Runs inside rd_kafka_consumer_poll/consumer_close, i.e. on the consumer's own thread.
private let rebalanceCallback:
    @convention(c) (
        OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
        UnsafeMutableRawPointer?
    ) -> Void = { handle, err, partitions, opaque in
        guard let handle, let context = ClientContext.from(opaque), let state = context.consumerState else { return }
        // Records gathered before this callback are handled (and their offsets stored) while their
        // partitions are still ours.
        context.beforeRebalance.withLock { $0 }?()
        let cooperative = rebalanceProtocol(handle) == "COOPERATIVE"
        let list = topicPartitions(of: partitions)
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            // A cooperative rebalance that moves nothing here assigns an empty list: not worth a line.
            if !list.isEmpty {
                context.logger.info("partitions assigned", metadata: ["partitions": .string(describe(list))])
            }
            var startOffsets: [Int32: Int64] = [:]
            if let listener = context.partitionListener, let partitions {
                startOffsets = listener.partitionsAssigned(list.map(\.partition))
                setStartOffsets(partitions, startOffsets)
            }
            state.continuity?.assigned(list, startOffsets: startOffsets)
            if cooperative {
                if let error = rd_kafka_incremental_assign(handle, partitions) {
                    context.logger.error(
                        "incremental assign failed",
                        metadata: ["error": .string(KafkaError(consuming: error).description)]
                    )
                }
            } else {
                let assignErr = rd_kafka_assign(handle, partitions)
                if assignErr != RD_KAFKA_RESP_ERR_NO_ERROR {
                    context.logger.error(
                        "assign failed",
                        metadata: ["error": .string(KafkaError(assignErr).description)]
                    )
                }
            }
            state.assign(list)
            state.assignedTotal.add(list.count, ordering: .relaxed)
            state.joined.store(true, ordering: .releasing)
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            if !list.isEmpty {
                context.logger.info("partitions revoked", metadata: ["partitions": .string(describe(list))])
            }
            state.revokedTotal.add(list.count, ordering: .relaxed)
            // Commit what the handler finished before the partitions move, so the next owner starts
            // right after it. Skipped when the assignment was lost (the group moved on without us and
            // would reject the commit anyway). The listener goes first: it may store what to commit.
            context.partitionListener?.partitionsRevoked(
                list.map(\.partition),
                lost: rd_kafka_assignment_lost(handle) != 0
            )
            if rd_kafka_assignment_lost(handle) == 0, let committer = context.committer {
                commitOnRevocation(handle, committer: committer, logger: context.logger)
            }
            // Stopping: the LeaveGroup that follows waits until the other consumers stopping with
            // this one have committed too (`ConsumerCloseBarrier`).
            if let committer = context.committer, committer.isStopping { committer.leaveAfterTheOthers() }
            if cooperative {
                if let error = rd_kafka_incremental_unassign(handle, partitions) {
                    context.logger.error(
                        "incremental unassign failed",
                        metadata: ["error": .string(KafkaError(consuming: error).description)]
                    )
                }
                state.revoke(list)
                state.continuity?.revoked(list)
            } else {
                _ = rd_kafka_assign(handle, nil)
                state.revoke(nil)
                state.continuity?.revoked(nil)
            }
        default:
            context.logger.error("rebalance error", metadata: ["error": .string(KafkaError(err).description)])
            let assigned = state.assignedPartitions
            context.partitionListener?.partitionsRevoked(assigned.map(\.partition), lost: true)
            if cooperative {
                let list = makePartitionList(assigned)
                defer { rd_kafka_topic_partition_list_destroy(list) }
                if let error = rd_kafka_incremental_unassign(handle, list) { rd_kafka_error_destroy(error) }
            } else {
                _ = rd_kafka_assign(handle, nil)
            }
            state.revoke(nil)
            state.continuity?.revoked(nil)
        }
    }

/// "NONE" before the group's first JoinGroup answer, "EAGER" or "COOPERATIVE" after; nil once the
/// consumer is closed.
private func rebalanceProtocol(_ handle: OpaquePointer) -> String? {
    rd_kafka_rebalance_protocol(handle).map { String(cString: $0) }
}

/// Writes the listener's start offsets into the list about to be assigned.
private func setStartOffsets(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>, _ offsets: [Int32: Int64]) {
    for index in 0..<Int(list.pointee.cnt) {
        if let offset = offsets[list.pointee.elems[index].partition] { list.pointee.elems[index].offset = offset }
    }
}

/// Bounded (see `OffsetCommitter`): a synchronous commit here once waited forever for a broker.
private func commitOnRevocation(_ handle: OpaquePointer, committer: OffsetCommitter, logger: Logger) {
    switch committer.commitStored(handle) {
    case .committed, .nothingToCommit:
        return
    case .failed(let error):
        logger.warning(
            "commit on revocation failed; records since the last commit may be delivered again",
            metadata: ["error": .string(error.description)]
        )
    case .timedOut(let bound):
        logger.warning(
            "commit on revocation not answered in time; records since the last commit may be delivered again",
            metadata: ["timeout": "\(bound)"]
        )
    }
}

private func describe(_ partitions: [TopicPartition]) -> String {
    partitions.map { "\($0.topic)[\($0.partition)]" }.joined(separator: ",")
}
