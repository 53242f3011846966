/// One page of `GET /alerts`: `{"alerts": [...], "next_cursor": "..." | null}`.
struct AlertPage: Encodable, Sendable, Equatable {
    /// Newest first by `detected_at`.
    var alerts: [Alert]
    /// Pass as `cursor` to get the next page; nil when this is the last one.
    var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case alerts
        case nextCursor = "next_cursor"
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(alerts, forKey: .alerts)
        // Explicit null: a client can tell "last page" from a missing field.
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}
