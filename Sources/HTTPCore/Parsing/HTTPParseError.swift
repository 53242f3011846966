/// Why the server refused a request before it reached a handler. Each maps to the status code the RFC
/// asks for and a `detail` for the problem+json body. After any of these the connection is closed,
/// because the message framing can no longer be trusted (RFC 9112 §6.3, §11.2).
enum HTTPParseError: Error, Equatable, Sendable {
    case invalidRequestLine
    case invalidMethod
    case invalidTarget
    case invalidVersion
    case unsupportedVersion
    case requestLineTooLong
    case bareLineFeed
    case obsoleteLineFolding
    case invalidHeaderName
    case whitespaceBeforeColon
    case invalidHeaderValue
    case headerValueNotUTF8
    case headersTooLarge
    case tooManyHeaders
    case missingHost
    case multipleHost
    case invalidContentLength
    case contentLengthWithTransferEncoding
    case transferEncodingInHTTP10
    case invalidTransferEncoding
    case unsupportedTransferEncoding
    case invalidChunk
    case bodyTooLarge
    case unsupportedExpectation
    case incompleteRequest
    case headerTimeout
    case bodyTimeout

    var status: HTTPResponse.Status {
        switch self {
        case .unsupportedVersion: .httpVersionNotSupported
        case .requestLineTooLong: .uriTooLong
        case .headersTooLarge, .tooManyHeaders: .requestHeaderFieldsTooLarge
        case .unsupportedTransferEncoding: .notImplemented
        case .bodyTooLarge: .contentTooLarge
        case .unsupportedExpectation: .expectationFailed
        case .headerTimeout, .bodyTimeout: .requestTimeout
        default: .badRequest
        }
    }

    var detail: String {
        switch self {
        case .invalidRequestLine: "The request line is not 'method SP request-target SP HTTP-version' (RFC 9112 §3)."
        case .invalidMethod: "The method is not a token of at most 32 characters (RFC 9110 §9.1)."
        case .invalidTarget: "The request-target is not valid for this method (RFC 9112 §3.2)."
        case .invalidVersion: "The HTTP-version is malformed (RFC 9112 §2.3)."
        case .unsupportedVersion: "Only HTTP/1.0 and HTTP/1.1 are supported on this port."
        case .requestLineTooLong: "The request-target is longer than this server accepts (RFC 9112 §3)."
        case .bareLineFeed: "Lines must end with CRLF (RFC 9112 §2.2)."
        case .obsoleteLineFolding: "Obsolete line folding is not accepted (RFC 9112 §5.2)."
        case .invalidHeaderName: "A header field name is missing, or not a token (RFC 9110 §5.1)."
        case .whitespaceBeforeColon: "Whitespace between a field name and the colon (RFC 9112 §5.1)."
        case .invalidHeaderValue: "A header field value contains a control character (RFC 9110 §5.5)."
        case .headerValueNotUTF8:
            "A header field value is not UTF-8: read as text it would change, and two different values could read the same."
        case .headersTooLarge: "The request header section is too large."
        case .tooManyHeaders: "The request has too many header fields."
        case .missingHost: "HTTP/1.1 requests must carry a Host header field (RFC 9112 §3.2)."
        case .multipleHost: "More than one Host header field (RFC 9112 §3.2)."
        case .invalidContentLength: "Content-Length is not a single non-negative decimal number (RFC 9112 §6.3)."
        case .contentLengthWithTransferEncoding:
            "Both Content-Length and Transfer-Encoding are present (RFC 9112 §6.1)."
        case .transferEncodingInHTTP10: "Transfer-Encoding is not allowed in an HTTP/1.0 request (RFC 9112 §6.1)."
        case .invalidTransferEncoding: "chunked must be the final transfer coding, applied once (RFC 9112 §6.3)."
        case .unsupportedTransferEncoding: "Only the chunked transfer coding is supported (RFC 9112 §6.1)."
        case .invalidChunk: "The chunked body is malformed (RFC 9112 §7.1)."
        case .bodyTooLarge: "The request body is larger than this server accepts."
        case .unsupportedExpectation: "Only the 100-continue expectation is supported (RFC 9110 §10.1.1)."
        case .incompleteRequest: "The connection ended before the request was complete."
        case .headerTimeout: "The request header section was not received in time."
        case .bodyTimeout: "The request body was not received in time."
        }
    }

    var problem: ProblemDetails {
        ProblemDetails(status: status, detail: detail)
    }
}
