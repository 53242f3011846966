import Foundation
import HTTPCore

/// The gateway's RFC 9457 problems, so every route words the same failure the same way.
enum GatewayProblems {
    static func malformedJSON(_ detail: String) -> Problem {
        Problem(status: .badRequest, title: "Malformed JSON", detail: detail)
    }

    static func validation(_ errors: [FieldError]) -> Problem {
        Problem(
            status: .unprocessableContent,
            title: "Invalid transaction",
            detail: "\(errors.count) field(s) failed validation",
            errors: errors
        )
    }

    static func unsupportedMediaType(_ contentType: String?) -> Problem {
        Problem(
            status: .unsupportedMediaType,
            title: "Unsupported media type",
            detail:
                "Content-Type \(contentType ?? "(none)") is not accepted; use application/json or application/x-ndjson"
        )
    }

    /// RFC 9110 §15.5.16: 415 for a content coding we do not apply, sent with `identityOnly`.
    static func unsupportedContentCoding(_ coding: String) -> Problem {
        Problem(
            status: .unsupportedMediaType,
            title: "Unsupported content coding",
            detail: "Content-Encoding \(coding) is not accepted; send the body without a content coding (identity)"
        )
    }

    static func batchTooLarge(_ count: Int, limit: Int) -> Problem {
        Problem(
            status: .contentTooLarge,
            title: "Batch too large",
            detail: "\(count) items; at most \(limit) are accepted per request"
        )
    }

    static func emptyBody() -> Problem {
        Problem(status: .badRequest, title: "Empty body", detail: "the request has no transaction")
    }

    /// Kafka could not take or confirm the record: a retry later may work, so 503 + Retry-After
    /// (RFC 9110 §15.6.4, §10.2.3).
    static func kafkaUnavailable(_ failure: ProduceFailure) -> Problem {
        let detail =
            switch failure.kind {
            case .queueFull: "the producer queue is full (\(failure.name)); retry shortly"
            case .timedOut: "no broker acknowledged the record within the delivery timeout (\(failure.name))"
            case .tooLarge: "the record is larger than Kafka accepts (\(failure.name)): \(failure.reason)"
            case .closed: "the gateway is shutting down and takes no more records (\(failure.name))"
            case .unavailable: "Kafka refused the record: \(failure.name): \(failure.reason)"
            }
        return Problem(status: .serviceUnavailable, title: "Kafka unavailable", detail: detail)
    }

    /// `--max-pending-records` records already await Kafka's acknowledgement: refused before
    /// anything is produced, so a retry after Retry-After is safe (RFC 9110 §15.6.4).
    static func overloaded(pendingLimit: Int) -> Problem {
        Problem(
            status: .serviceUnavailable,
            title: "Gateway overloaded",
            detail: "\(pendingLimit) records already await Kafka's acknowledgement; nothing was produced, retry shortly"
        )
    }

    /// The monitor trails the topic by more than `--max-monitor-lag` on a partition: refused before
    /// anything is produced, so that no acknowledged transaction escapes the statistics and rules
    /// (on the embedded cluster it would be deleted before the monitor read it).
    static func monitorBehind(lag: Int64, partition: Int32, bound: Int64) -> Problem {
        Problem(
            status: .serviceUnavailable,
            title: "Monitor behind",
            detail:
                "the fraud monitor is \(lag) records behind on partition \(partition) (bound --max-monitor-lag \(bound)); nothing was produced, retry shortly"
        )
    }

    /// No or no valid API key on a protected route (RFC 9110 §15.5.2).
    static func unauthorized(_ detail: String) -> Problem {
        Problem(status: .unauthorized, title: "Unauthorized", detail: detail)
    }

    /// The key's requests per second are spent (RFC 6585 §4).
    static func rateLimited(key: String, retryAfter seconds: Int) -> Problem {
        Problem(
            status: .tooManyRequests,
            title: "Too many requests",
            detail: "the rate limit of API key \(key) is reached; retry in \(seconds) s"
        )
    }

    static func malformedIdempotencyKey(_ error: IdempotencyKey.ParseError) -> Problem {
        let detail =
            switch error {
            case .repeated: "send one Idempotency-Key field"
            case .empty: "the Idempotency-Key is empty"
            case .tooLong: "the Idempotency-Key is longer than \(IdempotencyKey.maxBytes) bytes"
            case .malformed:
                #"expected a structured-field string such as "8e03978e-40d5-43e8-bc93-6894a57f9324" (RFC 8941 §3.3.3), or the key unquoted"#
            }
        return Problem(status: .badRequest, title: "Malformed Idempotency-Key", detail: detail)
    }

    /// draft-ietf-httpapi-idempotency-key-header-06 §2.7: a retry while the first request with the
    /// key is still being processed is a conflict; Retry-After says when to try again.
    static func idempotencyKeyInFlight() -> Problem {
        Problem(
            status: .conflict,
            title: "Request in progress",
            detail: "a request with this Idempotency-Key is still awaiting Kafka's acknowledgement; retry shortly"
        )
    }

    /// draft-ietf-httpapi-idempotency-key-header-06 §2.7: a key reused for a different payload.
    static func idempotencyKeyReused() -> Problem {
        Problem(
            status: .unprocessableContent,
            title: "Idempotency-Key reused",
            detail: "this Idempotency-Key was used with a different request body; use a new key for a new request"
        )
    }

    static let retryAfter = HTTPHeaders([("Retry-After", "1")])
    /// What a refused content coding is answered with: the one coding we accept (RFC 9110 §12.5.3).
    static let identityOnly = HTTPHeaders([("Accept-Encoding", "identity")])

    /// 503 (Kafka unavailable) and 409 (key in flight) are worth retrying: they carry Retry-After.
    static func response(_ problem: Problem) -> HTTPResponse {
        problem.response(
            headers: problem.status == .serviceUnavailable || problem.status == .conflict ? retryAfter : HTTPHeaders()
        )
    }

}
