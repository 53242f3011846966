import Logging

/// The behaviour of one HTTP/1.1 connection, without I/O: events in, actions out.
///
/// In the spirit of swift-nio's `EmbeddedChannel`: tests drive it with bytes and read what it would
/// write, with no socket, epoll set or loop. The shell (`HTTPConnection`) owns the descriptor: it
/// reports readiness events, asks `nextAction(at:)` what to do, performs it (recv, send, shutdown,
/// close, calling the handler), reports the outcome, and repeats until `.wait`.
///
/// Requests on a connection are handled one after another (RFC 9112 §9.3.2 allows parallel handling
/// only for safe methods): while a handler has not answered, the connection neither parses nor reads
/// further, and pipelined requests wait in the read buffer or the kernel. That also bounds the memory
/// a client can make us hold. Inline answers to pipelined requests accumulate in the output and go
/// out in one send.
struct HTTPConnectionState {
    enum Action {
        /// Receive into the read buffer: `receive(_:)`.
        case read
        /// Hand the request to the handler; report its answer with `responseArrived(sequence:_:at:)`.
        case dispatch(HTTPRequest, sequence: UInt32)
        /// Send the pending output: `send(_:)`.
        case write
        /// Shut down the sending side: the lingering close has begun (RFC 9112 §9.6).
        case shutdownOutput
        /// Read and throw away input while lingering: `discarded(_:)`.
        case discard
        /// Close the descriptor. Nothing follows.
        case close
        /// Nothing to do until the next event.
        case wait
    }

    /// What a write to a streaming response came to.
    enum StreamWriteOutcome: Equatable {
        case written
        /// More than `maxStreamBacklogBytes` would wait unsent: the client is dropped.
        case dropped
        /// No stream is open (it ended, or the connection is closing): nothing written.
        case ignored
    }

    /// What a timer tick did beyond changing the state.
    enum TickOutcome: Equatable {
        case none
        /// The handler missed the response deadline and was answered 504 in its place.
        case answeredResponseTimeout(requestID: String?)
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

    static let readBufferSize = 16 * 1024
    /// Parsing stops answering pipelined requests once this much output is waiting, and writes first.
    static let outputHighWater = 256 * 1024
    /// Bytes a lingering close reads and throws away before giving up on a polite close.
    static let maxLingerBytes = 1 << 20

    // Stored properties are internal only so that the extensions in HTTPConnectionState+*.swift can
    // reach them; the shell uses the event methods and `nextAction(at:)` alone.
    let context: ServerContext
    private let logger: Logger
    var parser: HTTPParser
    /// Lent by the loop while it holds unparsed bytes (`adoptReadBuffer`); empty otherwise.
    var input: [UInt8] = []
    var inputStart = 0
    var inputEnd = 0
    /// Responses not yet sent, from `outputStart` on. Lent by the loop while it has content.
    var output: [UInt8] = []
    var outputStart = 0
    /// Edge-triggered: the socket may hold unread bytes.
    var readable = false
    /// The socket did not take all output; EPOLLOUT will report room.
    var writeBlocked = false
    /// EPOLLRDHUP: the client shut down its sending side; read until EOF.
    var peerShutdown = false
    var inputClosed = false
    /// Reset, failed I/O, or a timeout that ends the connection without an answer.
    var mustCloseNow = false
    private var inFlight: InFlight?
    private var sequence: UInt32 = 0
    var closeAfterWrite = false
    var lingering = false
    var lingerDiscarded = 0
    /// Bytes reserved from `context.requestBudget`, and how many of them reads have filled since the
    /// last answered request (see `HTTPConnectionState+Budget`).
    var budgetReserved = 0
    var budgetFilled = 0
    /// Bytes wait to be read and the budget had no room for them: the loop resumes the connection
    /// when some is released (`RequestBufferBudget`).
    var starvedForBudget = false
    private(set) var isClosed = false
    var draining = false
    var requestsSeen = 0
    /// Set while a streaming response is open: how its body is delimited.
    var streamFraming: ResponseSerializer.StreamFraming?
    /// The request whose response is (or was) the stream; later writes must name it.
    private(set) var streamSequence: UInt32?
    var phase = Phase.none
    var requestStarted: UInt64 = 0
    /// Monotonic ns after which the current phase times out (`tick`); 0 for none.
    var deadline: UInt64 = 0
    /// Monotonic ns after which `tick` answers the request in flight with 504; 0 when no request is in
    /// flight or no response timeout is configured. Separate from `deadline` because a handler may
    /// still be working while earlier responses wait for the client to read them (.writing).
    var responseDeadline: UInt64 = 0

