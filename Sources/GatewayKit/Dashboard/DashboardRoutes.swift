import Foundation
import HTTPCore

/// `GET /` (the live dashboard, one self-contained page embedded in the binary) and `GET /events`
/// (its Server-Sent Events, from the `EventPublisher`).
struct DashboardRoutes: Sendable {
    let publisher: EventPublisher

    /// Built once per language: the pages never change while the process runs.
    private static let pages = responses(DashboardPage.html)
    private static let clusterPages = responses(ClusterPage.html)

    /// The page in each language: the same document, its `<html lang>` naming the language the
    /// script shows it in (the strings of both are in the page, for the switch).
    private static func responses(_ html: String) -> [PageLanguage: HTTPResponse] {
        var responses: [PageLanguage: HTTPResponse] = [:]
        for language in PageLanguage.allCases {
            let localized = html.replacingOccurrences(
                of: #"<html lang="en">"#,
                with: #"<html lang="\#(language.rawValue)">"#
            )
            responses[language] = response(localized)
        }
        return responses
    }

    private static func response(_ html: String) -> HTTPResponse {
        HTTPResponse(
            status: .ok,
            headers: HTTPHeaders([
                ("Content-Type", "text/html; charset=utf-8"),
                ("Cache-Control", "no-cache"),
                ("Vary", "Accept-Language"),
                ("Content-Language", html.contains(#"<html lang="pt-BR">"#) ? "pt-BR" : "en"),
                ("X-Content-Type-Options", "nosniff"),
                // Everything the page uses is in it or from this origin; nothing else may load.
                (
                    "Content-Security-Policy",
                    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
                ),
            ]),
            body: Array(html.utf8)
        )
    }

    func page(_ request: HTTPRequest, _ responder: HTTPResponder) {
        responder.respond(Self.pages[PageLanguage.of(request)]!)
    }

    /// `GET /cluster.html`: the cluster view (no data in it either; `/events` carries the figures).
    @Sendable static func clusterPage(_ request: HTTPRequest, _ responder: HTTPResponder) {
        responder.respond(clusterPages[PageLanguage.of(request)]!)
    }

    func events(_ request: HTTPRequest, _ responder: HTTPResponder) {
        publisher.subscribe(responder)
    }
}
