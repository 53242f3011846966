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
            lines,
            results in
            streamLines(lines, headers: headers, results)
        }
        body.consume { ingest.receive($0) }
    }

    /// The complete lines of one piece of body: each checked as a batch item, the valid ones
    /// produced as one batch (one completion, one write of their results), the others answered at
    /// once with their problem.
    private func streamLines(
        _ lines: [TransactionStream.NumberedLine],
        headers: [RecordHeader],
        _ results: TransactionStream
    ) {
        let receivedAt = Date()
        var answered: [(index: Int, json: [UInt8])] = []
        var valid: [(index: Int, transaction: Transaction)] = []
        for line in lines {
            switch item(line: line.bytes, receivedAt: receivedAt) {
            case .rejected(let problem): answered.append((line.index, problem.jsonBytes()))
            case .valid(let transaction): valid.append((line.index, transaction))
            }
        }
        if let refusal = streamRefusal(count: valid.count) {
            answered += valid.map { ($0.index, refusal) }
        } else if !valid.isEmpty {
            produceStreamed(valid, headers: headers, results)
        }
        if !answered.isEmpty { results.complete(answered) }
    }

    /// The problem line every valid line of a piece gets when it may not be produced: the monitor
    /// too far behind (a stream outlives the admission check at its start, so each piece is
    /// admitted as a request would be), or the pending records full. nil: produce them.
    private func streamRefusal(count: Int) -> [UInt8]? {
        guard count > 0 else { return nil }
        if let monitorGate, !monitorGate.admits() { return Self.monitorBehindProblem(monitorGate).jsonBytes() }
        return pending.reserve(count) ? nil : GatewayProblems.overloaded(pendingLimit: pending.limit).jsonBytes()
    }

    private func produceStreamed(
        _ valid: [(index: Int, transaction: Transaction)],
        headers: [RecordHeader],
        _ results: TransactionStream
    ) {
        var dates = TransactionJSONWriter.DateMemo()
        let records = valid.map {
            KeyedValue(
                key: Array($0.transaction.accountId.utf8),
                value: TransactionRecord.value(of: $0.transaction, dates: &dates)
            )
        }
        let settle = settlement()
        let topic = self.topic
        producer.produceBatch(topic: topic, records: records, headers: headers) { outcomes in
            settle(outcomes)
            results.complete(
                zip(valid, outcomes).map { line, outcome in
                    switch outcome {
                    case .accepted(let partition, let offset):
                        (
                            line.index,
                            Self.acceptedJSON(
                                id: line.transaction.id,
                                topic: topic,
                                partition: partition,
                                offset: offset
                            )
                        )
                    case .failed(let failure):
                        (line.index, GatewayProblems.kafkaUnavailable(failure).jsonBytes())
                    }
                }
            )
        }
    }
}
