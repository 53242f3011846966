import Foundation
import HTTPCore
import KafkaBridge

/// The gateway's RFC 9457 problems, so every route words the same failure the same way.
enum GatewayProblems {
    static func malformedJSON(_ detail: String) -> Problem {
        Problem(status: 400, title: "Malformed JSON", detail: detail)
    }

    static func validation(_ errors: [FieldError]) -> Problem {
        Problem(status: 422, title: "Invalid transaction",
                       detail: "\(errors.count) field(s) failed validation", errors: errors)
    }

    static func unsupportedMediaType(_ contentType: String?) -> Problem {
        Problem(status: 415, title: "Unsupported media type",
                       detail: "Content-Type \(contentType ?? "(none)") is not accepted; use application/json or application/x-ndjson")
    }

    /// RFC 9110 §15.5.16: 415 for a content coding we do not apply, sent with `identityOnly`.
    static func unsupportedContentCoding(_ coding: String) -> Problem {
        Problem(status: 415, title: "Unsupported content coding",
                detail: "Content-Encoding \(coding) is not accepted; send the body without a content coding (identity)")
    }

    static func batchTooLarge(_ count: Int, limit: Int) -> Problem {
        Problem(status: 413, title: "Batch too large", detail: "\(count) items; at most \(limit) are accepted per request")
    }

    static func emptyBody() -> Problem {
        Problem(status: 400, title: "Empty body", detail: "the request has no transaction")
    }

    /// Kafka could not take or confirm the record: a retry later may work, so 503 + Retry-After
    /// (RFC 9110 §15.6.4, §10.2.3).
    static func kafkaUnavailable(_ error: KafkaError) -> Problem {
        let detail: String
        if error.isQueueFull {
            detail = "the producer queue is full (\(error.name)); retry shortly"
        } else if error.isTimedOut {
            detail = "no broker acknowledged the record within the delivery timeout (\(error.name))"
        } else {
            detail = "Kafka refused the record: \(error.name): \(error.message)"
        }
        return Problem(status: 503, title: "Kafka unavailable", detail: detail)
    }

    static let retryAfter = HTTPHeaders([("Retry-After", "1")])
    /// What a refused content coding is answered with: the one coding we accept (RFC 9110 §12.5.3).
    static let identityOnly = HTTPHeaders([("Accept-Encoding", "identity")])

    static func response(_ problem: Problem) -> HTTPResponse {
        problem.response(headers: problem.status == 503 ? retryAfter : HTTPHeaders())
    }

}
