import Foundation
import HTTPCore
import Logging
import W3CTraceContext

/// `POST /transactions`: validate one transaction or a batch, produce to Kafka keyed by account,
/// answer when the brokers acknowledged (or when queued, with `Prefer: respond-async`).
///
/// Runs on the event-loop thread up to the produce call; answers come from delivery-report threads.
struct TransactionsRoute: Sendable {
    let producer: any RecordProducer
    let topic: String
    let maxBatchItems: Int
    let metrics: GatewayMetrics
    let idempotency: IdempotencyStore
    /// Records awaiting a delivery report; at its bound a request gets 503 before producing.
    let pending: PendingRecords
    /// Set when ingestion waits for a lagging monitor (`--max-monitor-lag`).
    let monitorGate: MonitorLagGate?
    let logger: Logger
    /// Streaming mode: lines waiting for their result before the request stops being read.
    var maxStreamUnanswered = Self.defaultMaxStreamUnanswered
    private let validator = TransactionValidator()

    init(
        producer: any RecordProducer,
        topic: String,
        maxBatchItems: Int,
        metrics: GatewayMetrics,
        idempotency: IdempotencyStore,
        pending: PendingRecords,
        monitorGate: MonitorLagGate? = nil,
        logger: Logger
    ) {
        self.producer = producer
        self.topic = topic
        self.maxBatchItems = maxBatchItems
        self.metrics = metrics
        self.idempotency = idempotency
        self.pending = pending
        self.monitorGate = monitorGate
        self.logger = logger
    }

    /// A request without `Idempotency-Key` costs one header lookup more than before.
    func handle(_ request: HTTPRequest, _ responder: HTTPResponder) {
        if let coding = Self.unsupportedContentCoding(request.headers) {
            return responder.respond(
                GatewayProblems.unsupportedContentCoding(coding).response(headers: GatewayProblems.identityOnly)
            )
        }
        if let body = request.bodyStream { return handleStream(request, body, responder) }
        guard request.headers.contains(IdempotencyKey.fieldName) else { return process(request, responder) }
        handleIdempotent(request, responder)
    }

    func process(_ request: HTTPRequest, _ responder: HTTPResponder) {
        // First: under a flood, a refusal must cost as little as possible.
        if let monitorGate, !monitorGate.admits() { return responder.respond(monitorBehind(monitorGate)) }
        let contentType = request.headers["Content-Type"]
        let mediaType = contentType.map(Self.mediaType) ?? ""
        let async = Self.prefersAsync(request.headers)
        guard !request.body.allSatisfy(Self.isJSONWhitespace) else {
            return responder.respond(GatewayProblems.emptyBody().response())
        }
        switch mediaType {
        case "application/json" where Self.firstByte(request.body) == UInt8(ascii: "["):
            handleJSONArray(request, responder, async: async)
        case "application/json":
            handleSingle(request, responder, async: async)
        case "application/x-ndjson":
            handleNDJSON(request, responder, async: async)
        default:
            responder.respond(GatewayProblems.unsupportedMediaType(contentType).response())
        }
    }

    // MARK: single

    private func handleSingle(_ request: HTTPRequest, _ responder: HTTPResponder, async: Bool) {
        let payload: TransactionPayload
        do {
            payload = try TransactionJSONReader.payload(from: request.body)
        } catch {
            return responder.respond(GatewayProblems.malformedJSON(error.description).response())
        }
        switch validator.validate(payload, receivedAt: Date()) {
        case .failure(let failure):
            responder.respond(GatewayProblems.validation(failure.errors).response())
        case .success(let transaction):
            guard pending.reserve(1) else { return responder.respond(overloaded()) }
            let trace = TraceParent.forRequest(request.headers)
            let headers = TransactionRecord.headers(requestID: request.requestID, trace: trace)
            produce(transaction, headers: headers, request: request, trace: trace, async: async) { outcome in
                switch outcome {
                case .accepted(let body):
                    responder.respond(.json(.accepted, body, headers: async ? Self.asyncApplied : HTTPHeaders()))
                case .rejected(let problem): responder.respond(GatewayProblems.response(problem))
                }
            }
        }
    }

