import HTTPCore

/// `GET /alerts/stream?rule=&severity=&account_id=`: the alerts as Server-Sent Events (see
/// `AlertStreamPublisher`). The filters are those of `GET /alerts`; its paging parameters mean
/// nothing for a stream and are refused.
struct AlertStreamRoute: Sendable {
    let publisher: AlertStreamPublisher

    static let parameterNames = ["rule", "severity", "account_id"]

    func handle(_ request: HTTPRequest, _ responder: HTTPResponder) {
        // `access_token` (RFC 6750 §2.3) was the authenticator's; it is no filter.
        let items = request.queryItems().filter { $0.name != Authenticator.queryTokenName }
        var problems = items.filter { !Self.parameterNames.contains($0.name) }.map {
            FieldError(
                field: $0.name,
                message: "unknown parameter; expected one of: \(Self.parameterNames.joined(separator: ", "))"
            )
        }
        var filter = AlertQuery()
        switch AlertQuery.parse(items.filter { Self.parameterNames.contains($0.name) }) {
        case .failure(let failure): problems += failure.problems
        case .success(let query): filter = query
        }
        guard problems.isEmpty else {
            return responder.respond(
                Problem(
                    status: .badRequest,
                    title: "Invalid query",
                    detail: "\(problems.count) query parameter(s) are invalid",
                    errors: problems
                ).response()
            )
        }
        publisher.subscribe(responder, filter: filter, lastEventID: request.headers["Last-Event-ID"])
    }
}
