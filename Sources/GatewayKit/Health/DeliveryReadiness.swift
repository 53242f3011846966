/// Judges the producers' recent delivery outcomes for `/readyz`: a broker answering metadata is
/// not enough if records are not being acknowledged (a broker that lost its state answered
/// metadata while every record timed out).
///
/// Not ready when, for any producer of the pool:
/// - the last `failureThreshold` deliveries (or more) all failed, and the latest failure is recent
///   (within `recentWindow`); or
/// - records are pending and no delivery report came for longer than `stallBound` (librdkafka
///   fails a record at the delivery timeout, so silence past it means nothing is reported).
/// Ready again as soon as a delivery succeeds. A failure streak that is no longer recent stops
/// counting: a load balancer that took the instance out of rotation sends no more records, so
/// without this the instance could never prove itself again (a circuit breaker's half-open state).
struct DeliveryReadiness: Sendable {
    var failureThreshold = 3
    var recentWindow: Duration
    var stallBound: Duration

    /// For a producer whose records fail at `deliveryTimeout`: a streak counts for two delivery
    /// timeouts after its latest failure, and silence for one timeout plus a second (librdkafka
    /// scans for timed-out records about once a second) is a stall.
    init(deliveryTimeout: Duration) {
        recentWindow = deliveryTimeout * 2
        stallBound = deliveryTimeout + .seconds(1)
    }

    /// What the producers' outcomes say, read now.
    func judge(_ producers: [ProducerHealth]) -> DeliveryVerdict {
        let failing = producers.filter {
            $0.consecutiveFailures >= failureThreshold && ($0.lastFailureAgo ?? .zero) < recentWindow
        }
        let stalled = producers.filter { ($0.waitingFor ?? .zero) > stallBound }
        let latestFailure = producers.filter { $0.consecutiveFailures > 0 }.min {
            ($0.lastFailureAgo ?? .zero) < ($1.lastFailureAgo ?? .zero)
        }
        var verdict = DeliveryVerdict(
            lastError: latestFailure?.lastError,
            lastSuccessAgo: producers.compactMap(\.lastSuccessAgo).min()
        )
        if !failing.isEmpty {
            let count = failing.reduce(0) { $0 + $1.consecutiveFailures }
            let span = failing.compactMap(\.failingFor).max() ?? .zero
            let name =
                failing.min { ($0.lastFailureAgo ?? .zero) < ($1.lastFailureAgo ?? .zero) }?.lastError ?? "unknown"
            verdict.reason = "deliveries failing: \(name) x \(count) in the last \(Self.seconds(span))"
        } else if !stalled.isEmpty {
            let pending = stalled.reduce(0) { $0 + $1.pending }
            let silence = stalled.compactMap(\.waitingFor).max() ?? .zero
            verdict.reason = "no delivery report for \(Self.seconds(silence)) with \(pending) records waiting"
        }
        return verdict
    }

    private static func seconds(_ duration: Duration) -> String {
        let tenths = Int((Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18) * 10)
        return tenths % 10 == 0 ? "\(tenths / 10) s" : "\(tenths / 10).\(tenths % 10) s"
    }
}

/// The delivery side of readiness: a reason when produce does not work now, plus what is worth
/// showing either way.
struct DeliveryVerdict: Sendable, Equatable {
    /// Why deliveries make the gateway not ready; nil when they do not.
    var reason: String?
    /// librdkafka's name of the latest failure of a streak still open (no success since).
    var lastError: String?
    var lastSuccessAgo: Duration?

    init(reason: String? = nil, lastError: String? = nil, lastSuccessAgo: Duration? = nil) {
        self.reason = reason
        self.lastError = lastError
        self.lastSuccessAgo = lastSuccessAgo
    }
}
