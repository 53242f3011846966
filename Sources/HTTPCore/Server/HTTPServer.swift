import CoreSupport
import Logging
import Synchronization

/// An HTTP/1.1 server (RFC 9112) on POSIX sockets and epoll.
///
/// `start()` binds one SO_REUSEPORT listener per event loop (the first decides the port when 0 was
/// asked for) and starts one thread per loop. Each connection lives on the loop that accepted it.
/// Handlers run on that loop's thread and answer through their `HTTPResponder`, inline or later from
/// any thread.
///
/// Call `shutdown(gracePeriod:)` before dropping the last reference: the loop threads keep the loops
/// alive and run until told to stop.
public final class HTTPServer: Sendable {
    private enum State {
        case idle
        case running([EventLoop], [JoinableThread])
        case stopped
    }

    private let configuration: HTTPServerConfiguration
    private let logger: Logger
    private let context: ServerContext
    private let state = Mutex(State.idle)
    private let port = Atomic<Int>(0)

    /// - Parameter observer: called on a loop thread for every response written, including the server's
    ///   own 400/408/413/414/417/431/501/503/504/505. For those, `request` holds what was read before the
    ///   server refused it (request line and the fields so far, no body), or nil when no request line
    ///   could be parsed; for a 504 (`responseTimeout`) it is the complete request. The duration runs
    ///   from the complete request (or the start of the refused one) to the response being handed to
    ///   the socket.
    public init(
        configuration: HTTPServerConfiguration,
        logger: Logger,
        observer: (@Sendable (HTTPRequest?, HTTPResponse.Status, Duration) -> Void)? = nil,
        handler: @escaping HTTPHandler
    ) {
        self.configuration = configuration
        self.logger = logger
        context = ServerContext(configuration: configuration, logger: logger, observer: observer, handler: handler)
    }

    /// Binds, spawns the loop threads and returns the bound port.
    public func start() throws -> Int {
        try state.withLock { state in
            guard case .idle = state else { throw HTTPServerError.alreadyStarted }
            let listeners = try bindListeners()
            var loops: [EventLoop] = []
            var threads: [JoinableThread] = []
            do {
                for (index, listener) in listeners.fds.enumerated() {
                    loops.append(try EventLoop(index: index, listenFD: listener, context: context))
                }
                for loop in loops {
                    threads.append(try Self.spawnThread(for: loop))
                }
            } catch {
                // Started loops close their listeners when they stop; loops that never ran close theirs
                // when released; listeners no loop took yet are closed here.
                Self.stop(loops: Array(loops.prefix(threads.count)), threads: threads, deadline: 0)
                for fd in listeners.fds.dropFirst(loops.count) { closeDescriptor(fd) }
                throw error
            }
            state = .running(loops, threads)
            port.store(listeners.port, ordering: .releasing)
            logger.info(
                "HTTP server listening",
                metadata: ["host": "\(configuration.host)", "port": "\(listeners.port)", "loops": "\(loops.count)"]
            )
            return listeners.port
        }
    }

    /// The port `start()` bound, 0 before that.
    public var boundPort: Int {
        port.load(ordering: .acquiring)
    }

    /// Streaming responses open now (`HTTPResponder.startStream`), across the loops.
    public var openStreams: Int { context.openStreams }

    /// Request bytes held now across all connections, the most ever held at once, and the bound on
    /// both (`HTTPServerConfiguration.maxBufferedRequestBytes`, raised to twice the body limit if lower).
    public var bufferedRequestBytes: (now: Int, peak: Int, limit: Int) {
        let budget = context.requestBudget
        return (budget.inUse, budget.peak, budget.limit)
    }

    /// Per loop: connections accepted and eventfd wake-ups so far (diagnostics; used by the tests to
    /// show that connections spread over loops and that inline answers need no wake-up).
    var loopStatistics: [(accepted: Int, wakeUps: Int)] {
        state.withLock { state in
            guard case .running(let loops, _) = state else { return [] }
            return loops.map { ($0.acceptedCount.load(ordering: .relaxed), $0.wakeCount.load(ordering: .relaxed)) }
        }
    }

    /// Blocking: stops accepting, lets in-flight requests finish (their responses are sent with
    /// `Connection: close`) for up to `gracePeriod`, answers those still in flight then with 503 and
    /// `Retry-After`, closes every connection and joins the threads. Idle keep-alive connections are
    /// closed at once. Returns how many requests got that 503. A second call returns 0 at once.
    @discardableResult
    public func shutdown(gracePeriod: Duration) -> Int {
        let running: ([EventLoop], [JoinableThread])? = state.withLock { state in
            defer { state = .stopped }
            guard case .running(let loops, let threads) = state else { return nil }
            return (loops, threads)
        }
        guard let (loops, threads) = running else { return 0 }
        logger.info("HTTP server stopping", metadata: ["grace": "\(gracePeriod)"])
        Self.stop(loops: loops, threads: threads, deadline: MonotonicClock.now() + gracePeriod.clampedNanoseconds)
        let cutOff = loops.reduce(0) { $0 + $1.cutOffAtShutdown.load(ordering: .relaxed) }
        logger.info("HTTP server stopped")
        return cutOff
    }

    private static func spawnThread(for loop: EventLoop) throws(HTTPServerError) -> JoinableThread {
        do throws(SystemError) {
            return try JoinableThread(name: "http-loop-\(loop.index)") { loop.run() }
        } catch {
            throw .systemCall(error)
        }
    }

    private static func stop(loops: [EventLoop], threads: [JoinableThread], deadline: UInt64) {
        for loop in loops {
            loop.requestShutdown(deadline: deadline)
        }
        for thread in threads {
            thread.join()
        }
    }

    /// One listener per loop on the same port: with port 0 the first bind picks it.
    private func bindListeners() throws -> (fds: [Int32], port: Int) {
        let count = max(1, configuration.eventLoopCount)
        let backlog = Int32(clamping: configuration.listenBacklog)
        if configuration.port != 0 {
            // SO_REUSEPORT would let this server silently share the port with another process of
            // the same user (a forgotten instance), each getting part of the connections. An
            // exclusive bind first turns that into a clear "address in use".
            let probe = try POSIXSocket.listen(
                host: configuration.host,
                port: configuration.port,
                backlog: 1,
                reusePort: false
            )
            closeDescriptor(probe.fd)
        }
        let first = try POSIXSocket.listen(host: configuration.host, port: configuration.port, backlog: backlog)
        var fds = [first.fd]
        do {
            for _ in 1..<count {
                fds.append(try POSIXSocket.listen(host: configuration.host, port: first.port, backlog: backlog).fd)
            }
        } catch {
            for fd in fds { closeDescriptor(fd) }
            throw error
        }
        return (fds, first.port)
    }
}
