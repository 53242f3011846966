import HTTPCore
import Synchronization

/// Drives a handler or a router in process, without sockets or event loops: build a request, get
/// the response the handler gives, from whatever thread it answers on. Hummingbird's router test
/// mode does the same for its applications.
///
/// Framing (Content-Length, Date, Connection, HEAD without body) is the server's job and is not
/// applied here; the response is what the handler handed to its responder.
public struct HTTPTestClient: Sendable {
    private let handler: HTTPHandler

    public init(_ handler: @escaping HTTPHandler) {
        self.handler = handler
    }

    public init(_ router: HTTPRouter) {
        self.init(router.handler)
    }

    /// Sends one request; nil when no answer came within `timeout` (a handler that never answers).
    public func execute(
        _ method: HTTPRequest.Method,
        _ target: String,
        headers: [(String, String)] = [],
        body: [UInt8] = [],
        timeout: Duration = .seconds(10)
    ) async -> HTTPResponse? {
        let request = HTTPRequest(method: method, target: target, headers: HTTPHeaders(headers), body: body)
        let answer = Answer()
        handler(request, HTTPResponder(requestID: request.requestID) { answer.finish($0) })
        return await answer.wait(timeout: timeout)
    }

    public func execute(
        _ method: HTTPRequest.Method,
        _ target: String,
        headers: [(String, String)] = [],
        body: String,
        timeout: Duration = .seconds(10)
    ) async -> HTTPResponse? {
        await execute(method, target, headers: headers, body: Array(body.utf8), timeout: timeout)
    }
}
