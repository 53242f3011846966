import HTTPTypes

/// One parsed request, body included (de-chunked).
public struct HTTPRequest: Sendable {
    /// swift-http-types' method: a token, case-sensitive (RFC 9110 §9.1), with constants such as `.post`.
    public typealias Method = HTTPTypes.HTTPRequest.Method

    /// As received, e.g. `.post`.
    public let method: Method
    /// The raw request-target (RFC 9112 §3.2).
    public let target: String
    /// The target's path: up to '?' for origin-form, the path part of an absolute-form target, "*" for
    /// asterisk-form, the authority for CONNECT. Not percent-decoded.
    public let path: String
    /// The raw query without '?', or nil when the target has no '?'.
    public let query: String?
    public let version: HTTPVersion
    public let headers: HTTPHeaders
    public let body: [UInt8]
    /// The client's X-Request-Id when it is 1-128 characters of [A-Za-z0-9._:-], else a generated
    /// 16-hex-digit id.
    public let requestID: String
    public let remoteAddress: String
    /// The client's wish to keep the connection open: HTTP/1.1 unless `Connection: close`, HTTP/1.0
    /// only with `Connection: keep-alive` (RFC 9112 §9.3).
    public let keepAlive: Bool
    /// Who sent it, once a guard in front of the handler established that (an API key's name, say);
    /// nil until then. The server never sets it.
    public var client: String?
    /// Set when the body is streamed (`HTTPServerConfiguration.streamsRequestBody`): `body` is then
    /// empty and the body arrives through this, while the request is handled.
    public internal(set) var bodyStream: HTTPRequestBody?

    public init(
        method: Method,
        target: String,
        version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        requestID: String? = nil,
        remoteAddress: String = "",
        keepAlive: Bool = true
    ) {
        let (path, query) = RequestTarget.split(target, method: method)
        var generator = RequestIDGenerator()
        self.init(
            method: method,
            target: target,
            path: path,
            query: query,
            version: version,
            headers: headers,
            body: body,
            requestID: requestID ?? generator.next(),
            remoteAddress: remoteAddress,
            keepAlive: keepAlive
        )
    }

    internal init(
        method: Method,
        target: String,
        path: String,
        query: String?,
        version: HTTPVersion,
        headers: HTTPHeaders,
        body: [UInt8],
        requestID: String,
        remoteAddress: String,
        keepAlive: Bool
    ) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
        self.requestID = requestID
        self.remoteAddress = remoteAddress
        self.keepAlive = keepAlive
    }

    /// The query as `application/x-www-form-urlencoded` pairs: split on '&' then the first '=',
    /// percent-decoded, '+' meaning space. Malformed escapes are kept literally.
    public func queryItems() -> [(name: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true).map { item in
            if let equals = item.firstIndex(of: UInt8(ascii: "=")) {
                return (
                    name: PercentDecoding.decode(item[item.startIndex..<equals]),
                    value: PercentDecoding.decode(item[item.index(after: equals)...])
                )
            }
            return (name: PercentDecoding.decode(item), value: "")
        }
    }
}
