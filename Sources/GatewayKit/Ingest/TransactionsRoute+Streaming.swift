import Foundation
import HTTPCore

/// Streaming mode of `POST /transactions` (see `TransactionStream`): chosen by a client that sends
/// NDJSON with `Transfer-Encoding: chunked` and asks for NDJSON back (`Accept: application/x-ndjson`).
/// Other clients keep the batch behaviour: the whole body read, one JSON array answered.
extension TransactionsRoute {
    /// Lines waiting for their result before the request stops being read.
    static let defaultMaxStreamUnanswered = 1000

    /// Decides, on the request head, whether its body is streamed (`HTTPServerConfiguration.streamsRequestBody`).
    @Sendable static func wantsStreaming(_ head: HTTPRequest) -> Bool {
        guard head.method == .post, head.path == "/transactions" else { return false }
        guard mediaType(head.headers["Content-Type"] ?? "") == "application/x-ndjson" else { return false }
        return head.headers.values("Accept").contains { value in
            value.split(separator: ",").contains { mediaType(String($0)) == "application/x-ndjson" }
        }
    }

    func handleStream(_ request: HTTPRequest, _ body: HTTPRequestBody, _ responder: HTTPResponder) {
        if let monitorGate, !monitorGate.admits() { return responder.respond(monitorBehind(monitorGate)) }
        if request.headers.contains(IdempotencyKey.fieldName) {
            let problem = Problem(
                status: .badRequest,
                title: "Idempotency-Key not supported when streaming",
                detail:
                    "A streamed request is answered line by line; send Idempotency-Key with a batch request instead."
            )
            return responder.respond(problem.response())
        }
        let head = HTTPResponse(status: .ok, headers: HTTPHeaders([("Content-Type", "application/x-ndjson")]))
        guard let stream = responder.startStream(head) else { return }
        let trace = TraceParent.forRequest(request.headers)
        let headers = TransactionRecord.headers(requestID: request.requestID, trace: trace)
        let ingest = TransactionStream(stream: stream, body: body, maxUnanswered: maxStreamUnanswered) {
            line,
            index,
            results in
            let item: BatchItem
            do throws(JSONSyntaxError) {
                item = check(try TransactionJSONReader.payload(from: line), receivedAt: Date())
            } catch {
                item = .rejected(GatewayProblems.malformedJSON(error.description))
            }
            switch item {
            case .rejected(let problem):
                results.complete(index, json: problem.jsonBytes())
            case .valid(let transaction):
                // A stream outlives the admission check at its start: each line is admitted as a
                // request would be, so a long stream cannot run the monitor past its bound.
                if let monitorGate, !monitorGate.admits() {
                    let snapshot = monitorGate.snapshot
                    return results.complete(
                        index,
                        json: GatewayProblems.monitorBehind(
                            lag: snapshot.lag,
                            partition: snapshot.partition,
                            bound: monitorGate.bound
                        ).jsonBytes()
                    )
                }
                guard pending.reserve(1) else {
                    return results.complete(
                        index,
                        json: GatewayProblems.overloaded(pendingLimit: pending.limit).jsonBytes()
                    )
                }
                produce(transaction, headers: headers, request: request, trace: trace, async: false) { outcome in
                    switch outcome {
                    case .accepted(let json): results.complete(index, json: json)
                    case .rejected(let problem): results.complete(index, json: problem.jsonBytes())
                    }
                }
            }
        }
        body.consume { ingest.receive($0) }
    }
}
