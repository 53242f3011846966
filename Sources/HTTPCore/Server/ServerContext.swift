import CoreSupport
import Logging
import Synchronization

/// What every loop of one server shares: configuration turned into the units the loops use, the
/// handler and observer, and the server-wide connection count. Immutable apart from that atomic.
final class ServerContext: Sendable {
    typealias Observer = @Sendable (HTTPRequest?, HTTPResponse.Status, Duration) -> Void

    let limits: HTTPParser.Limits
    let headerReadTimeout: UInt64
    let idleTimeout: UInt64
    let bodyReadTimeout: UInt64
    let lingerTimeout: UInt64
    /// `responseTimeout` in nanoseconds; nil for no deadline.
    let responseTimeout: UInt64?
    /// The 504 answered when `responseTimeout` passes, encoded once: it is sent most often when a
    /// dependency is down and many requests time out together.
    let responseTimeoutAnswer: HTTPResponse
    /// The 503 for a request still in flight when the server's grace period ends (RFC 9110
    /// §15.6.4): the handler may yet complete, so its effect is unknown; `Retry-After` points the
    /// client at a retry, which another instance serves.
    let shutdownAnswer = HTTPResponse.problem(
        ProblemDetails(
            status: .serviceUnavailable,
            detail:
                "The server shut down before this request was answered; it may or may not have taken effect. Retry it."
        ),
        headers: HTTPHeaders([("Retry-After", "1")])
    )
    /// How often loops look for expired deadlines: an eighth of the shortest timeout, within [5 ms, 250 ms].
    let sweepInterval: UInt64
    let maxConnections: Int
    let maxStreams: Int
    let maxStreamBacklogBytes: Int
    /// The 503 for a stream over `maxStreams` (RFC 9110 §15.6.4).
    let streamLimitAnswer = HTTPResponse.problem(
        ProblemDetails(
            status: .serviceUnavailable,
            detail: "The server is at its limit of open streams; retry shortly."
        ),
        headers: HTTPHeaders([("Retry-After", "5")])
    )
    /// Request bytes held across all connections (`HTTPServerConfiguration.maxBufferedRequestBytes`).
    let requestBudget: RequestBufferBudget
    /// The 503 for a request that waited for `requestBudget` until its read timeout (RFC 9110 §15.6.4):
    /// the server, not the client, was slow, so 408 would be the wrong answer.
    let requestBudgetAnswer = HTTPResponse.problem(
        ProblemDetails(
            status: .serviceUnavailable,
            detail:
                "The server holds as many request bytes as it may and could not read this request in time; retry shortly."
        ),
        headers: HTTPHeaders([("Retry-After", "1")])
    )
    let handler: HTTPHandler
    let observer: Observer?
    let logger: Logger
    private let connectionCount = Atomic<Int>(0)
    private let streamCount = Atomic<Int>(0)

    init(configuration: HTTPServerConfiguration, logger: Logger, observer: Observer?, handler: @escaping HTTPHandler) {
        limits = HTTPParser.Limits(
            maxRequestLineBytes: max(16, configuration.maxRequestLineBytes),
            maxHeaderBytes: max(64, configuration.maxHeaderBytes),
            maxHeaderCount: max(1, configuration.maxHeaderCount),
            maxBodyBytes: max(0, configuration.maxBodyBytes),
            streamsBody: configuration.streamsRequestBody
        )
        headerReadTimeout = configuration.headerReadTimeout.clampedNanoseconds
        idleTimeout = configuration.idleTimeout.clampedNanoseconds
        bodyReadTimeout = configuration.bodyReadTimeout.clampedNanoseconds
        lingerTimeout = configuration.lingerTimeout.clampedNanoseconds
        responseTimeout = configuration.responseTimeout?.clampedNanoseconds
        responseTimeoutAnswer = .problem(
            ProblemDetails(
                status: .gatewayTimeout,
                detail: "The request was not answered within \(configuration.responseTimeout ?? .zero)."
            )
        )
        let shortest = min(headerReadTimeout, idleTimeout, bodyReadTimeout, lingerTimeout, responseTimeout ?? .max)
        sweepInterval = min(max(shortest / 8, 5_000_000), 250_000_000)
        maxConnections = max(1, configuration.maxConnections)
        maxStreams = max(0, configuration.maxStreams)
        maxStreamBacklogBytes = max(1, configuration.maxStreamBacklogBytes)
        requestBudget = RequestBufferBudget(
            limit: configuration.maxBufferedRequestBytes,
            largestBody: limits.maxBodyBytes
        )
        self.handler = handler
        self.observer = observer
        self.logger = logger
    }

    /// Counts a new connection; false when it is over the limit (it still counts until it is closed).
    func admitConnection() -> Bool {
        connectionCount.wrappingAdd(1, ordering: .relaxed).newValue <= maxConnections
    }

    func releaseConnection() {
        connectionCount.wrappingSubtract(1, ordering: .relaxed)
    }

    /// Takes a place for a streaming response; false (and no place taken) at the limit.
    func admitStream() -> Bool {
        guard streamCount.wrappingAdd(1, ordering: .relaxed).newValue <= maxStreams else {
            streamCount.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func releaseStream() {
        streamCount.wrappingSubtract(1, ordering: .relaxed)
    }

    /// Streaming responses open now, across the server's loops.
    var openStreams: Int { streamCount.load(ordering: .relaxed) }
}