    /// A freshly accepted connection; its header timeout runs from `time`.
    init(context: ServerContext, parser: HTTPParser, logger: Logger, at time: EventTime) {
        self.context = context
        self.parser = parser
        self.logger = logger
        updatePhase(now: time.monotonic)
    }

    // MARK: - Events

    /// Over the connection limit: answer 503 and close without reading a request.
    mutating func reject(at time: EventTime) {
        let problem = ProblemDetails(status: 503, detail: "The server is at its connection limit; retry shortly.")
        let status = writeClosing(.problem(problem, headers: HTTPHeaders([("Retry-After", "1")])), date: time.date)
        observe(nil, status: status, since: 0, at: time)
    }

    mutating func becameReadable() { readable = true }

    mutating func becameWritable() { writeBlocked = false }

    /// EPOLLRDHUP: the client will send nothing more, but may still read.
    mutating func peerShutDown() { peerShutdown = true }

    /// Reset, or both directions closed: nothing we send can arrive any more.
    mutating func connectionBroken() { mustCloseNow = true }

    /// The server stops: close now if no request is in progress, else after its response.
    mutating func beginDraining() {
        draining = true
        if streamFraming != nil {
            streamEnded()  // streams never end by themselves: the server ends them
        } else if !lingering, phase == .fresh || phase == .idle {
            mustCloseNow = true
        }
    }

    /// A handler's answer. One for a request no longer in flight (answered with 504 meanwhile) is
    /// dropped; returns whether it was written.
    @discardableResult
    mutating func responseArrived(sequence: UInt32, _ response: HTTPResponse, at time: EventTime) -> Bool {
        guard !isClosed, let flight = inFlight, flight.sequence == sequence else { return false }
        inFlight = nil
        responseDeadline = 0
        releaseAnsweredBudget()
        // RFC 9112 §9.6: the connection closes after the response to the request that asked for it.
        let close = !flight.keepAlive || draining || inputClosed || ResponseSerializer.requestsClose(response)
        let framing = ResponseSerializer.Framing(
            isHead: flight.isHead,
            close: close,
            confirmKeepAlive: flight.isHTTP10 && !close
        )
        let status = write(response, framing: framing, date: time.date)
        if close { closeAfterWrite = true }
        observe(flight.request, status: status, since: flight.started, at: time)
        return true
    }

    /// A handler's answer that stays open (`HTTPResponder.startStream`): the head goes out with
    /// `Connection: close` and the body is written by `streamWrite` until `streamEnded`, the client
    /// leaving, or the server draining; then the connection closes. No further request is read from
    /// it (pipelined bytes are discarded). Returns whether the stream is open: not for a request no
    /// longer in flight, nor for HEAD (RFC 9110 §9.3.2: the head only), nor while draining.
    mutating func streamStarted(sequence: UInt32, _ head: HTTPResponse, at time: EventTime) -> Bool {
        guard !isClosed, let flight = inFlight, flight.sequence == sequence else { return false }
        inFlight = nil
        responseDeadline = 0
        releaseAnsweredBudget()
        let framing: ResponseSerializer.StreamFraming = flight.isHTTP10 ? .closeDelimited : .chunked
        let status = write(
            head,
            framing: .init(isHead: flight.isHead, close: true, confirmKeepAlive: false, stream: framing),
            date: time.date
        )
        observe(flight.request, status: status, since: flight.started, at: time)
        streamSequence = sequence
        guard !flight.isHead else {
            closeAfterWrite = true
            return false
        }
        streamFraming = framing
        if !head.body.isEmpty { _ = streamWrite(head.body) }
        if draining || inputClosed { streamEnded() }
        return streamFraming != nil
    }