    // MARK: batches

    private func handleJSONArray(_ request: HTTPRequest, _ responder: HTTPResponder, async: Bool) {
        let payloads: [TransactionPayload]
        do {
            payloads = try TransactionJSONReader.payloads(fromArray: request.body)
        } catch {
            return responder.respond(GatewayProblems.malformedJSON(error.description).response())
        }
        if let refusal = batchRefusal(count: payloads.count) { return responder.respond(refusal) }
        let receivedAt = Date()
        handleBatch(payloads.map { check($0, receivedAt: receivedAt) }, request, responder, async: async)
    }

    /// Each line is read and validated in one pass (no intermediate array of payloads: copying
    /// them showed in the profile).
    private func handleNDJSON(_ request: HTTPRequest, _ responder: HTTPResponder, async: Bool) {
        let lines = request.body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .filter { !$0.allSatisfy(Self.isJSONWhitespace) }
        if let refusal = batchRefusal(count: lines.count) { return responder.respond(refusal) }
        let receivedAt = Date()
        let items = lines.map { item(line: $0, receivedAt: receivedAt) }
        handleBatch(items, request, responder, async: async)
    }

    /// A batch line or array element: valid, or known to be bad (malformed JSON, invalid fields).
    enum BatchItem {
        case valid(Transaction)
        case rejected(Problem)
    }

    /// One NDJSON line as a batch item: its JSON read and its fields checked.
    func item(line: ArraySlice<UInt8>, receivedAt: Date) -> BatchItem {
        do throws(JSONSyntaxError) {
            return check(try TransactionJSONReader.payload(from: line), receivedAt: receivedAt)
        } catch {
            return .rejected(GatewayProblems.malformedJSON(error.description))
        }
    }

    func check(_ payload: TransactionPayload, receivedAt: Date) -> BatchItem {
        switch validator.validate(payload, receivedAt: receivedAt) {
        case .failure(let failure): .rejected(GatewayProblems.validation(failure.errors))
        case .success(let transaction): .valid(transaction)
        }
    }

    /// 413 above the item limit, 400 for a batch without items; nil when the size is fine.
    private func batchRefusal(count: Int) -> HTTPResponse? {
        guard count <= maxBatchItems else {
            return GatewayProblems.batchTooLarge(count, limit: maxBatchItems).response()
        }
        return count == 0 ? GatewayProblems.emptyBody().response() : nil
    }

    /// What one transaction comes to: the accepted/queued JSON, or its problem.
    enum Outcome: Sendable {
        case accepted([UInt8])
        case rejected(Problem)
    }

    /// `items` are validated already, so that the bound sees how many records the batch would add:
    /// all or nothing.
    private func handleBatch(
        _ items: [BatchItem],
        _ request: HTTPRequest,
        _ responder: HTTPResponder,
        async: Bool
    ) {
        let valid = items.count { if case .valid = $0 { true } else { false } }
        guard pending.reserve(valid) else { return responder.respond(overloaded()) }
        // One header list for the whole batch: every record carries the same request id and trace.
        let trace = TraceParent.forRequest(request.headers)
        let headers = TransactionRecord.headers(requestID: request.requestID, trace: trace)
        if async || valid == 0 {
            return answerAtEnqueue(items, headers: headers, request: request, trace: trace, async: async, responder)
        }
        var records: [KeyedValue] = []
        records.reserveCapacity(valid)
        var dates = TransactionJSONWriter.DateMemo()
        for case .valid(let transaction) in items {
            records.append(
                KeyedValue(
                    key: Array(transaction.accountId.utf8),
                    value: TransactionRecord.value(of: transaction, dates: &dates)
                )
            )
        }
        let answer = BatchAnswer(items: items, topic: topic)
        let (settle, logger) = (settlement(), self.logger)
        let requestID = request.requestID
        producer.produceBatch(topic: topic, records: records, headers: headers) { outcomes in
            let acknowledged = settle(outcomes)
            if acknowledged < outcomes.count {
                logger.warning(
                    "batch records not acknowledged",
                    metadata: [
                        "request_id": "\(requestID)", "trace_id": "\(TraceParent.traceID(trace))",
                        "failed": "\(outcomes.count - acknowledged)", "of": "\(outcomes.count)",
                    ]
                )
            }
            responder.respond(.json(.ok, answer.body(outcomes)))
        }
    }

