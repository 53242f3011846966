import CEpoll
import CoreSupport
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One thread, one epoll set, one SO_REUSEPORT listener, and the connections it accepted.
///
/// `@unchecked Sendable` because responders on other threads hold a reference. What makes that safe:
/// every `var` here is read and written only on the loop's own thread (inside `run()`, or in `deliver`
/// after `isLoopThread` confirmed it). Other threads touch only `inbox` (a Mutex), the atomics
/// `wakePending` and `threadID`, the eventfd, and immutable `let`s.
///
/// Connections are registered edge-triggered for input and output once, at accept; the hot path makes
/// no epoll_ctl calls. Timeouts, including the response deadline of each connection's request in
/// flight, are found by a sweep every `context.sweepInterval`: no timer per request.
final class EventLoop: @unchecked Sendable {
    private struct Inbox {
        var completions: [(ResponseToken, Completion)] = []
        var shutdownDeadline: UInt64?
    }

    private static let listenerToken = UInt64.max
    private static let wakeToken = UInt64.max - 1
    private static let maxEvents = 256
    private static let acceptBatch = 64
    private static let pooledBuffers = 128
    /// How soon a loop with connections starved for request budget looks again when nothing else
    /// wakes it: the delay before it notices room another loop released.
    private static let budgetPollMilliseconds: Int32 = 2

    let index: Int
    let context: ServerContext
    let logger: Logger
    private let epollFD: Int32
    private let wakeFD: Int32
    private let inbox = Mutex(Inbox())
    private let wakePending = Atomic<Bool>(false)
    /// pthread_self() of the running loop, 0 when it is not running.
    private let threadID = Atomic<UInt>(0)
    /// Connections this loop accepted, and eventfd writes made to wake it: for tests and diagnostics.
    let acceptedCount = Atomic<Int>(0)
    let wakeCount = Atomic<Int>(0)
    /// Requests still in flight when the grace period ended, answered 503 by the server.
    let cutOffAtShutdown = Atomic<Int>(0)

    // MARK: Loop-thread state

    private var listenFD: Int32
    private var acceptPausedUntil: UInt64 = 0
    /// Indexed by fd: the kernel hands out the lowest free descriptor, so this stays dense.
    private var connections: [HTTPConnection?] = []
    private(set) var liveConnections = 0
    private var nextGeneration: UInt32 = 0
    /// The output buffer lent to the connection being served (see `HTTPConnectionState+Buffers`).
    var scratch: [UInt8] = []
    /// Sink for bytes read during a lingering close.
    var discard = [UInt8](repeating: 0, count: 4096)
    private var bufferPool: [[UInt8]] = []
    /// The time of the current pass: read after each epoll_wait.
    private(set) var time = EventTime(monotonic: 0, date: HTTPDate([]))
    private var nextSweep: UInt64 = 0
    private var dateCache = HTTPDateCache()
    private var dispatching: ResponseToken?
    private var inlineCompletion: Completion?
    private var localCompletions: [(ResponseToken, Completion)] = []
    private var spareCompletions: [(ResponseToken, Completion)] = []
    private var draining = false
    private var drainDeadline: UInt64 = 0
    private var running = true
    private var idGenerator = RequestIDGenerator()
    private var rejectedSinceLog = 0
    private var nextRejectionLog: UInt64 = 0
    private var timedOutSinceLog = 0
    private var nextTimeoutLog: UInt64 = 0
    /// Connections that stopped reading for want of request budget, in the order they stopped.
    private var budgetWaiters: [HTTPConnection] = []
    private var budgetReleasesSeen = -1

