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
    /// The request's id, for log lines written while completing it.
    public let requestID: String
    private let loop: EventLoop
    private let token: ResponseToken
    private let responded = Atomic<Bool>(false)

    init(loop: EventLoop, token: ResponseToken, requestID: String) {
        self.loop = loop
        self.token = token
        self.requestID = requestID
    }

    public func respond(_ response: HTTPResponse) {
        guard !responded.exchange(true, ordering: .acquiringAndReleasing) else { return }
        loop.deliver(token, response)
    }

    /// True once `respond` has been called.
    public var hasResponded: Bool {
        responded.load(ordering: .acquiring)
    }

    deinit {
        guard !responded.load(ordering: .acquiring) else { return }
        loop.logger.error(
            "handler released its responder without responding; answering 500",
            metadata: ["request-id": "\(requestID)"])
        let problem = ProblemDetails(status: 500, detail: "The request handler did not produce a response.")
        loop.deliver(token, .problem(problem))
    }
}
