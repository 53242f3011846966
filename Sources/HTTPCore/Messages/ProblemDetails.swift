import Foundation

/// RFC 9457 problem details, served as `application/problem+json`.
///
/// Optional members are omitted from the JSON when nil, as RFC 9457 §3.1 treats every member as
/// optional. `status` is a typed status in Swift and the bare code in JSON (RFC 9457 §3.1.2).
public struct ProblemDetails: Codable, Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: HTTPResponse.Status
    public var detail: String?
    public var instance: String?

    public init(
        status: HTTPResponse.Status,
        title: String,
        detail: String? = nil,
        type: String = "about:blank",
        instance: String? = nil
    ) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.instance = instance
    }

    /// A problem whose title is the status code's reason phrase, as RFC 9457 §4.2.1 recommends for
    /// `about:blank`.
    public init(status: HTTPResponse.Status, detail: String? = nil, instance: String? = nil) {
        self.init(status: status, title: status.registeredReasonPhrase, detail: detail, instance: instance)
    }

    private enum CodingKeys: String, CodingKey {
        case type, title, status, detail, instance
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let code = try container.decode(Int.self, forKey: .status)
        // swift-http-types traps on a code outside 0...999; a document from elsewhere must not.
        guard (0...999).contains(code) else {
            throw DecodingError.dataCorruptedError(
                forKey: .status,
                in: container,
                debugDescription: "not a status code"
            )
        }
        self.init(
            status: HTTPResponse.Status(code: code),
            title: try container.decode(String.self, forKey: .title),
            detail: try container.decodeIfPresent(String.self, forKey: .detail),
            type: try container.decode(String.self, forKey: .type),
            instance: try container.decodeIfPresent(String.self, forKey: .instance)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(title, forKey: .title)
        try container.encode(status.code, forKey: .status)
        try container.encodeIfPresent(detail, forKey: .detail)
        try container.encodeIfPresent(instance, forKey: .instance)
    }

    public static let mediaType = "application/problem+json"

    /// The JSON encoding. Encoding plain strings and integers cannot fail; the fallback exists only so
    /// that an error path never crashes.
    public func jsonBytes() -> [UInt8] {
        let encoder = JSONEncoder()
        // Sorted keys: the same problem gives the same bytes.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if let data = try? encoder.encode(self) {
            return [UInt8](data)
        }
        return Array(#"{"type":"about:blank","title":"Internal Server Error","status":500}"#.utf8)
    }
}
