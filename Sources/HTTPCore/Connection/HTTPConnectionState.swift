import Logging

/// The behaviour of one HTTP/1.1 connection, without I/O: events in, actions out.
///
/// In the spirit of swift-nio's `EmbeddedChannel`: tests drive it with bytes and read what it would
/// write, with no socket, epoll set or loop. The shell (`HTTPConnection`) owns the descriptor: it
/// reports readiness events, asks `nextAction(at:)` what to do, performs it (recv, send, shutdown,
/// close, calling the handler), reports the outcome, and repeats until `.wait`.
///
/// Where the connection is in its life is one value, `lifecycle` (see `ConnectionLifecycle.swift`
/// for its states and transitions); beside it only data: the parser, the buffers, what the socket
/// last reported, the share of the request budget, and the timer of the phase it waits in. Events
/// change the lifecycle; `nextAction` turns it into the one thing to do next, in the manner of
/// swift-nio's `HTTPServerPipelineHandler` and swift-kafka-client's state machines.
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
        /// Hand the next piece (or the end) of a streamed request body to the handler: `takeBodyEvent()`.
        /// (The actions carry no more payload than `.dispatch`'s, so that passing one stays cheap.)
        case deliverBody
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
    /// Where the connection is in its life (see `Lifecycle`): the one value `nextAction` switches on.
    var lifecycle = Lifecycle.reading
    /// What the socket last reported.
    var socket = SocketReadiness()
    /// Lent by the loop while it holds unparsed bytes (`adoptReadBuffer`); empty otherwise.
    var input: [UInt8] = []
    var inputStart = 0
    var inputEnd = 0
    /// Responses not yet sent, from `outputStart` on. Lent by the loop while it has content.
    var output: [UInt8] = []
    var outputStart = 0
    /// The connection's share of the request budget (see `HTTPConnectionState+Budget`).
    var budget = BudgetShare()
    /// The body of the request being handled while it is still being read (streamed bodies only).
    var streamedBody: StreamedBody?
    /// Bytes the open stream's writers handed over that have not reached `output` yet (they wait in
    /// the loop's completions): with the unsent output, what the client has yet to read.
    var streamBytesQueued = 0
    /// What `.deliverBody` hands over.
    private var bodyEvent: HTTPRequestBodyEvent?
    /// The server stops: no new request is read once the current one is answered.
    var draining = false
    /// Requests dispatched so far; the latest one's number. 0 before the first.
    private var sequence: UInt32 = 0
    /// The timeout of the phase the connection waits in (see `HTTPConnectionState+Timeouts`).
    var timer = PhaseTimer()

    /// A freshly accepted connection; its header timeout runs from `time`.
    init(context: ServerContext, parser: HTTPParser, logger: Logger, at time: EventTime) {
        self.context = context
        self.parser = parser
        self.logger = logger
        updatePhase(now: time.monotonic)
    }

    var isClosed: Bool {
        if case .closed = lifecycle { return true }
        return false
    }

    // MARK: - Events

    /// Over the connection limit: answer 503 and close without reading a request.
    mutating func reject(at time: EventTime) {
        let problem = ProblemDetails(
            status: .serviceUnavailable,
            detail: "The server is at its connection limit; retry shortly."
        )
        let status = writeClosing(.problem(problem, headers: HTTPHeaders([("Retry-After", "1")])), date: time.date)
        observe(nil, status: status, since: 0, at: time)
    }

    mutating func becameReadable() { socket.readable = true }

    mutating func becameWritable() { socket.writeBlocked = false }

    /// EPOLLRDHUP: the client will send nothing more, but may still read.
    mutating func peerShutDown() { socket.peerShutdown = true }

    /// Reset, or both directions closed: nothing we send can arrive any more.
    mutating func connectionBroken() { closeNow() }

    /// The server stops: close now if no request is in progress, else after its response.
    mutating func beginDraining() {
        draining = true
        switch lifecycle {
        case .streaming:
            streamEnded()  // streams never end by themselves: the server ends them
        case .reading where timer.phase == .fresh || timer.phase == .idle:
            closeNow()
        default:
            break
        }
    }

    /// A handler's answer. One for a request no longer in flight (answered with 504 meanwhile) is
    /// dropped; returns whether it was written.
    @discardableResult
    mutating func responseArrived(sequence: UInt32, _ response: HTTPResponse, at time: EventTime) -> Bool {
        guard let flight = takeInFlight(sequence) else { return false }
        // RFC 9112 §9.6: the connection closes after the response to the request that asked for it;
        // and after a response given before a streamed body ended, whose rest is not read.
        let bodyUnread = streamedBody != nil
        streamedBody = nil
        let close =
            bodyUnread || !flight.keepAlive || draining || socket.inputClosed
            || ResponseSerializer.requestsClose(response)
        let framing = ResponseSerializer.Framing(
            isHead: flight.isHead,
            close: close,
            confirmKeepAlive: flight.isHTTP10 && !close
        )
        let status = write(response, framing: framing, date: time.date)
        lifecycle = close ? .closingAfterWrite : .reading
        observe(flight.request, status: status, since: flight.started, at: time)
        return true
    }

    /// A handler's answer that stays open (`HTTPResponder.startStream`): the head goes out with
    /// `Connection: close` and the body is written by `streamWrite` until `streamEnded`, the client
    /// leaving, or the server draining; then the connection closes. No further request is read from
    /// it (pipelined bytes are discarded). Returns whether the stream is open: not for a request no
    /// longer in flight, nor for HEAD (RFC 9110 §9.3.2: the head only), nor while draining.
    mutating func streamStarted(sequence: UInt32, _ head: HTTPResponse, at time: EventTime) -> Bool {
        guard let flight = takeInFlight(sequence) else { return false }
        let framing: ResponseSerializer.StreamFraming = flight.isHTTP10 ? .closeDelimited : .chunked
        let status = write(
            head,
            framing: .init(isHead: flight.isHead, close: true, confirmKeepAlive: false, stream: framing),
            date: time.date
        )
        observe(flight.request, status: status, since: flight.started, at: time)
        guard !flight.isHead else {
            lifecycle = .closingAfterWrite
            return false
        }
        lifecycle = .streaming(OpenStream(sequence: sequence, framing: framing, answersBody: streamedBody != nil))
        if !head.body.isEmpty { _ = streamWrite(head.body) }
        if draining || socket.inputClosed { streamEnded() }
        return isStreaming
    }

    /// Appends `bytes` to the open stream's body. A client that has not read what is already waiting
    /// and would be left with more than `maxStreamBacklogBytes` is dropped: a slow reader must cost
    /// bounded memory, and an event stream's reader wants the present, not a backlog. A stream that
    /// answers its body gets four times the bound: its body stops being read at `outputHighWater`,
    /// and the results of what was read before still come (the handler bounds how many).
    mutating func streamWrite(_ bytes: [UInt8]) -> StreamWriteOutcome {
        guard case .streaming(let stream) = lifecycle else { return .ignored }
        guard !bytes.isEmpty else { return .written }
        let bound = stream.answersBody ? 4 * context.maxStreamBacklogBytes : context.maxStreamBacklogBytes
        guard pendingOutputCount + bytes.count <= bound else {
            closeNow()
            return .dropped
        }
        prepareOutput()
        ResponseSerializer.writeStreamData(bytes, framing: stream.framing, into: &output)
        return .written
    }

    /// Ends the open stream: the last chunk (chunked), then the connection closes once it is sent.
    mutating func streamEnded() {
        guard case .streaming(let stream) = lifecycle else { return }
        streamedBody = nil
        if stream.framing == .chunked {
            prepareOutput()
            ResponseSerializer.writeLastChunk(into: &output)
        }
        lifecycle = .closingAfterWrite
    }

    var isStreaming: Bool {
        if case .streaming = lifecycle { return true }
        return false
    }

    /// The request whose response is the open stream; later writes must name it.
    var streamSequence: UInt32? {
        if case .streaming(let stream) = lifecycle { return stream.sequence }
        return nil
    }

    /// The server's grace period is over with a request still in flight: it is answered with
    /// `context.shutdownAnswer` in the handler's place, and the connection closes after it (it is
    /// draining). The handler's own answer, if it still comes, is dropped. Returns whether a request
    /// was answered.
    mutating func abandonInFlight(at time: EventTime) -> Bool {
        guard let (sequence, _) = inFlightIdentity else { return false }
        return responseArrived(sequence: sequence, context.shutdownAnswer, at: time)
    }

    var hasRequestInFlight: Bool {
        if case .awaitingResponse = lifecycle { return true }  // no binding: the payload is not copied
        return false
    }

    /// The request in flight: its sequence number and (when a response timeout is set) its id.
    var inFlightIdentity: (sequence: UInt32, requestID: String?)? {
        inFlight.map { ($0.sequence, $0.requestID) }
    }

    private var inFlight: InFlight? {
        if case .awaitingResponse(let flight) = lifecycle { return flight }
        return nil
    }

    /// The request in flight if it is `sequence`; the connection goes on without it (its answer's
    /// bytes are released: the handler is done with them).
    private mutating func takeInFlight(_ sequence: UInt32) -> InFlight? {
        // The request in flight is always the latest dispatched one. Checked without binding the
        // payload, then moved out with `swap`: the request it holds is neither copied nor released here.
        guard case .awaitingResponse = lifecycle, sequence == self.sequence else { return nil }
        var taken = Lifecycle.reading
        swap(&taken, &lifecycle)
        releaseAnsweredBudget()
        guard case .awaitingResponse(let flight) = taken else { return nil }
        return flight
    }

    /// The shell closed the descriptor without asking (server stop, failed registration).
    mutating func markClosed() {
        lifecycle = .closed
        streamedBody = nil
        releaseBudget()
    }

    /// Reset, failed I/O, or a timeout that ends the connection without an answer: close at the next
    /// step.
    mutating func closeNow() {
        guard !isClosed else { return }
        lifecycle = .closingNow
        streamedBody = nil
    }

    // MARK: - Streamed request bodies

    /// Whether a streamed request body is still being read.
    var isReadingBody: Bool { streamedBody != nil }

    /// Whether request `sequence` (just dispatched) has its body streamed (`HTTPRequestBody`).
    func streamsBody(of sequence: UInt32) -> Bool { streamedBody?.sequence == sequence }

    /// The piece (or end) of the streamed body that `.deliverBody` is about.
    mutating func takeBodyEvent() -> HTTPRequestBodyEvent? {
        defer { bodyEvent = nil }
        return bodyEvent
    }

    private mutating func deliver(_ event: HTTPRequestBodyEvent) -> Action {
        bodyEvent = event
        return .deliverBody
    }

    /// The handler stops (`false`) or resumes reading the streamed body of request `sequence`.
    mutating func setBodyReading(_ reading: Bool, sequence: UInt32) {
        guard streamedBody?.sequence == sequence else { return }
        streamedBody?.paused = !reading
    }

    /// The body is over (ended, failed): the request and its response go on without it.
    private mutating func dropBody() {
        streamedBody = nil
    }

    /// Parses the streamed body: its next piece or its end, or a read when the buffer holds neither.
    /// Not while paused, nor while the client does not read the response: a client that stops
    /// reading stops being read.
    private mutating func processBody(_ body: StreamedBody, at time: EventTime) -> Action? {
        let highWater = min(Self.outputHighWater, context.maxStreamBacklogBytes)
        let waiting = pendingOutputCount + streamBytesQueued
        guard !body.paused, !socket.writeBlocked, waiting < highWater else { return nil }
        switch parseBuffered() {
        case .bodyPart(let bytes):
            releaseAnsweredBudget()  // the handler has its own copy
            return deliver(.data(bytes))
        case .bodyEnd:
            dropBody()
            releaseAnsweredBudget()
            return deliver(.end)
        case .failure:
            closeNow()  // the rest of the byte stream cannot be trusted; the response has begun
            return deliver(.failed)
        case .needMoreData, .request, .streamedRequest, .continueExpected:
            break
        }
        if socket.inputClosed {
            dropBody()
            return deliver(.failed)
        }
        return socket.readable && reserveReadBudget() ? .read : nil
    }

    // MARK: - The next step

    /// What the shell should do now. Parses and dispatches as long as the connection can take a
    /// request, asks for reads as long as it needs bytes, then writes, then closes or waits.
    mutating func nextAction(at time: EventTime) -> Action {
        switch lifecycle.kind {
        case .closed:
            return .wait
        case .closingNow:
            return close()
        case .lingering:
            return socket.readable ? .discard : .wait
        case .awaitingResponse where streamedBody != nil, .streaming where streamedBody != nil:
            if let action = processBody(streamedBody!, at: time) { return action }
        case .streaming where socket.readable:
            // Input is read only to notice the client leaving (EOF, reset); what it sends is thrown
            // away, as while lingering.
            return .discard
        case .reading:
            if let action = processInput(at: time) { return action }
        case .awaitingResponse, .streaming, .closingAfterWrite:
            break
        }
        if pendingOutputCount > 0 { return socket.writeBlocked ? settle(at: time) : .write }
        if case .closingAfterWrite = lifecycle { return beginClosing(at: time) }
        return settle(at: time)
    }

    /// Parses buffered bytes and asks for more until a request is dispatched or the connection has to
    /// wait (a request in flight, output to write first, or the connection closing).
    private mutating func processInput(at time: EventTime) -> Action? {
        while case .reading = lifecycle, !socket.writeBlocked, pendingOutputCount < Self.outputHighWater {
            switch parseBuffered() {
            case .request(let request):
                return dispatch(request, at: time)
            case .streamedRequest(let request, let continueExpected):
                if continueExpected {
                    prepareOutput()
                    ResponseSerializer.writeContinue(into: &output)
                }
                return dispatch(request, streamingBody: true, at: time)
            case .bodyPart, .bodyEnd:
                assertionFailure("body events only follow a streamed request")
                return nil
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
            if socket.inputClosed {
                endOfInput(at: time)
                return nil
            }
            return socket.readable && reserveReadBudget() ? .read : nil
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

    private mutating func dispatch(_ request: HTTPRequest, streamingBody: Bool = false, at time: EventTime) -> Action {
        sequence &+= 1
        lifecycle = .awaitingResponse(
            InFlight(
                sequence: sequence,
                isHead: request.method == .head,
                keepAlive: request.keepAlive,
                isHTTP10: request.version.minor == 0,
                started: time.monotonic,
                responseDeadline: context.responseTimeout.map { time.monotonic + $0 },
                request: context.observer == nil ? nil : request,
                requestID: context.responseTimeout == nil ? nil : request.requestID
            )
        )
        if streamingBody { streamedBody = StreamedBody(sequence: sequence) }
        timer.phase = .none  // the next request's timeouts start afresh
        return .dispatch(request, sequence: sequence)
    }

    /// Requests dispatched so far: 0 on a fresh connection.
    var requestsSeen: UInt32 { sequence }

    /// EOF with every byte parsed: a half-received request gets a 400 (the client may still read);
    /// otherwise the connection just closes.
    private mutating func endOfInput(at time: EventTime) {
        if parser.stage != .idle {
            fail(.incompleteRequest, at: time)
        } else {
            lifecycle = .closingAfterWrite
        }
    }

    /// Answers a request the server refused itself with problem+json, then closes: after a framing
    /// error the rest of the byte stream cannot be trusted (RFC 9112 §9.6, §11).
    mutating func fail(_ error: HTTPParseError, at time: EventTime) {
        let partial = context.observer == nil && logger.logLevel > .debug ? nil : parser.partialRequest()
        logger.debug(
            "refusing request",
            metadata: [
                "status": "\(error.status.code)", "reason": "\(error)", "remote": "\(parser.remoteAddress)",
                "request_id": "\(partial?.requestID ?? "-")", "target": "\(partial?.target ?? "-")",
            ]
        )
        let status = writeClosing(.problem(error.problem), date: time.date)
        observe(partial, status: status, since: timer.requestStarted, at: time)
    }

    /// A request that waited for the request budget until its read timeout: 503 with `Retry-After`,
    /// then close, since the rest of it is still unread (RFC 9112 §9.6).
    mutating func refuseForBudget(at time: EventTime) {
        budget.starved = false
        let partial = context.observer == nil ? nil : parser.partialRequest()
        let status = writeClosing(context.requestBudgetAnswer, date: time.date)
        observe(partial, status: status, since: timer.requestStarted, at: time)
    }

    /// The end of a pass: the timeouts of the phase the connection is now in; idle ones close when
    /// the server is draining.
    private mutating func settle(at time: EventTime) -> Action {
        updatePhase(now: time.monotonic)
        if draining, timer.phase == .fresh || timer.phase == .idle {
            return close()
        }
        return .wait
    }

    /// Lingering close (RFC 9112 §9.6): stop sending, then read and discard until the client closes,
    /// so that request bytes we never read do not make the kernel answer with a reset that could
    /// destroy the response before the client has read it.
    private mutating func beginClosing(at time: EventTime) -> Action {
        releaseBudget()  // no more input will be parsed: lingering reads go to the loop's discard buffer
        if socket.inputClosed { return close() }
        lifecycle = .lingering(discarded: 0)
        socket.readable = true  // look once: bytes that arrived before the shutdown raise no new event
        timer.phase = .lingering
        timer.deadline = time.monotonic + context.lingerTimeout
        return .shutdownOutput
    }

    private mutating func close() -> Action {
        lifecycle = .closed
        streamedBody = nil
        releaseBudget()
        return .close
    }

    // MARK: - Responses

    /// Serializes `response` into the output and returns the status actually written.
    private mutating func write(
        _ response: HTTPResponse,
        framing: ResponseSerializer.Framing,
        date: HTTPDate
    ) -> HTTPResponse.Status {
        prepareOutput()
        ResponseSerializer.write(response, framing: framing, date: date, into: &output)
        return ResponseSerializer.finalStatus(response.status)
    }

    /// Writes a response of the server's own after which the connection closes.
    private mutating func writeClosing(_ response: HTTPResponse, date: HTTPDate) -> HTTPResponse.Status {
        lifecycle = .closingAfterWrite
        return write(response, framing: .init(isHead: false, close: true, confirmKeepAlive: false), date: date)
    }

    /// Reports a written response to the observer, with the time since `start` (monotonic ns).
    private func observe(_ request: HTTPRequest?, status: HTTPResponse.Status, since start: UInt64, at time: EventTime)
    {
        guard let observer = context.observer else { return }
        let elapsed = start == 0 || time.monotonic < start ? 0 : time.monotonic - start
        observer(request, status, .nanoseconds(Int64(clamping: elapsed)))
    }
}
