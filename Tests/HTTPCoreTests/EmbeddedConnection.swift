import Logging

@testable import HTTPCore

/// Drives an `HTTPConnectionState` the way `HTTPConnection` does, with bytes instead of a socket (in
/// the spirit of swift-nio's `EmbeddedChannel`): the client's bytes go in, what the server would send
/// comes out, and the time moves only when a test says so.
struct EmbeddedConnection {
    /// What the handler does with a request: answer inline, or nil to leave it pending.
    typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse?

    private(set) var state: HTTPConnectionState
    private let handler: Handler
    /// Monotonic nanoseconds; starts at one second so that 0 keeps meaning "no deadline".
    private(set) var now: UInt64 = 1_000_000_000
    private let socket = FakeSocket()
    /// Requests dispatched to the handler and not answered inline, oldest first.
    private(set) var pending: [(sequence: UInt32, request: HTTPRequest)] = []
    private(set) var dispatched: [String] = []
    private(set) var writeCalls = 0
    private(set) var outputShutDown = false
    private(set) var isClosed = false
    /// What a streamed request body delivered (`HTTPServerConfiguration.streamsRequestBody`).
    private(set) var bodyEvents: [HTTPRequestBodyEvent] = []

    init(
        configure: (inout HTTPServerConfiguration) -> Void = { _ in },
        observer: ServerContext.Observer? = nil,
        handler: @escaping Handler = Self.echo
    ) {
        var configuration = HTTPServerConfiguration()
        configure(&configuration)
        let context = ServerContext(configuration: configuration, logger: testLogger, observer: observer) { _, _ in }
        let parser = HTTPParser(limits: context.limits, remoteAddress: "192.0.2.7:4321")
        self.handler = handler
        state = HTTPConnectionState(
            context: context,
            parser: parser,
            logger: testLogger,
            at: EventTime(monotonic: now, date: Self.date)
        )
    }

    static let date = HTTPDate(Array("Mon, 30 Nov 2026 12:00:00 GMT".utf8))

    /// Answers with the method and path it received.
    static let echo: Handler = { request in .text(200, "\(request.method) \(request.path)") }

    /// Leaves every request pending.
    static let never: Handler = { _ in nil }

    /// Leaves the request for /a pending and echoes the others.
    static let holdingA: Handler = { request in request.path == "/a" ? nil : echo(request) }

    private var time: EventTime { EventTime(monotonic: now, date: Self.date) }

    // MARK: - The client's side

    /// The client sends `text`; the server reads and answers what it can.
    mutating func send(_ text: String) {
        socket.inbound.append(contentsOf: text.utf8)
        state.becameReadable()
        run()
    }

    /// The client's bytes reach the socket while the loop is busy elsewhere: no event is handled
    /// yet (the shell finds them when it looks, e.g. on a timeout).
    mutating func sendUnnoticed(_ text: String) {
        socket.inbound.append(contentsOf: text.utf8)
    }

    /// The client shuts down its sending side (EPOLLRDHUP, then EOF on read).
    mutating func shutDownInput() {
        socket.clientShutDown = true
        state.peerShutDown()
        state.becameReadable()
        run()
    }

    /// The client makes room for `bytes` more of the server's output (EPOLLOUT).
    mutating func read(room bytes: Int?) {
        socket.room = bytes
        state.becameWritable()
        run()
    }

    /// How many more bytes the client's receive window takes; nil for unlimited.
    var socketRoom: Int? {
        get { socket.room }
        nonmutating set { socket.room = newValue }
    }

    func takeOutput() -> String {
        defer { socket.outbound = [] }
        return String(decoding: socket.outbound, as: UTF8.self)
    }

    /// The responses sent so far, parsed (bodies by Content-Length; `headRequests` have none).
    func takeResponses(headRequests: Int = 0) -> [ParsedResponse] {
        ParsedResponse.parseAll(takeOutput(), headRequests: headRequests)
    }

    // MARK: - The handler's and the loop's side

    /// The handler answers the oldest pending request (possibly long after the deadline).
    mutating func answerPending(with response: HTTPResponse? = nil) {
        let (sequence, request) = pending.removeFirst()
        answer(sequence: sequence, with: response ?? Self.echo(request)!)
    }

    mutating func answer(sequence: UInt32, with response: HTTPResponse) {
        state.responseArrived(sequence: sequence, response, at: time)
        run()
    }

    /// The handler answers the oldest pending request with a response that stays open; returns
    /// whether the stream is open (as `HTTPConnection` decides whether to keep the lease).
    @discardableResult
    mutating func startStream(_ head: HTTPResponse = .text(200, "", contentType: "text/event-stream")) -> Bool {
        let (sequence, _) = pending.removeFirst()
        let open = state.streamStarted(sequence: sequence, head, at: time)
        run()
        return open
    }

