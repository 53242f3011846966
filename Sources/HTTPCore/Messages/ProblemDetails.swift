import Foundation

/// RFC 9457 problem details, served as `application/problem+json`.
///
/// Optional members are omitted from the JSON when nil (synthesized `Codable` uses
/// `encodeIfPresent`), as RFC 9457 §3.1 treats every member as optional.
public struct ProblemDetails: Codable, Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String?
    public var instance: String?

    public init(
        status: Int,
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
    public init(status: Int, detail: String? = nil, instance: String? = nil) {
        self.init(status: status, title: HTTPStatus.reasonPhrase(status), detail: detail, instance: instance)
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