    /// What a batch's outcomes settle (any thread): their pending slots released, acknowledgements
    /// counted and told to the monitor gate, failures counted by kind. Returns the acknowledged.
    func settlement() -> @Sendable ([ProduceOutcome]) -> Int {
        let (metrics, pending, monitorGate) = (self.metrics, self.pending, self.monitorGate)
        return { outcomes in
            pending.release(outcomes.count)
            var acknowledged = 0
            for outcome in outcomes {
                switch outcome {
                case .accepted(let partition, let offset):
                    acknowledged += 1
                    monitorGate?.acknowledged(partition: partition, offset: offset)
                case .failed(let failure):
                    metrics.recordDeliveryError(failure)
                }
            }
            metrics.recordProduced(acknowledged)
            return acknowledged
        }
    }

    /// `Prefer: respond-async` (each record answered once queued) or nothing to produce: every
    /// item's answer is known before this returns.
    private func answerAtEnqueue(
        _ items: [BatchItem],
        headers: [RecordHeader],
        request: HTTPRequest,
        trace: TraceContext,
        async: Bool,
        _ responder: HTTPResponder
    ) {
        let batch = TransactionBatch(count: items.count, responder: responder)
        for (index, item) in items.enumerated() {
            switch item {
            case .rejected(let problem): batch.complete(index, json: problem.jsonBytes())
            case .valid(let transaction):
                produce(transaction, headers: headers, request: request, trace: trace, async: async) { outcome in
                    switch outcome {
                    case .accepted(let body): batch.complete(index, json: body)
                    case .rejected(let problem): batch.complete(index, json: problem.jsonBytes())
                    }
                }
            }
        }
    }

    func monitorBehind(_ gate: MonitorLagGate) -> HTTPResponse {
        GatewayProblems.response(Self.monitorBehindProblem(gate))
    }

    static func monitorBehindProblem(_ gate: MonitorLagGate) -> Problem {
        let snapshot = gate.snapshot
        return GatewayProblems.monitorBehind(lag: snapshot.lag, partition: snapshot.partition, bound: gate.bound)
    }

    /// The answer at the pending-records bound: 503 with Retry-After, nothing produced.
    private func overloaded() -> HTTPResponse {
        GatewayProblems.response(GatewayProblems.overloaded(pendingLimit: pending.limit))
    }

    // MARK: producing

    /// Produces one validated transaction, for which the caller reserved room in `pending`; the
    /// room is released once the outcome is known. `done` gets the accepted/queued JSON or the problem.
    func produce(
        _ transaction: Transaction,
        headers: [RecordHeader],
        request: HTTPRequest,
        trace: TraceContext,
        async: Bool,
        done: @escaping @Sendable (Outcome) -> Void
    ) {
        let value = TransactionRecord.value(of: transaction)
        let id = transaction.id
        let topic = self.topic
        let metrics = self.metrics
        let pending = self.pending
        let monitorGate = self.monitorGate
        do {
            try producer.produce(topic: topic, key: Array(transaction.accountId.utf8), value: value, headers: headers) {
                outcome in
                pending.release()
                switch outcome {
                case .accepted(let partition, let offset):
                    metrics.recordProduced(1)
                    monitorGate?.acknowledged(partition: partition, offset: offset)
                    if !async {
                        done(.accepted(Self.acceptedJSON(id: id, topic: topic, partition: partition, offset: offset)))
                    }
                case .failed(let failure):
                    metrics.recordDeliveryError(failure)
                    if !async { done(.rejected(GatewayProblems.kafkaUnavailable(failure))) }
                }
            }
            if async { done(.accepted(Self.queuedJSON(id: id, topic: topic))) }
        } catch {
            pending.release()
            metrics.recordDeliveryError(error)
            logger.warning(
                "produce refused",
                metadata: [
                    "request_id": "\(request.requestID)", "trace_id": "\(TraceParent.traceID(trace))",
                    "error": "\(error.name)",
                ]
            )
            done(.rejected(GatewayProblems.kafkaUnavailable(error)))
        }
    }

