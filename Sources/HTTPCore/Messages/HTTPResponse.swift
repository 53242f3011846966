import HTTPTypes

/// A response a handler hands to its `HTTPResponder`.
///
/// The server owns framing: it writes `Content-Length`, `Date` and `Connection` itself and ignores
/// those fields (and `Transfer-Encoding`) when a handler sets them, except that a handler may set
/// `Content-Length` on a response to HEAD (RFC 9110 §9.3.2) and `Connection: close` to end the
/// connection after this response.
public struct HTTPResponse: Sendable {
    /// swift-http-types' status: a code with constants such as `.accepted` (an integer literal works too).
    /// The status line's reason phrase comes from the code (see `ResponseSerializer`).
    public typealias Status = HTTPTypes.HTTPResponse.Status

    public var status: Status
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Status, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func json(_ status: Status, _ body: [UInt8], headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = headers
        if !headers.contains("Content-Type") {
            headers.add("Content-Type", "application/json")
        }
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    public static func text(
        _ status: Status,
        _ body: String,
        contentType: String = "text/plain; charset=utf-8"
    ) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", contentType)]), body: Array(body.utf8))
    }

    /// An RFC 9457 `application/problem+json` response with the problem's status code.
    public static func problem(_ problem: ProblemDetails, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = headers
        headers.replaceOrAdd("Content-Type", ProblemDetails.mediaType)
        return HTTPResponse(status: problem.status, headers: headers, body: problem.jsonBytes())
    }
}
