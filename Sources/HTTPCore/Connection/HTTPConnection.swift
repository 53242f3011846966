import CEpoll
import CoreSupport

#if canImport(Glibc)
import Glibc
#endif

/// The I/O shell around one connection's `HTTPConnectionState`: owns the descriptor, turns epoll
/// events into state events, performs the actions the state asks for (recv, send, shutdown, close),
/// and calls the handler. Everything the connection decides lives in the state.
///
/// Owned by its `EventLoop` and touched only on that loop's thread, so it needs no locks.
final class HTTPConnection {
    let fd: Int32
    let generation: UInt32
    /// The loop owns this connection (in its fd table) and outlives it.
    private unowned(unsafe) let loop: EventLoop
    private(set) var state: HTTPConnectionState
    /// The place of the streaming response this connection serves, given back when it closes.
    private var streamLease: StreamLease?
    /// The streamed body of the request being handled, until it ended or failed.
    private var requestBody: HTTPRequestBody?
    /// In the loop's list of connections waiting for request budget.
    private var queuedForBudget = false

    init(fd: Int32, generation: UInt32, loop: EventLoop, state: HTTPConnectionState) {
        self.fd = fd
        self.generation = generation
        self.loop = loop
        self.state = state
    }

    var isClosed: Bool { state.isClosed }

    // MARK: - Events (all on the loop thread)

    /// Over the connection limit: answer 503 and close without reading a request.
    func reject() {
        borrowOutput()
        state.reject(at: loop.time)
        drive()
    }

    func handle(events: UInt32) {
        guard !state.isClosed else { return }
        borrowOutput()
        if events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 {
            state.connectionBroken()
        } else {
            if events & EPOLLRDHUP.rawValue != 0 { state.peerShutDown() }
            if events & EPOLLIN.rawValue != 0 { state.becameReadable() }
            if events & EPOLLOUT.rawValue != 0 { state.becameWritable() }
        }
        drive()
    }

    /// A completion that arrived through the loop's completion queue (or inline, from `dispatch`).
    func resume(sequence: UInt32, _ completion: Completion) {
        guard !state.isClosed else {
            if case .streamStart(_, let lease) = completion { lease.end() }
            return
        }
        borrowOutput()
        apply(completion, sequence: sequence)
        drive()
    }

    private func apply(_ completion: Completion, sequence: UInt32) {
        switch completion {
        case .response(let response):
            // A fresh clock reading: the observer's duration runs to the moment the answer is written.
            state.responseArrived(sequence: sequence, response, at: loop.freshTime)
        case .streamStart(let head, let lease):
            if state.streamStarted(sequence: sequence, head, at: loop.freshTime) {
                streamLease = lease
            } else {
                lease.end()
            }
        case .streamData(let bytes):
            guard state.streamSequence == sequence else { return }
            streamLease?.applied(bytes.count)
            if state.streamWrite(bytes) == .dropped {
                loop.noteStreamDropped(remote: state.parser.remoteAddress)
            }
        case .streamEnd:
            guard state.streamSequence == sequence else { return }
            state.streamEnded()
        case .bodyReading(let reading):
            state.setBodyReading(reading, sequence: sequence)
        }
    }

    /// The handler paused its streamed body from the loop's own thread (while handling a piece of
    /// it): takes effect at once, so that no further piece is read in this pass.
    func pauseBody(sequence: UInt32) {
        state.setBodyReading(false, sequence: sequence)
    }

    /// The request budget has room again (the loop's list of starved connections): try reading.
    func resumeReading() {
        queuedForBudget = false
        guard !state.isClosed else { return }
        borrowOutput()
        drive()
    }

