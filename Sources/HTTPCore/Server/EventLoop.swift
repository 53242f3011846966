import CEpoll
import CoreSupport
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One thread, one epoll set, one SO_REUSEPORT listener, and the connections it accepted.
///
/// This file holds the loop itself: the epoll set, the pass (wait, handle events, then completions,
/// budget waiters, sweep, drain) and the connection table. The rest lives beside it, each part in
/// the file named after it: accepting (`EventLoop+Accepting`), completions from handlers
/// (`EventLoop+Completions`), connections waiting for request budget (`EventLoop+BudgetWaiters`),
/// timeouts (`EventLoop+Sweep`), shutdown (`EventLoop+Drain`), the lent buffers (`LoopBuffers`) and
/// rate-limited warnings (`RateLimitedLog`).
///
/// `@unchecked Sendable` because responders on other threads hold a reference. What makes that safe:
/// every `var` here is read and written only on the loop's own thread (inside `run()`, or in `deliver`
/// after `isLoopThread` confirmed it). Other threads touch only `inbox` (a Mutex), the atomics
/// `wakePending` and `threadID`, the eventfd, and immutable `let`s. The loop-thread `var`s are
/// internal only so that the extensions in the files beside this one can reach them.
///
/// Connections are registered edge-triggered for input and output once, at accept; the hot path makes
/// no epoll_ctl calls. Timeouts, including the response deadline of each connection's request in
/// flight, are found by a sweep every `context.sweepInterval`: no timer per request.
final class EventLoop: @unchecked Sendable {
    struct Inbox {
        var completions: [(ResponseToken, Completion)] = []
        var shutdownDeadline: UInt64?
    }

    static let listenerToken = UInt64.max
    static let wakeToken = UInt64.max - 1
    private static let maxEvents = 256
    /// How soon a loop with connections starved for request budget looks again when nothing else
    /// wakes it: the delay before it notices room another loop released.
    private static let budgetPollMilliseconds: Int32 = 2

    let index: Int
    let context: ServerContext
    let logger: Logger
    let epollFD: Int32
    let wakeFD: Int32
    let inbox = Mutex(Inbox())
    let wakePending = Atomic<Bool>(false)
    /// pthread_self() of the running loop, 0 when it is not running.
    let threadID = Atomic<UInt>(0)
    /// Connections this loop accepted, and eventfd writes made to wake it: for tests and diagnostics.
    let acceptedCount = Atomic<Int>(0)
    let wakeCount = Atomic<Int>(0)
    /// Requests still in flight when the grace period ended, answered 503 by the server.
    let cutOffAtShutdown = Atomic<Int>(0)

    // MARK: Loop-thread state

    var listenFD: Int32
    var acceptPausedUntil: UInt64 = 0
    /// Indexed by fd: the kernel hands out the lowest free descriptor, so this stays dense.
    var connections: [HTTPConnection?] = []
    private(set) var liveConnections = 0
    var nextGeneration: UInt32 = 0
    let buffers = LoopBuffers()
    /// The time of the current pass: read after each epoll_wait.
    private(set) var time = EventTime(monotonic: 0, date: HTTPDate([]))
    var nextSweep: UInt64 = 0
    private var dateCache = HTTPDateCache()
    var dispatching: ResponseToken?
    var inlineCompletion: Completion?
    var localCompletions: [(ResponseToken, Completion)] = []
    var spareCompletions: [(ResponseToken, Completion)] = []
    var draining = false
    var drainDeadline: UInt64 = 0
    var running = true
    var idGenerator = RequestIDGenerator()
    var rejectionLog = RateLimitedLog()
    var responseTimeoutLog = RateLimitedLog()
    /// Connections that stopped reading for want of request budget, in the order they stopped.
    var budgetWaiters: [HTTPConnection] = []
    var budgetReleasesSeen = -1

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

    var now: UInt64 { time.monotonic }

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
            assert(buffers.scratch.isEmpty, "a connection pass must write or drop all of its output")
        }
    }

    // MARK: - Connections

    func connection(fd: Int32, generation: UInt32) -> HTTPConnection? {
        guard fd >= 0, Int(fd) < connections.count, let connection = connections[Int(fd)],
            connection.generation == generation
        else { return nil }
        return connection
    }

    /// Enters a connection in the table under its descriptor.
    func insert(_ connection: HTTPConnection) {
        let fd = Int(connection.fd)
        if fd >= connections.count {
            connections.append(contentsOf: repeatElement(nil, count: fd + 1 - connections.count))
        }
        connections[fd] = connection
        liveConnections += 1
    }

    /// Called by a connection when it closed its descriptor.
    func remove(_ connection: HTTPConnection) {
        let fd = Int(connection.fd)
        guard fd < connections.count, connections[fd] === connection else { return }
        connections[fd] = nil
        liveConnections -= 1
        context.releaseConnection()
    }

    func register(_ fd: Int32, token: UInt64, events: UInt32) -> Bool {
        var event = epoll_event()
        event.events = events
        event.data.u64 = token
        return epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0
    }
}
