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
    /// Where the response goes: the connection's loop, or a test's callback.
    private enum Destination: Sendable {
        case loop(EventLoop, ResponseToken)
        case callback(@Sendable (HTTPResponse) -> Void)
    }

    /// The request's id, for log lines written while completing it.
    public let requestID: String
    private let destination: Destination
    private let responded = Atomic<Bool>(false)

    init(loop: EventLoop, token: ResponseToken, requestID: String) {
        destination = .loop(loop, token)
        self.requestID = requestID
    }

    /// A responder that hands the response to `callback` (on the responding thread): handlers and
    /// routers driven in process, without a server (see `HTTPTestClient`).
    public init(requestID: String, callback: @escaping @Sendable (HTTPResponse) -> Void) {
        destination = .callback(callback)
        self.requestID = requestID
    }

    public func respond(_ response: HTTPResponse) {
        guard !responded.exchange(true, ordering: .acquiringAndReleasing) else { return }
        deliver(response)
    }

    private func deliver(_ response: HTTPResponse) {
        switch destination {
        case .loop(let loop, let token): loop.deliver(token, response)
        case .callback(let callback): callback(response)
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
                metadata: ["request_id": "\(requestID)"])
        }
        let problem = ProblemDetails(status: 500, detail: "The request handler did not produce a response.")
        deliver(.problem(problem))
    }
}
