import Synchronization

/// Called on the connection's event-loop thread; must not block. May respond inline or later from
/// any thread.
public typealias HTTPHandler = @Sendable (HTTPRequest, HTTPResponder) -> Void

/// Completes one request exactly once, from any thread. Extra calls are ignored.
///
/// Called on the loop thread while the handler runs, the response is taken straight from a slot on the
/// loop (no lock, no wake-up). From anywhere else it goes through the loop's locked queue and eventfd.
/// A responder released without responding answers 500, so a buggy handler cannot wedge a connection.
/// When `HTTPServerConfiguration.responseTimeout` passed first, the server has already answered 504:
/// a later `respond` (or the 500 of a released responder) is then dropped by the owning loop.
public final class HTTPResponder: Sendable {
    /// Where the response goes: the connection's loop, or a callback.
    private enum Destination: Sendable {
        case loop(EventLoop, ResponseToken)
        case callback(@Sendable (HTTPResponse) -> Void, streamed: (@Sendable ([UInt8]) -> Void)?)
    }

    /// The request's id, for log lines written while completing it.
    public let requestID: String
    private let destination: Destination
    private let responded = Atomic<Bool>(false)

    init(loop: EventLoop, token: ResponseToken, requestID: String) {
        destination = .loop(loop, token)
        self.requestID = requestID
    }

    /// A responder that hands the response to `callback` (on the responding thread): a handler that
    /// wraps another's responder to see its answer, or handlers driven in process without a server
    /// (HTTPCoreTesting's `HTTPTestClient`).
    /// A stream started on it (`startStream`) hands its head to `callback` and each write to `streamed`.
    public init(
        requestID: String,
        callback: @escaping @Sendable (HTTPResponse) -> Void,
        streamed: (@Sendable ([UInt8]) -> Void)? = nil
    ) {
        destination = .callback(callback, streamed: streamed)
        self.requestID = requestID
    }

    public func respond(_ response: HTTPResponse) {
        guard !responded.exchange(true, ordering: .acquiringAndReleasing) else { return }
        deliver(response)
    }

    /// Answers with `head` (status and fields; its body, if any, is the stream's first chunk) and keeps
    /// the response open: the returned stream writes the rest of the body over time (see `HTTPStream`).
    /// The server sets the framing (`Transfer-Encoding: chunked`, `Connection: close`). Beyond
    /// `HTTPServerConfiguration.maxStreams` open streams the request is answered `503` with
    /// `Retry-After` instead and nil is returned; nil also when the request was already answered.
    public func startStream(_ head: HTTPResponse) -> HTTPStream? {
        guard !responded.exchange(true, ordering: .acquiringAndReleasing) else { return nil }
        switch destination {
        case .loop(let loop, let token):
            guard loop.context.admitStream() else {
                loop.deliver(token, .response(loop.context.streamLimitAnswer))
                return nil
            }
            let lease = StreamLease(context: loop.context)
            loop.deliver(token, .streamStart(head, lease: lease))
            return HTTPStream(loop: loop, token: token, lease: lease)
        case .callback(let callback, let streamed):
            callback(head)
            return HTTPStream(callback: streamed ?? { _ in })
        }
    }

    private func deliver(_ response: HTTPResponse) {
        switch destination {
        case .loop(let loop, let token): loop.deliver(token, .response(response))
        case .callback(let callback, _): callback(response)
        }
    }

    /// True once `respond` has been called.
    public var hasResponded: Bool {
        responded.load(ordering: .acquiring)
    }

    deinit {
        guard !responded.load(ordering: .acquiring) else { return }
        if case .loop(let loop, _) = destination {
            loop.logger.error(
                "handler released its responder without responding; answering 500",
                metadata: ["request_id": "\(requestID)"]
            )
        }
        let problem = ProblemDetails(
            status: .internalServerError,
            detail: "The request handler did not produce a response."
        )
        deliver(.problem(problem))
    }
}
