import Foundation
import HTTPCore

/// `GET /stats` (rolling statistics as JSON) and `GET /alerts` (newest first, filtered, paged).
struct MonitorRoutes: Sendable {
    let service: MonitorService

    func stats(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let body = (try? service.monitor.snapshot().jsonData()).map(Array.init) ?? []
        responder.respond(.json(200, body))
    }

    func alerts(_ request: HTTPRequest, _ responder: HTTPResponder) {
        switch AlertQuery.parse(request.queryItems()) {
        case .failure(let failure):
            let errors = failure.problems
            responder.respond(Problem(status: 400, title: "Invalid query", detail: "\(errors.count) query parameter(s) are invalid", errors: errors).response())
        case .success(let query):
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let body = (try? encoder.encode(service.alerts.query(query))).map(Array.init) ?? []
            responder.respond(.json(200, body))
        }
    }
}
