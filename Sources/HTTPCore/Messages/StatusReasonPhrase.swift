/// Reason phrases for status lines and problem titles (RFC 9110 §15), taken from the code: a status
/// written as an integer literal (`404`) carries no phrase of its own, `.notFound` does.
extension HTTPResponse.Status {
    /// The RFC 9110 reason phrase of the code; for an unregistered code, the status's own phrase,
    /// which may be "" (RFC 9112 §4 allows an empty one).
    public var registeredReasonPhrase: String {
        let phrase = staticReasonPhrase
        return phrase.utf8CodeUnitCount == 0 ? reasonPhrase : String(describing: phrase)
    }

    /// The registered phrase as a `StaticString`, so that the serializer copies it without allocating;
    /// "" for an unregistered code.
    var staticReasonPhrase: StaticString {
        switch code {
        case 100: "Continue"
        case 101: "Switching Protocols"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 203: "Non-Authoritative Information"
        case 204: "No Content"
        case 206: "Partial Content"
        case 207: "Multi-Status"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 411: "Length Required"
        case 412: "Precondition Failed"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 422: "Unprocessable Content"
        case 425: "Too Early"
        case 426: "Upgrade Required"
        case 428: "Precondition Required"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        case 507: "Insufficient Storage"
        default: ""
        }
    }
}
