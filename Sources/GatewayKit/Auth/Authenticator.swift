import HTTPCore
import Logging

/// Guards the protected routes: `Authorization: Bearer <key>` (RFC 6750 §2.1) with a key from the
/// keys file, then the key's rate limit. Anything else gets 401 with `WWW-Authenticate: Bearer`
/// (RFC 6750 §3), or 429 with `Retry-After` (RFC 6585 §4). The key's name, never the key, goes to
/// logs and metrics.
struct Authenticator: Sendable {
    let keys: APIKeys
    let limiter: RateLimiter?
    let metrics: GatewayMetrics
    let logger: Logger

    /// The query parameter that carries the key where a header cannot (RFC 6750 §2.3).
    static let queryTokenName = "access_token"

    /// `handler` behind the key check. `acceptsQueryToken`: the key may also come as `access_token`
    /// in the query (RFC 6750 §2.3), for streams a browser's EventSource opens (it sends no headers).
    func protect(_ handler: @escaping HTTPHandler, acceptsQueryToken: Bool = false) -> HTTPHandler {
        { request, responder in
            switch check(request, acceptsQueryToken: acceptsQueryToken) {
            case .success(let name):
                var request = request
                request.client = name
                handler(request, responder)
            case .failure(let rejection): responder.respond(rejection.response)
            }
        }
    }

    private func check(_ request: HTTPRequest, acceptsQueryToken: Bool) -> Result<String, Rejection> {
        let queryToken =
            acceptsQueryToken
            ? request.queryItems().last { $0.name == Self.queryTokenName }.map { Substring($0.value) } : nil
        guard let token = Self.bearerToken(request.headers["Authorization"]) ?? queryToken else {
            metrics.recordAuthentication(key: nil, outcome: "missing")
            return .failure(.missing)
        }
        guard let name = keys.name(of: token.utf8) else {
            metrics.recordAuthentication(key: nil, outcome: "invalid")
            logger.info("API key refused", metadata: ["request_id": "\(request.requestID)"])
            return .failure(.invalid)
        }
        if let limiter, let seconds = limiter.retryAfter(for: name) {
            metrics.recordAuthentication(key: name, outcome: "rate_limited")
            return .failure(.rateLimited(key: name, retryAfter: seconds))
        }
        metrics.recordAuthentication(key: name, outcome: "ok")
        return .success(name)
    }

    /// The token of `Bearer <token>`; the scheme is case-insensitive (RFC 9110 §11.1).
    static func bearerToken(_ value: String?) -> Substring? {
        guard let value else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].drop { $0 == " " }
        return token.isEmpty ? nil : token
    }

    enum Rejection: Error {
        case missing
        case invalid
        case rateLimited(key: String, retryAfter: Int)

        var response: HTTPResponse {
            switch self {
            case .missing:
                GatewayProblems.unauthorized("send Authorization: Bearer <API key>")
                    .response(headers: HTTPHeaders([("WWW-Authenticate", #"Bearer realm="gateway""#)]))
            case .invalid:
                GatewayProblems.unauthorized("the API key is not valid")
                    .response(
                        headers: HTTPHeaders([("WWW-Authenticate", #"Bearer realm="gateway", error="invalid_token""#)])
                    )
            case .rateLimited(let key, let seconds):
                GatewayProblems.rateLimited(key: key, retryAfter: seconds)
                    .response(headers: HTTPHeaders([("Retry-After", String(seconds))]))
            }
        }
    }
}