    /// Appends `bytes` to the open stream's body. A client that has not read what is already waiting
    /// and would be left with more than `maxStreamBacklogBytes` is dropped: a slow reader must cost
    /// bounded memory, and an event stream's reader wants the present, not a backlog.
    mutating func streamWrite(_ bytes: [UInt8]) -> StreamWriteOutcome {
        guard !isClosed, !mustCloseNow, let framing = streamFraming else { return .ignored }
        guard !bytes.isEmpty else { return .written }
        guard pendingOutputCount + bytes.count <= context.maxStreamBacklogBytes else {
            streamFraming = nil
            mustCloseNow = true
            return .dropped
        }
        prepareOutput()
        ResponseSerializer.writeStreamData(bytes, framing: framing, into: &output)
        return .written
    }

    /// Ends the open stream: the last chunk (chunked), then the connection closes once it is sent.
    mutating func streamEnded() {
        guard let framing = streamFraming else { return }
        streamFraming = nil
        if framing == .chunked {
            prepareOutput()
            ResponseSerializer.writeLastChunk(into: &output)
        }
        closeAfterWrite = true
    }

    var isStreaming: Bool { streamFraming != nil }

    /// The server's grace period is over with a request still in flight: it is answered with
    /// `context.shutdownAnswer` in the handler's place, and the connection closes after it (it is
    /// draining). The handler's own answer, if it still comes, is dropped. Returns whether a request
    /// was answered.
    mutating func abandonInFlight(at time: EventTime) -> Bool {
        guard let (sequence, _) = inFlightIdentity else { return false }
        return responseArrived(sequence: sequence, context.shutdownAnswer, at: time)
    }

    var hasRequestInFlight: Bool { inFlight != nil }

    /// The request in flight: its sequence number and (when a response timeout is set) its id.
    var inFlightIdentity: (sequence: UInt32, requestID: String?)? {
        inFlight.map { ($0.sequence, $0.requestID) }
    }

    /// The shell closed the descriptor without asking (server stop, failed registration).
    mutating func markClosed() {
        isClosed = true
        releaseBudget()
    }

    // MARK: - The next step

    /// What the shell should do now. Parses and dispatches as long as the connection can take a
    /// request, asks for reads as long as it needs bytes, then writes, then closes or waits.
    mutating func nextAction(at time: EventTime) -> Action {
        if isClosed { return .wait }
        if mustCloseNow { return close() }
        if lingering { return readable ? .discard : .wait }
        // While streaming, input is read only to notice the client leaving (EOF, reset); what it
        // sends is thrown away, as while lingering.
        if streamFraming != nil, readable { return .discard }
        if let action = processInput(at: time) { return action }
        if pendingOutputCount > 0 { return writeBlocked ? settle(at: time) : .write }
        if closeAfterWrite { return beginClosing(at: time) }
        return settle(at: time)
    }

    /// Parses buffered bytes and asks for more until a request is dispatched or the connection has to
    /// wait (a request in flight, output to write first, or the connection closing).
    private mutating func processInput(at time: EventTime) -> Action? {
        while !closeAfterWrite, inFlight == nil, streamSequence == nil, !writeBlocked,
            pendingOutputCount < Self.outputHighWater
        {
            switch parseBuffered() {
            case .request(let request):
                return dispatch(request, at: time)
            case .continueExpected:
                prepareOutput()
                ResponseSerializer.writeContinue(into: &output)
                continue
            case .failure(let error):
                fail(error, at: time)
                return nil
            case .needMoreData:
                break
            }
            if inputClosed {
                endOfInput(at: time)
                return nil
            }
            return readable && reserveReadBudget() ? .read : nil
        }
        return nil
    }

    private mutating func parseBuffered() -> HTTPParser.Event {
        guard inputStart < inputEnd else { return .needMoreData }
        let (consumed, event) = input.withUnsafeBytes { raw in
            parser.parse(UnsafeRawBufferPointer(rebasing: raw[inputStart..<inputEnd]))
        }
        inputStart += consumed
        return event
    }

