import Foundation
import Logging
import Synchronization

@testable import HTTPCore

/// How the stub gateway answers a transaction: by the last digit of its id, so a test can
/// predict the counts from the generated stream. 0-6 accepted, 7-8 422, 9 503.
func stubStatus(forID id: String) -> Int {
    switch id.last {
    case "7", "8": 422
    case "9": 503
    default: 202
    }
}

private func itemJSON(id: String, status: Int) -> String {
    status == 202
        ? #"{"id":"\#(id)","status":"accepted","topic":"transactions","partition":0,"offset":1}"#
        : #"{"type":"about:blank","title":"refused","status":\#(status),"detail":"stub refuses \#(id)"}"#
}

/// The stub gateway's answer: single JSON -> 202 or a problem; NDJSON batch -> 200 with per-item results.
@Sendable func stubGateway(_ request: HTTPRequest) -> HTTPResponse {
    let contentType = request.headers["Content-Type"] ?? ""
    if contentType.hasPrefix("application/x-ndjson") {
        let lines = String(decoding: request.body, as: UTF8.self).split(separator: "\n")
        let items = lines.map { line -> String in
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            let id = object?["id"] as? String ?? "?"
            return itemJSON(id: id, status: stubStatus(forID: id))
        }
        return .json(200, Array(("[" + items.joined(separator: ",") + "]").utf8))
    }
    guard contentType.hasPrefix("application/json"),
        let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any],
        let id = object["id"] as? String
    else { return .text(415, #"{"status":415}"#, contentType: "application/problem+json") }
    let status = stubStatus(forID: id)
    return .text(
        HTTPResponse.Status(code: status),
        itemJSON(id: id, status: status),
        contentType: status == 202 ? "application/json" : "application/problem+json"
    )
}

/// The project's own `HTTPServer` on 127.0.0.1 (an ephemeral port) answering POST /transactions
/// like a gateway, counting what it saw. Call `stop()` when done (a `defer` right after creation).
final class StubGateway: Sendable {
    private let server: HTTPServer
    let port: Int
    private let requests = Counter()

    init(answer: @escaping @Sendable (HTTPRequest) -> HTTPResponse = stubGateway) throws {
        let requests = self.requests
        var router = HTTPRouter()
        router.add(.post, "/transactions") { request, responder in
            requests.increment()
            responder.respond(answer(request))
        }
        server = HTTPServer(configuration: Self.configuration(port: 0), logger: quietLogger, handler: router.handler)
        port = try server.start()
    }

    var url: String { "http://127.0.0.1:\(port)/transactions" }
    var requestCount: Int { requests.value }
    /// Connections accepted so far, across the server's loops.
    var connectionCount: Int { server.loopStatistics.reduce(0) { $0 + $1.accepted } }

    func stop() { server.shutdown(gracePeriod: .seconds(1)) }

    static func configuration(port: Int) -> HTTPServerConfiguration {
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = port
        configuration.eventLoopCount = 2
        return configuration
    }
}

/// A count shared with the server's loop threads.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

/// A closed port on 127.0.0.1: a server is started on an ephemeral port and stopped again.
func closedLocalPort() throws -> Int {
    let server = HTTPServer(configuration: StubGateway.configuration(port: 0), logger: quietLogger) { _, responder in
        responder.respond(HTTPResponse(status: 500))
    }
    let port = try server.start()
    server.shutdown(gracePeriod: .zero)
    return port
}

/// The server's own start and stop lines are not what these tests look at.
let quietLogger: Logger = {
    var logger = Logger(label: "TxGenTests", factory: { StreamLogHandler.standardError(label: $0) })
    logger.logLevel = .critical
    return logger
}()
