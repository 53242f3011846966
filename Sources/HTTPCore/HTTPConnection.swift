import CEpoll
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// One client connection: reads, parses, dispatches one request at a time, writes responses in order.
///
/// Owned by its `EventLoop` and touched only on that loop's thread, so it needs no locks.
///
/// Requests on a connection are handled one after another (RFC 9112 §9.3.2 allows parallel handling
/// only for safe methods): while a handler has not answered, the connection neither parses nor reads
/// further, and pipelined requests wait in the read buffer or the kernel. That also bounds the memory
/// a client can make us hold. Inline answers to pipelined requests accumulate in the loop's output
/// buffer and go out in one send at the end of the pass.
final class HTTPConnection {
    /// What the connection is waiting for; selects the timeout that applies.
    private enum Phase {
        case none
        case fresh  // accepted, no byte yet
        case idle  // keep-alive, between requests
        case head  // header section incomplete
        case body  // body incomplete
        case handler  // handler has not answered; its deadline is `responseDeadline`, not `deadline`
        case writing  // client is not reading our output
        case lingering  // closing: output shut down, discarding input
    }

    /// The request being handled, reduced to what writing and observing its response need.
    private struct InFlight {
        let sequence: UInt32
        let isHead: Bool
        let keepAlive: Bool
        let isHTTP10: Bool
        let started: UInt64
        /// Kept only when there is an observer to hand it to.
        let request: HTTPRequest?
        /// Kept only when a response timeout may need to log it.
        let requestID: String?
    }

    /// Bytes a lingering close reads and throws away before giving up on a polite close.
    private static let maxLingerBytes = 1 << 20

    let fd: Int32
    let generation: UInt32
    /// The loop owns this connection (in its fd table) and outlives it.
    private unowned(unsafe) let loop: EventLoop
    private var parser: HTTPParser
    /// Borrowed from the loop while it holds unparsed bytes; empty otherwise.
    private var input: [UInt8] = []
    private var inputStart = 0
    private var inputEnd = 0
    /// Output the socket did not accept yet (EAGAIN); written when EPOLLOUT reports room.
    private var outbound: [UInt8] = []
    private var outboundOffset = 0
    /// Edge-triggered: the socket may hold unread bytes.
    private var readable = false
    /// EPOLLRDHUP: the client shut down its sending side; read until EOF.
    private var peerShutdown = false
    private var inputClosed = false
    private var inFlight: InFlight?
    private var sequence: UInt32 = 0
    private var closeAfterWrite = false
    private var lingering = false
    private var lingerDiscarded = 0
    private(set) var isClosed = false
    private var requestsSeen = 0
    private var phase = Phase.none
    private var requestStarted: UInt64 = 0
    /// Monotonic ns after which `timeout()` applies; 0 for none.
    private(set) var deadline: UInt64 = 0
    /// Monotonic ns after which `responseTimedOut()` answers the request in flight with 504; 0 when no
    /// request is in flight or no response timeout is configured. Separate from `deadline` because a
    /// handler may still be working while earlier responses wait for the client to read them (.writing).
    private(set) var responseDeadline: UInt64 = 0

    init(fd: Int32, generation: UInt32, loop: EventLoop, parser: HTTPParser) {
        self.fd = fd
        self.generation = generation
        self.loop = loop
        self.parser = parser
    }

    // MARK: - Entry points (all on the loop thread)

    func start() {
        updatePhase()
    }

    /// Over the connection limit: answer 503 and close without reading a request.
    func reject() {
        let problem = ProblemDetails(status: 503, detail: "The server is at its connection limit; retry shortly.")
        let status = loop.write(
            .problem(problem, headers: HTTPHeaders([("Retry-After", "1")])),
            framing: .init(isHead: false, close: true, confirmKeepAlive: false))
        closeAfterWrite = true
        loop.observe(nil, status: status, since: 0)
        flush()
        finishPass()
    }

