import Foundation
import HTTPCore

/// The gateway's RFC 9457 problem document: HTTPCore's members plus `errors`, the fields that
/// failed validation (an extension member, RFC 9457 §3.2). HTTPCore's own `ProblemDetails` knows
/// nothing of fields.
struct Problem: Encodable, Sendable, Equatable {
    var type = "about:blank"
    var title: String
    var status: HTTPResponse.Status
    var detail: String?
    var instance: String?
    var errors: [FieldError]?

    init(
        status: HTTPResponse.Status,
        title: String,
        detail: String? = nil,
        instance: String? = nil,
        errors: [FieldError]? = nil
    ) {
        self.title = title
        self.status = status
        self.detail = detail
        self.instance = instance
        self.errors = errors
    }

    private enum CodingKeys: String, CodingKey {
        case errors
    }

    /// HTTPCore's members as `ProblemDetails` writes them (the status as its bare code), then `errors`.
    func encode(to encoder: any Encoder) throws {
        let members = ProblemDetails(status: status, title: title, detail: detail, type: type, instance: instance)
        try members.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(errors, forKey: .errors)
    }

    func jsonBytes() -> [UInt8] {
        if let bytes = StableJSON.bytes(self) { return bytes }
        return Array(#"{"status":500,"title":"Internal Server Error","type":"about:blank"}"#.utf8)
    }

    /// As an `application/problem+json` response with its status code.
    func response(headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = headers
        headers.replaceOrAdd("Content-Type", ProblemDetails.mediaType)
        return HTTPResponse(status: status, headers: headers, body: jsonBytes())
    }
}