    init(index: Int, listenFD: Int32, context: ServerContext) throws {
        self.index = index
        self.listenFD = listenFD
        self.context = context
        var logger = context.logger
        logger[metadataKey: "loop"] = "\(index)"
        self.logger = logger
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw HTTPServerError.lastSystemError("epoll_create1") }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeFD >= 0 else {
            let error = HTTPServerError.lastSystemError("eventfd")
            close(epollFD)
            throw error
        }
        guard register(wakeFD, token: Self.wakeToken, events: EPOLLIN.rawValue),
            register(listenFD, token: Self.listenerToken, events: EPOLLIN.rawValue)
        else {
            let error = HTTPServerError.lastSystemError("epoll_ctl")
            close(wakeFD)
            close(epollFD)
            throw error
        }
    }

    /// The eventfd stays open until no responder can reach this loop any more, so a late `respond`
    /// can never write into a descriptor number that was reused for something else.
    deinit {
        if listenFD >= 0 { close(listenFD) }  // only when the loop never ran
        close(wakeFD)
        close(epollFD)
    }

    // MARK: - Running

    func run() {
        threadID.store(UInt(pthread_self()), ordering: .releasing)
        updateClock()
        nextSweep = now + context.sweepInterval
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: Self.maxEvents)
        defer {
            events.deallocate()
            threadID.store(0, ordering: .releasing)
        }
        while running {
            let count = epoll_wait(epollFD, events, Int32(Self.maxEvents), waitTimeout())
            if count < 0 {
                let error = SystemError.last("epoll_wait")
                if error.isInterrupted { continue }
                logger.critical("event loop stopped", metadata: ["error": "\(error)"])
                break
            }
            updateClock()
            for offset in 0..<Int(count) {
                handle(events[offset])
            }
            // Answers queued by other threads since this batch was polled: served now, not when the
            // eventfd's turn comes (a busy loop gets 256 of thousands of ready descriptors per
            // epoll_wait), and before the sweep, so an answer that is here never loses to its deadline.
            if wakePending.load(ordering: .acquiring) { drainInbox() }
            runLocalCompletions()
            if !budgetWaiters.isEmpty { resumeBudgetWaiters() }
            if now >= nextSweep { sweep() }
            if draining { checkDrained() }
        }
        closeEverything()
    }

    private var now: UInt64 { time.monotonic }

    private func updateClock() {
        dateCache.update()
        time = EventTime(monotonic: MonotonicClock.now(), date: dateCache.date)
    }

    /// `time`, with a fresh monotonic reading when an observer will measure a duration with it.
    var freshTime: EventTime {
        guard context.observer != nil else { return time }
        return EventTime(monotonic: MonotonicClock.now(), date: time.date)
    }

    /// Milliseconds until the next sweep or drain deadline; blocks indefinitely with nothing to time.
    private func waitTimeout() -> Int32 {
        if liveConnections == 0 && !draining && acceptPausedUntil == 0 { return -1 }
        let target = draining ? min(nextSweep, drainDeadline) : nextSweep
        guard target > now else { return 0 }
        let milliseconds = Int32(clamping: (target - now + 999_999) / 1_000_000)
        // Budget released by another loop raises no event here: look again soon.
        return budgetWaiters.isEmpty ? milliseconds : min(milliseconds, Self.budgetPollMilliseconds)
    }

    private func handle(_ event: epoll_event) {
        switch event.data.u64 {
        case Self.listenerToken:
            acceptConnections()
        case Self.wakeToken:
            drainInbox()
        case let data:
            let fd = Int32(truncatingIfNeeded: data)
            guard let connection = connection(fd: fd, generation: UInt32(truncatingIfNeeded: data >> 32)) else {
                return  // closed earlier in this batch
            }
            connection.handle(events: event.events)
            assert(scratch.isEmpty, "a connection pass must write or drop all of its output")
        }
    }

    private func connection(fd: Int32, generation: UInt32) -> HTTPConnection? {
        guard fd >= 0, Int(fd) < connections.count, let connection = connections[Int(fd)],
            connection.generation == generation
        else { return nil }
        return connection
    }

    private func register(_ fd: Int32, token: UInt64, events: UInt32) -> Bool {
        var event = epoll_event()
        event.events = events
        event.data.u64 = token
        return epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0
    }

    // MARK: - Accepting

    private func acceptConnections() {
        for _ in 0..<Self.acceptBatch where listenFD >= 0 {
            var address = sockaddr_storage()
            switch POSIXSocket.accept(listenFD, address: &address) {
            case .success(let fd):
                adopt(fd, remoteAddress: POSIXSocket.describe(address))
            case .failure(let error):
                guard shouldAcceptAgain(after: error) else { return }
            }
        }
    }

    /// False when accepting should stop for this round.
    private func shouldAcceptAgain(after error: SystemError) -> Bool {
        if error.isWouldBlock { return false }
        switch error.code {
        case EINTR, ECONNABORTED, EPROTO:
            return true
        case EMFILE, ENFILE, ENOBUFS, ENOMEM:
            // The pending connection stays queued and the level-triggered listener would wake us
            // again at once: stop watching it for a moment instead of spinning.
            logger.error("accept failed; pausing accepts for 100 ms", metadata: ["error": "\(error)"])
            pauseAccepting()
            return false
        default:
            logger.error("accept failed", metadata: ["error": "\(error)"])
            return false
        }
    }

    private func adopt(_ fd: Int32, remoteAddress: String) {
        acceptedCount.wrappingAdd(1, ordering: .relaxed)
        POSIXSocket.setNoDelay(fd)
        let admitted = context.admitConnection()
        nextGeneration = (nextGeneration &+ 1) & 0x7FFF_FFFF  // keeps tokens clear of the reserved ones
        let parser = HTTPParser(
            limits: context.limits,
            remoteAddress: remoteAddress,
            idGenerator: RequestIDGenerator(seed: idGenerator.nextUInt64())
        )
        let state = HTTPConnectionState(context: context, parser: parser, logger: logger, at: time)
        let connection = HTTPConnection(fd: fd, generation: nextGeneration, loop: self, state: state)
        if Int(fd) >= connections.count {
            connections.append(contentsOf: repeatElement(nil, count: Int(fd) + 1 - connections.count))
        }
        connections[Int(fd)] = connection
        liveConnections += 1
        let events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
        guard register(fd, token: UInt64(nextGeneration) << 32 | UInt64(UInt32(bitPattern: fd)), events: events)
        else {
            let error = SystemError.last("epoll_ctl ADD")  // read now: the log's arguments are lazy
            logger.error("cannot watch the connection", metadata: ["error": "\(error)"])
            connection.close()
            return
        }
        if !admitted {
            noteRejection()
            connection.reject()
        }
    }

    /// One log line per second at most while the limit holds, so a connection flood cannot flood the log.
    private func noteRejection() {
        rejectedSinceLog += 1
        guard now >= nextRejectionLog else { return }
        logger.warning(
            "connection limit reached; answering 503",
            metadata: ["max": "\(context.maxConnections)", "refused": "\(rejectedSinceLog)"]
        )
        rejectedSinceLog = 0
        nextRejectionLog = now + 1_000_000_000
    }

    private func pauseAccepting() {
        guard listenFD >= 0 else { return }
        epoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, nil)
        acceptPausedUntil = now + 100_000_000
    }

    private func resumeAccepting() {
        acceptPausedUntil = 0
        guard listenFD >= 0, !draining else { return }
        if !register(listenFD, token: Self.listenerToken, events: EPOLLIN.rawValue) {
            let error = SystemError.last("epoll_ctl ADD")  // read now: the log's arguments are lazy
            logger.error("cannot re-register the listener", metadata: ["error": "\(error)"])
        }
    }

    private func stopListening() {
        guard listenFD >= 0 else { return }
        close(listenFD)  // also removes it from the epoll set
        listenFD = -1
    }

    /// Called by a connection when it closed its descriptor.
    func remove(_ connection: HTTPConnection) {
        let fd = Int(connection.fd)
        guard fd < connections.count, connections[fd] === connection else { return }
        connections[fd] = nil
        liveConnections -= 1
        context.releaseConnection()
    }

    // MARK: - Buffers and output

    /// Read buffers are lent to connections only while they hold unparsed bytes, so thousands of idle
    /// keep-alive connections cost no buffer memory.
    func borrowBuffer() -> [UInt8] {
        bufferPool.popLast() ?? [UInt8](repeating: 0, count: HTTPConnectionState.readBufferSize)
    }

    func returnBuffer(_ buffer: [UInt8]) {
        if buffer.count == HTTPConnectionState.readBufferSize, bufferPool.count < Self.pooledBuffers {
            bufferPool.append(buffer)
        }
    }

    func releaseScratchIfLarge() {
        if scratch.capacity > 4 * HTTPConnectionState.outputHighWater {
            scratch = []
        }
    }

    // MARK: - Request budget

    /// Called by a connection that stopped reading because the request budget had no room.
    func awaitBudget(_ connection: HTTPConnection) {
        budgetWaiters.append(connection)
    }

    /// Lets starved connections try again, oldest first, once something was released since the last
    /// try (on any loop); those still without room queue up again in the same order.
    private func resumeBudgetWaiters() {
        let releases = context.requestBudget.releaseCount
        guard releases != budgetReleasesSeen else { return }
        budgetReleasesSeen = releases
        let waiting = budgetWaiters
        budgetWaiters.removeAll(keepingCapacity: true)
        for connection in waiting {
            connection.resumeReading()
        }
    }

    // MARK: - Completions

    var isLoopThread: Bool {
        threadID.load(ordering: .acquiring) == UInt(pthread_self())
    }

    func beginDispatch(_ token: ResponseToken) {
        dispatching = token
    }

    /// Ends a handler call and returns the response (or stream head) it gave inline, if any.
    func endDispatch() -> Completion? {
        dispatching = nil
        defer { inlineCompletion = nil }
        return inlineCompletion
    }

    /// Routes a completion to its connection: inline during the handler call (the first one; a stream
    /// written to during the call queues the rest behind it), through a local list for others made on
    /// this thread, and through the locked inbox plus an eventfd wake-up from any other thread.
    func deliver(_ token: ResponseToken, _ completion: Completion) {
        if isLoopThread {
            if dispatching == token, inlineCompletion == nil {
                inlineCompletion = completion
            } else {
                localCompletions.append((token, completion))
            }
            return
        }
        inbox.withLock { $0.completions.append((token, completion)) }
        wake()
    }

    /// Writes the eventfd only if no wake-up is already pending; the loop clears the flag before it
    /// drains the inbox, so a completion queued after the drain always triggers a new wake-up.
    private func wake() {
        guard !wakePending.exchange(true, ordering: .acquiringAndReleasing) else { return }
        wakeCount.wrappingAdd(1, ordering: .relaxed)
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, MemoryLayout<UInt64>.size)
    }

    private func drainInbox() {
        var counter: UInt64 = 0
        _ = read(wakeFD, &counter, MemoryLayout<UInt64>.size)
        wakePending.store(false, ordering: .sequentiallyConsistent)
        var batch = spareCompletions
        let shutdownDeadline = inbox.withLock { inbox -> UInt64? in
            swap(&inbox.completions, &batch)
            return inbox.shutdownDeadline
        }
        for (token, completion) in batch {
            complete(token, completion)
        }
        batch.removeAll(keepingCapacity: true)
        spareCompletions = batch
        if let shutdownDeadline, !draining {
            beginDraining(deadline: shutdownDeadline)
        }
    }

    private func runLocalCompletions() {
        while !localCompletions.isEmpty {
            let batch = localCompletions
            localCompletions.removeAll(keepingCapacity: true)
            for (token, completion) in batch {
                complete(token, completion)
            }
        }
    }

    private func complete(_ token: ResponseToken, _ completion: Completion) {
        guard let connection = connection(fd: token.fd, generation: token.generation) else {
            // The connection has gone away: the client can no longer read this. A stream that never
            // reached it gives its place back.
            if case .streamStart(_, let lease) = completion { lease.end() }
            return
        }
        connection.resume(sequence: token.sequence, completion)
        assert(scratch.isEmpty, "a connection pass must write or drop all of its output")
    }

    /// A streaming response's client read too slowly and was dropped.
    func noteStreamDropped(remote: String) {
        logger.warning(
            "stream client reads too slowly; dropping it",
            metadata: ["remote": "\(remote)", "backlog_limit": "\(context.maxStreamBacklogBytes)"]
        )
    }

    // MARK: - Timeouts

    private func sweep() {
        nextSweep = now + context.sweepInterval
        if acceptPausedUntil != 0, now >= acceptPausedUntil {
            resumeAccepting()
        }
        guard liveConnections > 0 else { return }
        for fd in connections.indices {
            guard let connection = connections[fd] else { continue }
            // A connection has at most one request in flight (they are handled one after another), so
            // its response deadline is that of its oldest unanswered request.
            if connection.state.isDue(at: now) {
                connection.tick()
            }
        }
    }

    /// One log line per second at most: when a dependency stalls, every request times out at once.
    func noteResponseTimeout(requestID: String?) {
        timedOutSinceLog += 1
        guard now >= nextTimeoutLog else { return }
        logger.warning(
            "handler did not answer within the response timeout; answering 504",
            metadata: ["request_id": "\(requestID ?? "-")", "timed_out": "\(timedOutSinceLog)"]
        )
        timedOutSinceLog = 0
        nextTimeoutLog = now + 1_000_000_000
    }

    // MARK: - Shutdown

    /// Thread-safe: asks the loop to stop accepting and to close once in-flight requests are answered,
    /// or at `deadline` (monotonic ns) at the latest.
    func requestShutdown(deadline: UInt64) {
        inbox.withLock { $0.shutdownDeadline = deadline }
        wake()
    }

    private func beginDraining(deadline: UInt64) {
        draining = true
        drainDeadline = deadline
        stopListening()
        for fd in connections.indices {
            if let connection = connections[fd] { connection.drain() }
        }
        checkDrained()
    }

    private func checkDrained() {
        if liveConnections == 0 {
            running = false
        } else if now >= drainDeadline {
            let open = liveConnections
            let cutOff = answerInFlightWith503()
            cutOffAtShutdown.store(cutOff, ordering: .relaxed)
            logger.warning(
                "grace period over; closing connections",
                metadata: ["open": "\(open)", "answered_503": "\(cutOff)"]
            )
            running = false
        }
    }

    /// Indexes, not a for-in over the array: answering may close a connection, which clears its slot.
    private func answerInFlightWith503() -> Int {
        var answered = 0
        for fd in connections.indices {
            if let connection = connections[fd], connection.abandonInFlight() { answered += 1 }
        }
        return answered
    }

    private func closeEverything() {
        stopListening()
        for fd in connections.indices {
            if let connection = connections[fd] { connection.close() }
        }
        connections = []
        budgetWaiters = []
        bufferPool = []
    }
}