    func handle(events: UInt32) {
        guard !isClosed else { return }
        if events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 {
            // Reset, or both directions closed: nothing we send can arrive any more.
            close()
            return
        }
        if events & EPOLLRDHUP.rawValue != 0 { peerShutdown = true }
        if events & EPOLLIN.rawValue != 0 { readable = true }
        if lingering {
            discardInput()
            return
        }
        run()
    }

    /// A response that arrived through the loop's completion queue. One for a request that is no
    /// longer in flight (answered with 504 meanwhile) is dropped.
    func resume(sequence: UInt32, response: HTTPResponse) {
        guard !isClosed, complete(sequence: sequence, response: response) else { return }
        run()
    }

    /// The handler missed `responseTimeout`: answer 504 in its place (RFC 9110 §15.6.5) and go on with
    /// the connection. The handler's responder stays unaware; its answer, if one still comes, carries a
    /// sequence number that is no longer in flight and is dropped by `resume`.
    func responseTimedOut() {
        guard !isClosed, let flight = inFlight else { return }
        loop.noteResponseTimeout(requestID: flight.requestID)
        complete(sequence: flight.sequence, response: loop.context.responseTimeoutAnswer)
        run()
    }

    func timeout() {
        guard !isClosed else { return }
        switch phase {
        case .head:
            fail(.headerTimeout)
            flush()
            finishPass()
        case .body:
            fail(.bodyTimeout)
            flush()
            finishPass()
        case .fresh, .idle, .writing, .lingering, .handler, .none:
            close()
        }
    }

    /// The loop stopped accepting: close now if no request is in progress, else after its response.
    func drain() {
        guard !isClosed, !lingering else { return }
        if phase == .fresh || phase == .idle {
            close()
        }
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        releaseInput()
        outbound = []
        Glibc.close(fd)
        loop.remove(self)
    }

    // MARK: - The pass

    /// Writes pending output, then parses and dispatches as long as the connection can make progress.
    private func run() {
        guard !isClosed else { return }
        flush()
        while !isClosed, outbound.isEmpty, !closeAfterWrite, inFlight == nil {
            let stoppedForOutput = processInput()
            flush()
            if !stoppedForOutput { break }
        }
        finishPass()
    }

    /// Parses buffered bytes and reads more until it needs to wait. Returns true if it stopped only
    /// because enough output piled up to be worth writing first.
    private func processInput() -> Bool {
        while !isClosed, !closeAfterWrite, inFlight == nil {
            if loop.scratch.count >= EventLoop.outputHighWater { return true }
            if inputStart < inputEnd {
                let (consumed, event) = input.withUnsafeBytes { raw in
                    parser.parse(UnsafeRawBufferPointer(rebasing: raw[inputStart..<inputEnd]))
                }
                inputStart += consumed
                switch event {
                case .request(let request):
                    dispatch(request)
                    continue
                case .continueExpected:
                    ResponseSerializer.writeContinue(into: &loop.scratch)
                    continue
                case .failure(let error):
                    fail(error)
                    return false
                case .needMoreData:
                    break
                }
            }
            if inputClosed {
                // EOF: a half-received request gets a 400 (the client may still read); else just close.
                if parser.stage != .idle {
                    fail(.incompleteRequest)
                } else {
                    closeAfterWrite = true
                }
                return false
            }
            guard readable, readMore() else { return false }
        }
        return false
    }

    private func finishPass() {
        guard !isClosed else { return }
        if closeAfterWrite {
            releaseInput()  // nothing more will be parsed
            if outbound.isEmpty {
                beginClosing()
                return
            }
        } else if inputStart == inputEnd {
            releaseInput()
        }
        updatePhase()
        if loop.draining, phase == .fresh || phase == .idle {
            close()
        }
    }

    // MARK: - Requests and responses

