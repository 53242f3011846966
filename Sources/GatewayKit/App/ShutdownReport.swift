import Logging

/// What a shutdown could not finish within its budget. Empty means a clean stop (exit status 0).
package struct ShutdownReport: Sendable {
    /// Requests still waiting for Kafka when the drain ended, answered 503 by the server.
    var requestsCutOff = 0
    /// Consumers that had not left their group (nor committed) by the deadline; their threads
    /// were abandoned.
    var consumersNotClosed: [String] = []
    /// Records failed at the flush deadline: never acknowledged with 202 (their requests got 503,
    /// or they were alerts), possibly written anyway.
    var recordsUndelivered = 0

    package var isClean: Bool { requestsCutOff == 0 && consumersNotClosed.isEmpty && recordsUndelivered == 0 }

    /// For the log line that names what was abandoned.
    var metadata: Logger.Metadata {
        [
            "requests_cut_off": "\(requestsCutOff)",
            "consumers_not_closed": .string(
                consumersNotClosed.isEmpty ? "none" : consumersNotClosed.joined(separator: ",")
            ),
            "records_undelivered": "\(recordsUndelivered)",
        ]
    }
}
