@testable import HTTPCore

// The parse driver shared by the parser's tests and its libFuzzer target (Fuzz/Targets), so it
// imports no test framework.

/// What a parse produced, in a comparable form.
enum ParseOutcome: Equatable, CustomStringConvertible {
    case request(RequestSummary)
    case continueExpected
    case failure(HTTPParseError)

    var description: String {
        switch self {
        case .request(let summary): "request(\(summary))"
        case .continueExpected: "continue"
        case .failure(let error): "failure(\(error))"
        }
    }
}

struct RequestSummary: Equatable {
    var method: String
    var target: String
    var path: String
    var query: String?
    var version: HTTPVersion
    var headers: [String]
    var body: [UInt8]
    var keepAlive: Bool
    var requestID: String

    init(_ request: HTTPRequest) {
        method = request.method.rawValue
        target = request.target
        path = request.path
        query = request.query
        version = request.version
        headers = request.headers.map { "\($0.name): \($0.value)" }
        body = request.body
        keepAlive = request.keepAlive
        // Generated ids are random; compare only ids that came from the client.
        requestID = request.headers["X-Request-Id"] == request.requestID ? request.requestID : "<generated>"
    }
}

let testLimits = HTTPParser.Limits(maxRequestLineBytes: 256, maxHeaderBytes: 512, maxHeaderCount: 8, maxBodyBytes: 64)

/// Feeds `chunks` the way a connection does: unconsumed bytes are presented again with the next chunk.
func parse(_ chunks: [[UInt8]], limits: HTTPParser.Limits = testLimits) -> [ParseOutcome] {
    var parser = HTTPParser(limits: limits, remoteAddress: "192.0.2.1:1234", idGenerator: RequestIDGenerator(seed: 1))
    var pending: [UInt8] = []
    var outcomes: [ParseOutcome] = []
    for chunk in chunks {
        pending += chunk
        while true {
            let (consumed, event) = pending.withUnsafeBytes { parser.parse($0) }
            pending.removeFirst(consumed)
            switch event {
            case .request(let request): outcomes.append(.request(RequestSummary(request)))
            case .continueExpected: outcomes.append(.continueExpected)
            case .failure(let error):
                outcomes.append(.failure(error))
                return outcomes
            case .needMoreData: break
            case .streamedRequest, .bodyPart, .bodyEnd:
                preconditionFailure("no body is streamed without `Limits.streamsBody`")
            }
            if case .needMoreData = event { break }
        }
    }
    return outcomes
}