    /// The loop's sweep found one of this connection's deadlines passed.
    func tick() {
        guard !state.isClosed else { return }
        borrowOutput()
        // Only connections with a passed deadline get here: one peek each, to tell a quiet
        // connection from one whose request waits unread (see `phaseTimedOut`).
        if POSIXSocket.hasInput(fd) { state.becameReadable() }
        if case .answeredResponseTimeout(let requestID) = state.tick(at: loop.time) {
            loop.noteResponseTimeout(requestID: requestID)
        }
        drive()
    }

    /// The loop stopped accepting: close now if no request is in progress, else after its response.
    func drain() {
        guard !state.isClosed else { return }
        borrowOutput()
        state.beginDraining()
        drive()
    }

    /// The grace period is over: a request still in flight is answered 503 and its response
    /// handed to the socket before the loop closes everything. Returns whether one was.
    func abandonInFlight() -> Bool {
        guard !state.isClosed else { return false }
        borrowOutput()
        let answered = state.abandonInFlight(at: loop.freshTime)
        drive()
        return answered
    }

    /// Closes at once, whatever the state (the loop is stopping, or could not register the socket).
    func close() {
        guard !state.isClosed else { return }
        state.markClosed()
        closeSocket()
    }

    // MARK: - Performing actions

    private func drive() {
        while true {
            if let streamLease { state.streamBytesQueued = streamLease.queuedBytes }
            switch state.nextAction(at: loop.time) {
            case .read:
                read()
            case .dispatch(let request, let sequence):
                dispatch(request, sequence: sequence, streamingBody: state.streamsBody(of: sequence))
            case .deliverBody:
                guard let event = state.takeBodyEvent() else { continue }
                let body = requestBody
                if case .data = event {} else { requestBody = nil }
                body?.deliver(event)
            case .write:
                state.send { POSIXSocket.send(fd, $0) }
            case .shutdownOutput:
                shutdown(fd, Int32(SHUT_WR))
            case .discard:
                state.discarded(loop.buffers.discard.withUnsafeMutableBytes { POSIXSocket.receive(fd, into: $0) })
            case .close:
                closeSocket()
                return
            case .wait:
                if requestBody != nil, !state.isReadingBody { failRequestBody() }
                returnBuffers()
                if state.starvedForBudget, !queuedForBudget {
                    queuedForBudget = true
                    loop.awaitBudget(self)
                }
                return
            }
        }
    }

    private func read() {
        if state.needsReadBuffer {
            state.adoptReadBuffer(loop.buffers.borrowReadBuffer())
        }
        state.receive { POSIXSocket.receive(fd, into: $0) }
    }

    private func dispatch(_ request: HTTPRequest, sequence: UInt32, streamingBody: Bool = false) {
        let token = ResponseToken(fd: fd, generation: generation, sequence: sequence)
        let responder = HTTPResponder(loop: loop, token: token, requestID: request.requestID)
        loop.beginDispatch(token)
        if streamingBody {
            let body = HTTPRequestBody(loop: loop, token: token)
            requestBody = body
            var request = request  // copied only here: a plain request goes to the handler as it is
            request.bodyStream = body
            loop.context.handler(request, responder)
        } else {
            loop.context.handler(request, responder)
        }
        if let completion = loop.endDispatch() {
            apply(completion, sequence: sequence)
        }
    }

    // MARK: - Buffers and closing

    private func borrowOutput() {
        state.borrowOutputBuffer(from: &loop.buffers.scratch)
    }

    private func returnBuffers() {
        if let buffer = state.takeIdleReadBuffer() {
            loop.buffers.returnReadBuffer(buffer)
        }
        state.returnOutputBuffer(to: &loop.buffers.scratch)
        loop.buffers.releaseScratchIfLarge()
    }

    /// The response ended or the connection closes before the streamed body did.
    private func failRequestBody() {
        let body = requestBody
        requestBody = nil
        body?.deliver(.failed)
    }

    private func closeSocket() {
        streamLease?.end()
        streamLease = nil
        failRequestBody()
        returnBuffers()
        Glibc.close(fd)
        loop.remove(self)
    }
}
