import HTTPCore

/// `GET /` (the live dashboard, one self-contained page embedded in the binary) and `GET /events`
/// (its Server-Sent Events, from the `EventPublisher`).
struct DashboardRoutes: Sendable {
    let publisher: EventPublisher

    /// Built once: the page never changes while the process runs.
    private static let page = HTTPResponse(
        status: 200,
        headers: HTTPHeaders([
            ("Content-Type", "text/html; charset=utf-8"),
            ("Cache-Control", "no-cache"),
            ("X-Content-Type-Options", "nosniff"),
            // Everything the page uses is in it or from this origin; nothing else may load.
            (
                "Content-Security-Policy",
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
            ),
        ]),
        body: Array(DashboardPage.html.utf8)
    )

    func page(_ request: HTTPRequest, _ responder: HTTPResponder) {
        responder.respond(Self.page)
    }

    func events(_ request: HTTPRequest, _ responder: HTTPResponder) {
        publisher.subscribe(responder)
    }
}