    private func dispatch(_ request: HTTPRequest) {
        sequence &+= 1
        requestsSeen += 1
        let token = ResponseToken(fd: fd, generation: generation, sequence: sequence)
        inFlight = InFlight(
            sequence: sequence, isHead: request.method == "HEAD", keepAlive: request.keepAlive,
            isHTTP10: request.version.minor == 0, started: loop.now,
            request: loop.context.observer == nil ? nil : request,
            requestID: loop.context.responseTimeout == nil ? nil : request.requestID)
        if let limit = loop.context.responseTimeout {
            responseDeadline = loop.now + limit
        }
        phase = .none  // the next request's timeouts start afresh
        let responder = HTTPResponder(loop: loop, token: token, requestID: request.requestID)
        loop.beginDispatch(token)
        loop.context.handler(request, responder)
        if let response = loop.endDispatch() {
            complete(sequence: token.sequence, response: response)
        }
    }

    /// Writes the response to the request in flight; false (and nothing written) if `sequence` is not it.
    @discardableResult
    private func complete(sequence: UInt32, response: HTTPResponse) -> Bool {
        guard let flight = inFlight, flight.sequence == sequence else { return false }
        inFlight = nil
        responseDeadline = 0
        let close = !flight.keepAlive || loop.draining || inputClosed || ResponseSerializer.requestsClose(response)
        let status = loop.write(
            response, framing: .init(isHead: flight.isHead, close: close, confirmKeepAlive: flight.isHTTP10 && !close))
        if close { closeAfterWrite = true }
        loop.observe(flight.request, status: status, since: flight.started)
        return true
    }

    /// Answers a request the server refused itself with problem+json, then closes: after a framing
    /// error the rest of the byte stream cannot be trusted (RFC 9112 §9.6, §11).
    private func fail(_ error: HTTPParseError) {
        let partial = loop.context.observer == nil && loop.logger.logLevel > .debug ? nil : parser.partialRequest()
        loop.logger.debug(
            "refusing request",
            metadata: [
                "status": "\(error.status)", "reason": "\(error)", "remote": "\(parser.remoteAddress)",
                "request-id": "\(partial?.requestID ?? "-")", "target": "\(partial?.target ?? "-")",
            ])
        let status = loop.write(
            .problem(error.problem), framing: .init(isHead: false, close: true, confirmKeepAlive: false))
        closeAfterWrite = true
        loop.observe(partial, status: status, since: requestStarted)
    }

    // MARK: - Reading

    /// Reads once into the input buffer. Returns true when bytes or EOF arrived.
    private func readMore() -> Bool {
        prepareInputSpace()
        let space = input.count - inputEnd
        let count = input.withUnsafeMutableBytes { raw in
            recv(fd, raw.baseAddress! + inputEnd, space, 0)
        }
        if count > 0 {
            inputEnd += count
            // Edge-triggered: a short read emptied the socket, and new data will raise a new event.
            // After EPOLLRDHUP keep reading until recv reports the EOF itself.
            if count < space, !peerShutdown { readable = false }
            return true
        }
        if count == 0 {
            inputClosed = true
            readable = false
            return true
        }
        switch errno {
        case EAGAIN, EWOULDBLOCK:
            readable = false
            return false
        case EINTR:
            return true
        default:
            close()
            return false
        }
    }

    /// Makes room after `inputEnd`: borrow a buffer, reuse it from the start, compact, or (when one
    /// incomplete line fills it) grow it. The parser's limits bound the growth.
    private func prepareInputSpace() {
        if input.isEmpty {
            input = loop.borrowBuffer()
            inputStart = 0
            inputEnd = 0
            return
        }
        if inputStart == inputEnd {
            inputStart = 0
            inputEnd = 0
        }
        guard input.count - inputEnd < 2048 else { return }
        if inputStart > 0 {
            let unread = inputEnd - inputStart
            input.withUnsafeMutableBytes { raw in
                raw.baseAddress!.copyMemory(from: raw.baseAddress! + inputStart, byteCount: unread)
            }
            inputStart = 0
            inputEnd = unread
        }
        if input.count - inputEnd < 2048 {
            input.append(contentsOf: repeatElement(0, count: input.count))
        }
    }