    /// The app writes to the open stream (from its thread, delivered by the loop).
    @discardableResult
    mutating func streamWrite(_ text: String) -> HTTPConnectionState.StreamWriteOutcome {
        let outcome = state.streamWrite(Array(text.utf8))
        run()
        return outcome
    }

    mutating func streamEnd() {
        state.streamEnded()
        run()
    }

    /// Time passes; the loop's sweep ticks the connection if a deadline passed.
    @discardableResult
    mutating func advance(by duration: Duration) -> HTTPConnectionState.TickOutcome {
        now += duration.clampedNanoseconds
        guard state.isDue(at: now) else { return .none }
        if !socket.inbound.isEmpty || socket.clientShutDown { state.becameReadable() }  // the shell's peek
        let outcome = state.tick(at: time)
        run()
        return outcome
    }

    /// The loop accepted this connection over the connection limit.
    mutating func reject() {
        state.reject(at: time)
        run()
    }

    mutating func drain() {
        state.beginDraining()
        run()
    }

    /// The server's grace period ended; returns whether a request in flight was answered 503.
    mutating func abandonInFlight() -> Bool {
        let answered = state.abandonInFlight(at: time)
        run()
        return answered
    }

    // MARK: - Performing actions, as the shell does

    private mutating func run() {
        while !isClosed {
            switch state.nextAction(at: time) {
            case .read: state.receive { socket.receive(into: $0) }
            case .dispatch(let request, let sequence): dispatch(request, sequence: sequence)
            case .deliverBody: if let event = state.takeBodyEvent() { bodyEvents.append(event) }
            case .write: write()
            case .shutdownOutput: outputShutDown = true
            case .discard: state.discarded(socket.receive(into: nil))
            case .close: isClosed = true
            case .wait: return
            }
        }
    }

    private mutating func dispatch(_ request: HTTPRequest, sequence: UInt32) {
        dispatched.append(request.path)
        if let response = handler(request) {
            state.responseArrived(sequence: sequence, response, at: time)
        } else {
            pending.append((sequence, request))
        }
    }

    private mutating func write() {
        writeCalls += 1
        state.send { socket.send($0) }
    }
}

/// The socket's far end: what the client sent and has not been read, what the server sent.
private final class FakeSocket {
    var inbound: [UInt8] = []
    var clientShutDown = false
    var outbound: [UInt8] = []
    var room: Int?

    /// Moves client bytes into `buffer` (or throws them away when nil), like recv(2).
    func receive(into buffer: UnsafeMutableRawBufferPointer?) -> IOOutcome {
        if inbound.isEmpty { return clientShutDown ? .endOfInput : .wouldBlock }
        let count = min(inbound.count, buffer?.count ?? inbound.count)
        if let buffer {
            inbound.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: count) }
        }
        inbound.removeFirst(count)
        return .transferred(count)
    }

    /// Takes what fits in the receive window, like send(2) on a non-blocking socket.
    func send(_ bytes: UnsafeRawBufferPointer) -> IOOutcome {
        let count = min(bytes.count, room ?? bytes.count)
        guard count > 0 else { return .wouldBlock }
        outbound.append(contentsOf: bytes.prefix(count))
        room = room.map { $0 - count }
        return .transferred(count)
    }
}

/// A response as written on the wire, parsed just enough for the tests.
struct ParsedResponse {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: String

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Splits `text` into responses; the first `headRequests` non-1xx responses carry no body.
    static func parseAll(_ text: String, headRequests: Int = 0) -> [ParsedResponse] {
        var rest = Substring(text)
        var heads = headRequests
        var responses: [ParsedResponse] = []
        while let end = rest.range(of: "\r\n\r\n") {
            let lines = rest[..<end.lowerBound].components(separatedBy: "\r\n")
            let status = Int(lines[0].split(separator: " ")[1]) ?? 0
            let headers = lines.dropFirst().map { line in
                let colon = line.firstIndex(of: ":")!
                return (String(line[..<colon]), String(line[line.index(after: colon)...].dropFirst()))
            }
            var response = ParsedResponse(status: status, headers: headers, body: "")
            rest = rest[end.upperBound...]
            let bodyless = status < 200 || status == 204 || status == 304 || heads > 0
            if status >= 200, heads > 0 { heads -= 1 }
            if !bodyless, let length = Int(response.header("Content-Length") ?? "") {
                response.body = String(rest.utf8.prefix(length))!
                rest = Substring(rest.utf8.dropFirst(length))
            }
            responses.append(response)
        }
        return responses
    }
}