    private mutating func dispatch(_ request: HTTPRequest, at time: EventTime) -> Action {
        sequence &+= 1
        requestsSeen += 1
        inFlight = InFlight(
            sequence: sequence,
            isHead: request.method == "HEAD",
            keepAlive: request.keepAlive,
            isHTTP10: request.version.minor == 0,
            started: time.monotonic,
            request: context.observer == nil ? nil : request,
            requestID: context.responseTimeout == nil ? nil : request.requestID
        )
        if let limit = context.responseTimeout {
            responseDeadline = time.monotonic + limit
        }
        phase = .none  // the next request's timeouts start afresh
        return .dispatch(request, sequence: sequence)
    }

    /// EOF with every byte parsed: a half-received request gets a 400 (the client may still read);
    /// otherwise the connection just closes.
    private mutating func endOfInput(at time: EventTime) {
        if parser.stage != .idle {
            fail(.incompleteRequest, at: time)
        } else {
            closeAfterWrite = true
        }
    }

    /// Answers a request the server refused itself with problem+json, then closes: after a framing
    /// error the rest of the byte stream cannot be trusted (RFC 9112 §9.6, §11).
    mutating func fail(_ error: HTTPParseError, at time: EventTime) {
        let partial = context.observer == nil && logger.logLevel > .debug ? nil : parser.partialRequest()
        logger.debug(
            "refusing request",
            metadata: [
                "status": "\(error.status)", "reason": "\(error)", "remote": "\(parser.remoteAddress)",
                "request_id": "\(partial?.requestID ?? "-")", "target": "\(partial?.target ?? "-")",
            ]
        )
        let status = writeClosing(.problem(error.problem), date: time.date)
        observe(partial, status: status, since: requestStarted, at: time)
    }

    /// A request that waited for the request budget until its read timeout: 503 with `Retry-After`,
    /// then close, since the rest of it is still unread (RFC 9112 §9.6).
    mutating func refuseForBudget(at time: EventTime) {
        starvedForBudget = false
        let partial = context.observer == nil ? nil : parser.partialRequest()
        let status = writeClosing(context.requestBudgetAnswer, date: time.date)
        observe(partial, status: status, since: requestStarted, at: time)
    }

    /// The end of a pass: the timeouts of the phase the connection is now in; idle ones close when
    /// the server is draining.
    private mutating func settle(at time: EventTime) -> Action {
        updatePhase(now: time.monotonic)
        if draining, phase == .fresh || phase == .idle {
            return close()
        }
        return .wait
    }

    /// Lingering close (RFC 9112 §9.6): stop sending, then read and discard until the client closes,
    /// so that request bytes we never read do not make the kernel answer with a reset that could
    /// destroy the response before the client has read it.
    private mutating func beginClosing(at time: EventTime) -> Action {
        releaseBudget()  // no more input will be parsed: lingering reads go to the loop's discard buffer
        if inputClosed { return close() }
        lingering = true
        readable = true  // look once: bytes that arrived before the shutdown raise no new event
        phase = .lingering
        deadline = time.monotonic + context.lingerTimeout
        return .shutdownOutput
    }

    private mutating func close() -> Action {
        isClosed = true
        releaseBudget()
        return .close
    }

    // MARK: - Responses

    /// Serializes `response` into the output and returns the status actually written.
    private mutating func write(_ response: HTTPResponse, framing: ResponseSerializer.Framing, date: HTTPDate) -> Int {
        prepareOutput()
        ResponseSerializer.write(response, framing: framing, date: date, into: &output)
        return ResponseSerializer.finalStatus(response.status)
    }

    /// Writes a response of the server's own after which the connection closes.
    private mutating func writeClosing(_ response: HTTPResponse, date: HTTPDate) -> Int {
        closeAfterWrite = true
        return write(response, framing: .init(isHead: false, close: true, confirmKeepAlive: false), date: date)
    }

    /// Reports a written response to the observer, with the time since `start` (monotonic ns).
    private func observe(_ request: HTTPRequest?, status: Int, since start: UInt64, at time: EventTime) {
        guard let observer = context.observer else { return }
        let elapsed = start == 0 || time.monotonic < start ? 0 : time.monotonic - start
        observer(request, status, .nanoseconds(Int64(clamping: elapsed)))
    }
}
