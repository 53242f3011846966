/// Why a producer is to be replaced: what its callbacks saw, and whether the replacement waits
/// for proof that the brokers answer (a streak of failures alone may be the cluster's fault, and a
/// fresh producer would not help then).
struct Unrecoverable: Sendable, CustomStringConvertible {
    var error: KafkaError
    var detail: String
    var needsBrokers: Bool

    var description: String { "\(detail) (\(error.description))" }
}