    // Identifiers are validated to [A-Za-z0-9._:-] and topics are ours, so no JSON escaping is needed.
    // Appended as bytes: string interpolation was a twentieth of a POST's instructions.
    static func acceptedJSON(id: String, topic: String, partition: Int32, offset: Int64) -> [UInt8] {
        var json: [UInt8] = []
        json.reserveCapacity(96 + id.utf8.count + topic.utf8.count)
        appendAccepted(id: id, topic: topic, partition: partition, offset: offset, to: &json)
        return json
    }

    static func appendAccepted(id: String, topic: String, partition: Int32, offset: Int64, to json: inout [UInt8]) {
        json += #"{"id":""#.utf8
        json += id.utf8
        json += #"","status":"accepted","topic":""#.utf8
        json += topic.utf8
        json += #"","partition":"#.utf8
        appendInteger(Int64(partition), to: &json)
        json += #","offset":"#.utf8
        appendInteger(offset, to: &json)
        json.append(UInt8(ascii: "}"))
    }

    /// Decimal digits without a String in between (`String(offset)` allocated per record).
    static func appendInteger(_ value: Int64, to json: inout [UInt8]) {
        if value < 0 { json.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 20 digits at most, least significant first
        let count = withUnsafeMutableBytes(of: &digits) { buffer in
            var count = 0
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            return count
        }
        withUnsafeBytes(of: &digits) { buffer in
            for index in stride(from: count - 1, through: 0, by: -1) { json.append(buffer[index]) }
        }
    }

    static func queuedJSON(id: String, topic: String) -> [UInt8] {
        Array(#"{"id":"\#(id)","status":"queued","topic":"\#(topic)"}"#.utf8)
    }

    static let asyncApplied = HTTPHeaders([("Preference-Applied", "respond-async")])

    // MARK: request helpers

    /// RFC 7240 `Prefer` may list several preferences, comma-separated, with parameters.
    static func prefersAsync(_ headers: HTTPHeaders) -> Bool {
        headers.values("Prefer").contains { value in
            value.split(separator: ",").contains {
                $0.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == "respond-async"
            }
        }
    }

    /// The media type of a Content-Type, without parameters, lower-cased (RFC 9110 §8.3.1).
    static func mediaType(_ contentType: String) -> String {
        // The usual spelling costs one comparison; the rest is byte-level, as Foundation's trimming
        // is costly here.
        if contentType == "application/json" { return contentType }
        let bytes = contentType.utf8
        let end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
        var type = bytes[..<end].drop { $0 == 0x20 || $0 == 0x09 }
        while let last = type.last, last == 0x20 || last == 0x09 { type = type.dropLast() }
        return String(decoding: type.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    /// The first content coding other than `identity` (RFC 9110 §8.4: a list, in the order applied,
    /// possibly over several field lines; names are case-insensitive), or nil when the body is plain.
    /// We decode none, so such a body must not be read as JSON: the caller answers 415 (§15.5.16).
    static func unsupportedContentCoding(_ headers: HTTPHeaders) -> String? {
        for value in headers.values("Content-Encoding") {
            for element in value.split(separator: ",") {
                let coding = element.trimmingCharacters(in: .whitespaces)
                if !coding.isEmpty, coding.lowercased() != "identity" { return coding }
            }
        }
        return nil
    }

    static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    static func firstByte(_ body: [UInt8]) -> UInt8? { body.first { !isJSONWhitespace($0) } }
}