    private func releaseInput() {
        guard !input.isEmpty else { return }
        loop.returnBuffer(input)
        input = []
        inputStart = 0
        inputEnd = 0
    }

    // MARK: - Writing

    /// Moves the pass's output to the socket; what the socket does not take waits in `outbound`.
    private func flush() {
        guard !isClosed else {
            // Never touch a closed descriptor: another thread may already have been given its number.
            loop.scratch.removeAll(keepingCapacity: true)
            return
        }
        var failed = false
        if !loop.scratch.isEmpty {
            if outbound.isEmpty {
                let (sent, error) = loop.scratch.withUnsafeBytes { transmit($0) }
                failed = error
                if !failed, sent < loop.scratch.count {
                    outbound = Array(loop.scratch[sent...])
                    outboundOffset = 0
                }
            } else {
                if outboundOffset > 0 {
                    outbound.removeFirst(outboundOffset)
                    outboundOffset = 0
                }
                outbound.append(contentsOf: loop.scratch)
            }
            loop.scratch.removeAll(keepingCapacity: true)
            loop.releaseScratchIfLarge()
        }
        if !failed, !outbound.isEmpty {
            let (sent, error) = outbound.withUnsafeBytes {
                transmit(UnsafeRawBufferPointer(rebasing: $0[outboundOffset...]))
            }
            failed = error
            outboundOffset += sent
            if outboundOffset == outbound.count {
                outbound = []
                outboundOffset = 0
            }
        }
        if failed { close() }  // outside the buffer accesses above: close() releases the buffers
    }

    /// send(2) until done or EAGAIN; MSG_NOSIGNAL turns a vanished peer into EPIPE instead of SIGPIPE.
    /// `failed` means the connection is broken and must be closed.
    private func transmit(_ bytes: UnsafeRawBufferPointer) -> (sent: Int, failed: Bool) {
        var sent = 0
        while sent < bytes.count {
            let count = send(fd, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            if count > 0 {
                sent += count
            } else if count < 0, errno == EINTR {
                continue
            } else if count < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                break
            } else {
                return (sent, true)
            }
        }
        return (sent, false)
    }

    // MARK: - Closing

    /// Lingering close (RFC 9112 §9.6): stop sending, then read and discard until the client closes,
    /// so that request bytes we never read do not make the kernel answer with a reset that could
    /// destroy the response before the client has read it.
    private func beginClosing() {
        if inputClosed {
            close()
            return
        }
        shutdown(fd, Int32(SHUT_WR))
        lingering = true
        releaseInput()
        phase = .lingering
        deadline = loop.now + loop.context.lingerTimeout
        discardInput()
    }

    private func discardInput() {
        while !isClosed {
            let count = loop.discard.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if count > 0 {
                lingerDiscarded += count
                if lingerDiscarded > Self.maxLingerBytes { close() }
            } else if count < 0, errno == EINTR {
                continue
            } else if count < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                return
            } else {
                close()  // EOF or error
            }
        }
    }

    // MARK: - Timeouts

    private func updatePhase() {
        guard !lingering else { return }
        let next: Phase
        if !outbound.isEmpty {
            next = .writing
        } else if inFlight != nil {
            next = .handler
        } else {
            switch parser.stage {
            case .head: next = .head
            case .body: next = .body
            case .idle: next = requestsSeen == 0 ? .fresh : .idle
            }
        }
        guard next != phase else { return }
        if next == .head || (next == .body && phase != .head) {
            requestStarted = loop.now
        }
        phase = next
        deadline = timeoutLength(next).map { loop.now + $0 } ?? 0
    }

    private func timeoutLength(_ phase: Phase) -> UInt64? {
        let context = loop.context
        switch phase {
        case .fresh, .head: return context.headerReadTimeout
        case .idle, .writing: return context.idleTimeout
        case .body: return context.bodyReadTimeout
        case .lingering: return context.lingerTimeout
        case .handler, .none: return nil
        }
    }
}
