import HTTPCore

/// `Idempotency-Key` on `POST /transactions` (draft-ietf-httpapi-idempotency-key-header-06): a
/// retry of the same request is answered from the store and produces nothing.
extension TransactionsRoute {
    /// Marks an answer sent again from the store rather than produced for this request.
    static let replayedField = "Idempotent-Replayed"

    func handleIdempotent(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let key: IdempotencyKey
        do {
            key = try IdempotencyKey.parse(request.headers.values(IdempotencyKey.fieldName)).scoped(to: request.client)
        } catch {
            return responder.respond(GatewayProblems.malformedIdempotencyKey(error).response())
        }
        let mediaType = request.headers["Content-Type"].map(Self.mediaType) ?? ""
        switch idempotency.claim(key, RequestFingerprint(body: request.body, mediaType: mediaType)) {
        case .claimed:
            process(request, recording(key, responder))
        case .replay(let stored):
            var response = stored
            response.headers.add(Self.replayedField, "true")
            responder.respond(response)
        case .inFlight:
            responder.respond(GatewayProblems.response(GatewayProblems.idempotencyKeyInFlight()))
        case .mismatch:
            responder.respond(GatewayProblems.idempotencyKeyReused().response())
        }
    }

    /// A responder that ends the key's claim with the answer (stored or released), then sends it.
    /// A handler that dropped it would answer 500 through it, which releases the key too.
    private func recording(_ key: IdempotencyKey, _ responder: HTTPResponder) -> HTTPResponder {
        let store = idempotency
        return HTTPResponder(requestID: responder.requestID) { response in
            store.finish(key, with: response)
            responder.respond(response)
        }
    }
}
