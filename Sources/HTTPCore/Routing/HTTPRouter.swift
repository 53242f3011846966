/// Exact-path routing table built before the server starts (immutable afterwards).
///
/// Unknown path: 404 problem. Known path, other method: 405 problem with `Allow` (RFC 9110 §15.5.6).
/// HEAD is served by the GET route unless one is registered for HEAD (the server drops the body,
/// RFC 9110 §9.3.2); OPTIONS on a known path without its own route answers 204 with `Allow`.
public struct HTTPRouter: Sendable {
    private var routes: [String: [HTTPRequest.Method: HTTPHandler]] = [:]

    public init() {}

    public mutating func add(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping HTTPHandler) {
        routes[path, default: [:]][method] = handler
    }

    public var handler: HTTPHandler {
        let routes = self.routes
        let allow = routes.mapValues(Self.allowValue)
        return { request, responder in
            guard let methods = routes[request.path] else {
                responder.respond(
                    .problem(
                        ProblemDetails(status: .notFound, detail: "No resource at this path.", instance: request.path)
                    )
                )
                return
            }
            if let handler = methods[request.method] ?? (request.method == .head ? methods[.get] : nil) {
                handler(request, responder)
                return
            }
            let allowed = allow[request.path] ?? ""
            if request.method == .options {
                responder.respond(HTTPResponse(status: .noContent, headers: HTTPHeaders([("Allow", allowed)])))
                return
            }
            let problem = ProblemDetails(
                status: .methodNotAllowed,
                detail: "\(request.method) is not supported here; allowed: \(allowed).",
                instance: request.path
            )
            responder.respond(.problem(problem, headers: HTTPHeaders([("Allow", allowed)])))
        }
    }

    private static func allowValue(_ methods: [HTTPRequest.Method: HTTPHandler]) -> String {
        var names = Set(methods.keys.map(\.rawValue))
        if names.contains("GET") { names.insert("HEAD") }
        return names.sorted().joined(separator: ", ")
    }
}
